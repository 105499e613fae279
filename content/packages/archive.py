"""Safe reading of uploaded archives (zip, and tar.gz for Open edX exports).

Every archive is untrusted. Opening one checks every entry *before* anything is read:
- names: no ``..``, no absolute paths, no drive letters, no backslashes, no NUL or control characters,
  no duplicates (also after case folding, so a case-insensitive disk cannot be tricked);
- kinds: only regular files and folders (no symlinks, hard links, devices, FIFOs), no encrypted entries;
- sizes: entry count, declared total uncompressed size, compression ratio per entry and for the whole archive;
- shapes a disk cannot hold: a file that is also the folder of another entry (``a`` and ``a/b``).
Reading is streamed in chunks and re-counts the real bytes, so a lying header cannot inflate memory or disk.
Extraction writes only below the given folder and checks every resolved path stays inside it.

Pure: no Django models. Must not import courses or certification.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import PackageRefused

CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """Ceilings for one archive. Defaults fit real course packages (the largest corpus one is 17 MB unpacked)."""

    max_entries: int = 20_000
    max_total_size: int = 1024 * 1024 * 1024  # 1 GiB unpacked
    max_entry_size: int = 512 * 1024 * 1024
    max_ratio: int = 200  # uncompressed / compressed, per zip entry and for the whole archive (zip or tar.gz)
    max_name_length: int = 1024
    max_read_size: int = 32 * 1024 * 1024  # largest single file read into memory (manifests, JSON, HTML)


DEFAULT_LIMITS = ArchiveLimits()

_DRIVE = re.compile(r"^[A-Za-z]:")
_SPECIAL_MODES = {stat.S_IFLNK, stat.S_IFCHR, stat.S_IFBLK, stat.S_IFIFO, stat.S_IFSOCK}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ArchiveEntry:
    name: str  # normalised POSIX path, no trailing slash
    size: int
    is_dir: bool


def check_entry_name(raw: str, *, limits: ArchiveLimits = DEFAULT_LIMITS) -> str:
    """Return the normalised entry name, or refuse it. Pure; used for zip and tar alike."""
    if not raw or len(raw) > limits.max_name_length:
        raise PackageRefused(
            _("El paquete contiene un archivo con un nombre vacío o demasiado largo."), code="bad_name"
        )
    if _CONTROL.search(raw):
        raise PackageRefused(
            _("El paquete contiene un nombre de archivo con caracteres no permitidos."), code="bad_name", detail=raw
        )
    if "\\" in raw:
        raise PackageRefused(
            _("El paquete contiene una ruta con barras invertidas («\\»); no se puede abrir de forma segura."),
            code="bad_name",
            detail=raw,
        )
    if raw.startswith("/") or _DRIVE.match(raw):
        raise PackageRefused(
            _("El paquete intenta escribir en una ruta absoluta del servidor («%(name)s»). Se rechaza por seguridad.")
            % {"name": raw},
            code="absolute_path",
            detail=raw,
        )
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise PackageRefused(
            _("El paquete intenta escribir fuera de su carpeta («%(name)s»). Se rechaza por seguridad.")
            % {"name": raw},
            code="path_traversal",
            detail=raw,
        )
    if not parts:
        raise PackageRefused(
            _("El paquete contiene un archivo con un nombre vacío o demasiado largo."), code="bad_name"
        )
    return "/".join(parts)


class SafeArchive:
    """A validated archive. Use :func:`open_archive`; it picks zip or tar.gz by content, not by name."""

    kind: str = ""

    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        self.path = Path(path)
        self.limits = limits
        self._entries: dict[str, ArchiveEntry] = {}
        self._folders: set[str] = set()  # every folder some entry sits in (case-folded)
        self._files: set[str] = set()  # every file (case-folded)

    # --- listing
    @property
    def entries(self) -> list[ArchiveEntry]:
        return list(self._entries.values())

    def names(self) -> list[str]:
        return [e.name for e in self._entries.values() if not e.is_dir]

    def has(self, name: str) -> bool:
        entry = self._entries.get(name)
        return entry is not None and not entry.is_dir

    def size(self, name: str) -> int:
        return self._entries[name].size

    def total_size(self) -> int:
        return sum(e.size for e in self._entries.values())

    def _register(self, entry: ArchiveEntry, folded: dict[str, str]) -> None:
        key = entry.name.casefold()
        if key in folded:
            if entry.is_dir and self._entries[folded[key]].is_dir:
                return  # the same folder listed twice is harmless
            raise PackageRefused(
                _("El paquete contiene dos archivos con el mismo nombre («%(name)s»). Se rechaza por seguridad.")
                % {"name": entry.name},
                code="duplicate",
                detail=entry.name,
            )
        self._check_file_folder(entry, key)
        folded[key] = entry.name
        self._entries[entry.name] = entry
        if len(self._entries) > self.limits.max_entries:
            raise PackageRefused(
                _("El paquete contiene demasiados archivos (más de %(n)s).") % {"n": self.limits.max_entries},
                code="too_many_entries",
            )

    def _check_file_folder(self, entry: ArchiveEntry, key: str) -> None:
        """Refuse a name that is a file and also the folder of another entry (``a`` and ``a/b``, also after case
        folding): no disk can hold both, so storing such a package would fail halfway."""
        parents = key.split("/")[:-1]
        ancestors = ["/".join(parents[: i + 1]) for i in range(len(parents))]
        depth = next((i + 1 for i, folder in enumerate(ancestors) if folder in self._files), 0)
        if depth or (not entry.is_dir and key in self._folders):
            name = "/".join(entry.name.split("/")[:depth]) if depth else entry.name
            raise PackageRefused(
                _(
                    "En el paquete, «%(name)s» es a la vez un archivo y la carpeta de otros archivos; "
                    "no se puede guardar. Se rechaza."
                )
                % {"name": name},
                code="file_folder_clash",
                detail=entry.name,
            )
        self._folders.update(ancestors)
        (self._folders if entry.is_dir else self._files).add(key)

    def _check_total(self, total: int) -> None:
        if total > self.limits.max_total_size:
            raise PackageRefused(
                _("El paquete ocupa demasiado al descomprimirlo (más de %(mb)s MB).")
                % {"mb": self.limits.max_total_size // (1024 * 1024)},
                code="too_large",
            )

    # --- reading
    def read(self, name: str, *, max_size: int | None = None) -> bytes:
        """The bytes of one file, refused if larger than ``max_size`` (default: limits.max_read_size)."""
        cap = self.limits.max_read_size if max_size is None else max_size
        buf = io.BytesIO()
        for chunk in self._iter_chunks(name):
            buf.write(chunk)
            if buf.tell() > cap:
                raise PackageRefused(
                    _("El archivo «%(name)s» del paquete es demasiado grande para leerlo.") % {"name": name},
                    code="file_too_large",
                    detail=name,
                )
        return buf.getvalue()

    def copy_to(self, name: str, out: Any, *, max_size: int | None = None) -> int:
        """Stream one file into ``out`` (anything with ``write(bytes)``), never whole in memory; refused past
        ``max_size`` (default: the per-entry limit). Returns the bytes written."""
        cap = self.limits.max_entry_size if max_size is None else max_size
        written = 0
        for chunk in self._iter_chunks(name):
            written += len(chunk)
            if written > cap:
                raise PackageRefused(
                    _("El archivo «%(name)s» del paquete es demasiado grande para leerlo.") % {"name": name},
                    code="file_too_large",
                    detail=name,
                )
            out.write(chunk)
        return written

    def read_text(self, name: str, *, max_size: int | None = None) -> str:
        return self.read(name, max_size=max_size).decode("utf-8-sig", errors="replace")

    def _iter_chunks(self, name: str) -> Iterator[bytes]:  # pragma: no cover - abstract
        raise NotImplementedError

    def extract_all(self, dest: Path) -> list[str]:
        """Write every file below ``dest`` (created if needed). Returns the names written."""
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        root = dest.resolve()
        written: list[str] = []
        for entry in self._entries.values():
            target = (root / entry.name).resolve()
            if target != root and root not in target.parents:
                raise PackageRefused(
                    _("El paquete intenta escribir fuera de su carpeta («%(name)s»). Se rechaza por seguridad.")
                    % {"name": entry.name},
                    code="path_traversal",
                )
            if entry.is_dir:
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            # O_EXCL + O_NOFOLLOW: never follow or overwrite something already there (a planted symlink).
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
            fd = os.open(target, flags, 0o644)
            with os.fdopen(fd, "wb") as out:
                for chunk in self._iter_chunks(entry.name):
                    out.write(chunk)
            written.append(entry.name)
        return written

    def close(self) -> None:
        pass

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ZipArchive(SafeArchive):
    kind = "zip"

    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        super().__init__(path, limits)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise PackageRefused(
                _("El archivo no es un ZIP válido o está dañado. Vuelva a descargarlo o a exportarlo."),
                code="not_an_archive",
            ) from exc
        try:
            self._scan()
        except Exception:
            self._zip.close()
            raise

    def _scan(self) -> None:
        folded: dict[str, str] = {}
        total = 0
        self._compressed = max(self.path.stat().st_size, 1)
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise PackageRefused(
                _("El paquete contiene demasiados archivos (más de %(n)s).") % {"n": self.limits.max_entries},
                code="too_many_entries",
            )
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = check_entry_name(info.filename, limits=self.limits)
            mode = (info.external_attr >> 16) & 0xFFFF
            if info.create_system == 3 and stat.S_IFMT(mode) in _SPECIAL_MODES:
                raise PackageRefused(
                    _("El paquete contiene un enlace simbólico o un archivo especial («%(name)s»). Se rechaza.")
                    % {"name": info.filename},
                    code="special_file",
                    detail=info.filename,
                )
            if info.flag_bits & 0x1:
                raise PackageRefused(
                    _("El paquete tiene archivos protegidos con contraseña; expórtelo sin contraseña."),
                    code="encrypted",
                )
            is_dir = info.is_dir()
            if not is_dir:
                if info.file_size > self.limits.max_entry_size:
                    raise PackageRefused(
                        _("El archivo «%(name)s» del paquete es demasiado grande.") % {"name": name},
                        code="file_too_large",
                    )
                if info.file_size > 1024 * 1024 and info.file_size > self.limits.max_ratio * max(info.compress_size, 1):
                    raise PackageRefused(
                        _(
                            "El archivo «%(name)s» se expande de forma anómala al descomprimirlo "
                            "(posible «bomba ZIP»). Se rechaza."
                        )
                        % {"name": name},
                        code="zip_bomb",
                    )
                total += info.file_size
                self._check_total(total)
                self._check_whole_ratio(total)
            self._register(ArchiveEntry(name=name, size=0 if is_dir else info.file_size, is_dir=is_dir), folded)
            if not is_dir:
                self._infos[name] = info

    def _check_whole_ratio(self, total: int) -> None:
        # Many entries each at most 1 MiB escape the per-entry check; the whole archive is held to the same ratio
        # (as the tar.gz stream is): 1000 × 1 MiB of zeros packs into about 1 MB.
        if total > 1024 * 1024 and total > self.limits.max_ratio * self._compressed:
            raise PackageRefused(
                _(
                    "El paquete se expande de forma anómala al descomprimirlo (más de %(r)s veces su tamaño; "
                    "posible «bomba ZIP»). Se rechaza."
                )
                % {"r": self.limits.max_ratio},
                code="zip_bomb",
            )

    def _iter_chunks(self, name: str) -> Iterator[bytes]:
        info = self._infos[name]
        declared = info.file_size
        seen = 0
        try:
            with self._zip.open(info) as src:
                while True:
                    chunk = src.read(CHUNK)
                    if not chunk:
                        break
                    seen += len(chunk)
                    if seen > declared:  # the header lied: stop before it costs memory or disk
                        raise PackageRefused(
                            _("El archivo «%(name)s» del paquete está dañado (su tamaño no coincide).")
                            % {"name": name},
                            code="size_mismatch",
                        )
                    yield chunk
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
            raise PackageRefused(
                _("El archivo «%(name)s» del paquete está dañado y no se puede leer.") % {"name": name},
                code="corrupt_entry",
            ) from exc

    def close(self) -> None:
        self._zip.close()


class TarArchive(SafeArchive):
    """A gzip-compressed tar (Open edX exports). Validated in one streamed pass, then unpacked to a private
    temporary folder (tar has no random access), from which files are read."""

    kind = "tar"

    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        super().__init__(path, limits)
        self._tmp = Path(tempfile.mkdtemp(prefix="ruta-tar-"))
        try:
            self._unpack()
        except Exception:
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise

    def _unpack(self) -> None:
        folded: dict[str, str] = {}
        total = 0
        compressed = max(self.path.stat().st_size, 1)
        root = self._tmp.resolve()
        try:
            with tarfile.open(self.path, mode="r|gz") as tar:
                for member in tar:
                    name = check_entry_name(member.name, limits=self.limits)
                    if member.issym() or member.islnk():
                        raise PackageRefused(
                            _("El paquete contiene un enlace simbólico («%(name)s»). Se rechaza por seguridad.")
                            % {"name": member.name},
                            code="special_file",
                            detail=member.name,
                        )
                    if not (member.isfile() or member.isdir()):
                        if member.type in (tarfile.XHDTYPE, tarfile.XGLTYPE):
                            continue
                        raise PackageRefused(
                            _("El paquete contiene un archivo especial («%(name)s»). Se rechaza por seguridad.")
                            % {"name": member.name},
                            code="special_file",
                            detail=member.name,
                        )
                    is_dir = member.isdir()
                    size = 0 if is_dir else member.size
                    if size > self.limits.max_entry_size:
                        raise PackageRefused(
                            _("El archivo «%(name)s» del paquete es demasiado grande.") % {"name": name},
                            code="file_too_large",
                        )
                    total += size
                    self._check_total(total)
                    if total > 1024 * 1024 and total > self.limits.max_ratio * compressed:
                        raise PackageRefused(
                            _(
                                "El paquete se expande de forma anómala al descomprimirlo "
                                "(posible «bomba»). Se rechaza."
                            ),
                            code="zip_bomb",
                        )
                    self._register(ArchiveEntry(name=name, size=size, is_dir=is_dir), folded)
                    target = (root / name).resolve()
                    if root not in target.parents:
                        raise PackageRefused(
                            _("El paquete intenta escribir fuera de su carpeta («%(name)s»). Se rechaza por seguridad.")
                            % {"name": name},
                            code="path_traversal",
                        )
                    if is_dir:
                        target.mkdir(parents=True, exist_ok=True)
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    src = tar.extractfile(member)
                    if src is None:  # pragma: no cover - regular files always have data
                        continue
                    written = 0
                    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                    with os.fdopen(os.open(target, flags, 0o600), "wb") as out:
                        while chunk := src.read(CHUNK):
                            written += len(chunk)
                            if written > size:
                                raise PackageRefused(
                                    _("El archivo «%(name)s» del paquete está dañado (su tamaño no coincide).")
                                    % {"name": name},
                                    code="size_mismatch",
                                )
                            out.write(chunk)
        except (tarfile.TarError, gzip.BadGzipFile, EOFError, OSError, zlib.error) as exc:
            raise PackageRefused(
                _("El archivo no es un paquete comprimido válido (tar.gz) o está dañado."), code="not_an_archive"
            ) from exc

    def _iter_chunks(self, name: str) -> Iterator[bytes]:
        path = self._tmp / name
        with open(path, "rb") as src:
            while chunk := src.read(CHUNK):
                yield chunk

    def close(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)


def sniff_kind(path: Path) -> str:
    """``zip``, ``tar`` (gzip) or ``""``, judged by the first bytes (never by the file name)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head[:2] == b"PK":
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "tar"
    return ""


def open_archive(path: Path | str, *, limits: ArchiveLimits = DEFAULT_LIMITS) -> SafeArchive:
    """Open and validate an uploaded archive, or raise :class:`PackageRefused` with the reason."""
    path = Path(path)
    try:
        kind = sniff_kind(path)
    except OSError as exc:
        raise PackageRefused(_("No se pudo leer el archivo subido."), code="unreadable") from exc
    if kind == "zip":
        return ZipArchive(path, limits)
    if kind == "tar":
        return TarArchive(path, limits)
    raise PackageRefused(
        _(
            "El archivo no es un paquete ZIP (ni un .tar.gz de Open edX). "
            "Suba el paquete tal como lo exporta la herramienta de autor."
        ),
        code="not_an_archive",
    )


@contextmanager
def opened(path: Path | str, *, limits: ArchiveLimits = DEFAULT_LIMITS) -> Iterator[SafeArchive]:
    archive = open_archive(path, limits=limits)
    try:
        yield archive
    finally:
        archive.close()


def parent_dir(name: str) -> str:
    parent = str(PurePosixPath(name).parent)
    return "" if parent == "." else parent
