"""Ruta's own package: a versioned, documented zip for moving courses between institutions with provenance.

Layout (see README.md in this folder)::

    ruta-package.json      manifest: {"format": "ruta-package", "format_version": 2, "course": {...},
                           "ruta": {...}, "files": [...]}
    files/<path>           every media or package file listed in "files", byte for byte

``course`` is ``outline_to_dict(outline)``: metadata, provenance (original institution, version, adapted by,
change note, parent), modules → lessons → blocks with activities and answers, in the format-neutral outline that
any reader can use. Since format 2, ``ruta`` holds the course exactly as Ruta stores it (page fields, each
lesson's StreamField JSON, images, documents, SCORM/H5P packages, certificate programmes): Ruta imports that
part, so nothing is lost between two Ruta sites. Format 1 packages (outline only) are still read.
Writing is deterministic (sorted entries, fixed timestamps), so export → import → export gives the same bytes.

Pure: no Django models. Must not import courses or certification.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from django.utils.translation import gettext as _

from .archive import check_entry_name
from .errors import PackageRefused
from .outline import MediaFile, Outline, outline_from_dict, outline_to_dict
from .report import Findings
from .shapes import objects

MANIFEST = "ruta-package.json"
FORMAT = "ruta-package"
FORMAT_VERSION = 2
FILES_DIR = "files/"
_FIXED_TIME = (2000, 1, 1, 0, 0, 0)


class PackageFiles(Protocol):
    def names(self) -> list[str]: ...
    def has(self, name: str) -> bool: ...
    def read(self, name: str, *, max_size: int | None = None) -> bytes: ...


@dataclass
class RutaParse:
    outline: Outline
    findings: Findings
    manifest: dict[str, Any]


# A package file: bytes, a file on disk, or a callable opening a binary stream (read twice: digest, then copy).
FileSource = bytes | Path | Callable[[], BinaryIO]


def _open(source: FileSource) -> BinaryIO:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    if isinstance(source, Path):
        return open(source, "rb")
    return source()


def _digest(source: FileSource) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with _open(source) as fh:
        for chunk in iter(lambda: fh.read(64 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def ruta_manifest(
    outline: Outline, files: Mapping[str, tuple[int, str]], ruta: dict[str, Any] | None = None
) -> dict[str, Any]:
    entries = [{"path": path, "size": size, "sha256": sha} for path, (size, sha) in sorted(files.items())]
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "course": outline_to_dict(outline)}
    if ruta is not None:
        manifest["ruta"] = ruta
    manifest["files"] = entries
    return manifest


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def ruta_package_write(
    outline: Outline,
    *,
    files: Mapping[str, FileSource],
    dest: BinaryIO | Path,
    ruta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write a Ruta package; ``files`` maps package paths (``static/a.png``) to their content (see FileSource).

    ``ruta`` is the lossless part (see the module docstring). Files are streamed: a large SCORM package is never
    held in memory."""
    sources: dict[str, FileSource] = {check_entry_name(path): data for path, data in files.items()}
    sums = {path: _digest(source) for path, source in sources.items()}
    known = {m.path for m in outline.media}
    outline_paths = {m.path for m in outline.media} | {
        path for path in sources if not path.startswith(("packages/", "images/", "documents/"))
    }
    for path in sorted(outline_paths - known):
        if path in sums:
            outline.media.append(MediaFile(path=path, size=sums[path][0]))
    for media in outline.media:
        if media.path in sums:
            media.size, media.sha256 = sums[media.path]
    outline.media.sort(key=lambda m: m.path)
    manifest = ruta_manifest(outline, sums, ruta)
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_zip_info(MANIFEST), text)
        for path in sorted(sources):
            with _open(sources[path]) as src, zf.open(_zip_info(FILES_DIR + path), "w") as out:
                shutil.copyfileobj(src, out, 64 * 1024)
    return manifest


def ruta_package_bytes(
    outline: Outline, *, files: Mapping[str, FileSource], ruta: dict[str, Any] | None = None
) -> bytes:
    buf = io.BytesIO()
    ruta_package_write(outline, files=files, dest=buf, ruta=ruta)
    return buf.getvalue()


def parse_ruta(files: PackageFiles) -> RutaParse:
    findings = Findings()
    try:
        manifest = json.loads(files.read(MANIFEST).decode("utf-8"))
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise PackageRefused(
            _("El manifiesto del paquete Ruta está dañado (no es JSON válido)."), code="ruta_bad_manifest"
        ) from exc
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("course"), dict)
    ):
        raise PackageRefused(
            _("El archivo «ruta-package.json» no es un manifiesto de paquete Ruta."), code="ruta_bad_manifest"
        )
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise PackageRefused(_("El paquete Ruta no indica una versión de formato válida."), code="ruta_bad_version")
    if version > FORMAT_VERSION:
        raise PackageRefused(
            _("El paquete se creó con una versión más nueva de Ruta (formato %(v)s); actualice Ruta para importarlo.")
            % {"v": version},
            code="ruta_too_new",
        )
    ruta = manifest.get("ruta")
    if ruta is not None and (not isinstance(ruta, dict) or not isinstance(ruta.get("modules", []), list)):
        raise PackageRefused(
            _("La parte «ruta» del manifiesto está dañada: el curso no se puede leer."), code="ruta_bad_manifest"
        )
    listed = manifest.get("files")
    if listed is not None and (not isinstance(listed, list) or len(objects(listed)) != len(listed)):
        raise PackageRefused(
            _("La lista de archivos del manifiesto del paquete Ruta está dañada (cada archivo debe ser un objeto)."),
            code="ruta_bad_manifest",
        )
    outline = outline_from_dict(manifest["course"])  # kept as exported, so a re-export is byte-identical
    for entry in objects(listed):
        path = str(entry.get("path", ""))
        try:
            safe = check_entry_name(path)
        except PackageRefused:
            findings.error(
                "ruta_bad_path", _("El paquete lista un archivo con una ruta no permitida («%(f)s»).") % {"f": path}
            )
            continue
        name = FILES_DIR + safe
        if not files.has(name):
            findings.error(
                "ruta_missing_file", _("Falta el archivo «%(f)s» que el paquete declara.") % {"f": safe}, path=safe
            )
            continue
        digest = _sha256_of(files, name)
        if entry.get("sha256") and digest != entry.get("sha256"):
            findings.error(
                "ruta_checksum",
                _("El archivo «%(f)s» no coincide con su huella (sha256): el paquete se modificó o está dañado.")
                % {"f": safe},
                path=safe,
            )
    if outline.provenance.original_institution:
        findings.info(
            "ruta_provenance",
            _("Origen: %(i)s, versión %(v)s%(a)s.")
            % {
                "i": outline.provenance.original_institution,
                "v": outline.provenance.version or "?",
                "a": _(", adaptado por %(a)s") % {"a": outline.provenance.adapted_by}
                if outline.provenance.adapted_by
                else "",
            },
        )
    return RutaParse(outline=outline, findings=findings, manifest=manifest)


class _HashWriter:
    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return len(data)


def _sha256_of(files: PackageFiles, name: str) -> str:
    """A file's digest, streamed when the archive can stream (large media never whole in memory)."""
    copy_to = getattr(files, "copy_to", None)
    if copy_to is not None:
        writer = _HashWriter()
        copy_to(name, writer)
        return writer.digest.hexdigest()
    return hashlib.sha256(files.read(name, max_size=1024 * 1024 * 1024)).hexdigest()


def ruta_read_files(files: PackageFiles, manifest: dict[str, Any]) -> dict[str, bytes]:
    """The payload files of a parsed package (for re-export or storage), keyed by package path."""
    out: dict[str, bytes] = {}
    for entry in objects(manifest.get("files")):
        path = check_entry_name(str(entry.get("path", "")))
        if files.has(FILES_DIR + path):
            out[path] = files.read(FILES_DIR + path, max_size=1024 * 1024 * 1024)
    return out
