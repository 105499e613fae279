"""The package doctor: what is this file, can Ruta import it, and what will be lost?

``package_inspect(path)`` opens the archive safely, detects the format (SCORM 1.2, SCORM 2004 2nd/3rd/4th
Edition, H5P, Open edX OLX course or library, Ruta package; cmi5, xAPI/Tin Can, AICC, IMS Common Cartridge,
QTI and Moodle course backups (.mbz) are recognised and refused with a reason), parses it into an outline, and
returns a ``DoctorReport``: findings (info / warning / error, in Spanish for an institution admin), launch files,
sizes, and the outline.
A report with an error finding is not importable.

Pure: no Django models. Must not import courses or certification.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from .archive import DEFAULT_LIMITS, ArchiveLimits, SafeArchive, open_archive
from .errors import PackageRefused
from .h5p import MAX_JSON, parse_h5p
from .olx import find_olx_root, parse_olx
from .outline import Outline, PackagePlayer, outline_to_dict
from .report import ERROR, Finding, Findings
from .ruta import MANIFEST as RUTA_MANIFEST
from .ruta import parse_ruta
from .safexml import html_is_active, local, namespace, parse_xml, svg_is_active
from .scorm import parse_scorm_manifest

logger = logging.getLogger(__name__)

#: what a parser raises when a package's data has a shape it did not expect; ``package_inspect`` refuses the
#: package with a reason instead (the parsers type-check what they read, this is the net under them)
MALFORMED = (TypeError, ValueError, KeyError, AttributeError, IndexError)

HEAVY_FILE = 20 * 1024 * 1024  # a learner on mobile data should be warned above this

#: at the root of every Moodle course backup (.mbz: a gzip'd tar, a zip before Moodle 2.6)
MOODLE_BACKUP = "moodle_backup.xml"

FORMAT_LABELS = {
    "scorm12": "SCORM 1.2",
    "scorm2004": "SCORM 2004",
    "h5p": "H5P",
    "olx": "Open edX (OLX)",
    "ruta": "Paquete Ruta",
    "cmi5": "cmi5",
    "xapi": "xAPI / Tin Can",
    "aicc": "AICC",
    "cc": "IMS Common Cartridge",
    "qti": "IMS QTI",
    "moodle": "Moodle (.mbz)",
    "": "",
}


@dataclass
class DoctorReport:
    format: str = ""
    version: str = ""
    title: str = ""
    findings: list[Finding] = field(default_factory=list)
    outline: Outline | None = None
    launch_files: list[str] = field(default_factory=list)
    file_count: int = 0
    total_size: int = 0

    @property
    def importable(self) -> bool:
        return self.outline is not None and not any(f.level == ERROR for f in self.findings)

    @property
    def format_label(self) -> str:
        label = FORMAT_LABELS.get(self.format, self.format)
        return f"{label} ({self.version})" if self.version and self.format in ("scorm2004",) else label

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == ERROR]

    @property
    def refusal(self) -> str:
        return "\n".join(f.message for f in self.errors)

    def codes(self, level: str | None = None) -> list[str]:
        return [f.code for f in self.findings if level is None or f.level == level]

    def as_dict(self) -> dict[str, Any]:
        outline = self.outline
        return {
            "format": self.format,
            "format_label": self.format_label,
            "version": self.version,
            "title": self.title,
            "importable": self.importable,
            "file_count": self.file_count,
            "total_size": self.total_size,
            "launch_files": self.launch_files,
            "findings": [f.as_dict() for f in self.findings],
            "counts": {
                "modules": len(outline.modules) if outline else 0,
                "lessons": len(outline.lessons()) if outline else 0,
                "activities": len(outline.activities()) if outline else 0,
                "unsupported": len(outline.unsupported()) if outline else 0,
            },
            "outline": outline_to_dict(outline) if outline else None,
        }


def _refuse(report: DoctorReport, fmt: str, code: str, message: str) -> DoctorReport:
    report.format = fmt
    report.findings.append(Finding(level=ERROR, code=code, message=str(message)))
    return report


def package_inspect(path: Path | str, *, limits: ArchiveLimits = DEFAULT_LIMITS) -> DoctorReport:
    """Inspect an uploaded file. Never raises for a bad package: the refusal is an error finding."""
    report = DoctorReport()
    try:
        with open_archive(path, limits=limits) as archive:
            report.file_count = len(archive.names())
            report.total_size = archive.total_size()
            return _inspect(archive, report)
    except PackageRefused as refusal:
        report.findings.append(Finding(level=ERROR, code=refusal.code, message=str(refusal.reason)))
        report.outline = None
        return report
    except RecursionError:  # JSON or markup nested thousands of levels deep: built to break parsers
        message = _("El paquete tiene datos anidados a una profundidad absurda: no se puede leer con seguridad.")
        report.findings.append(Finding(level=ERROR, code="too_deep", message=str(message)))
        report.outline = None
        return report
    except MALFORMED as exc:  # a shape no parser expected (a list where an object belongs…): refuse, never crash
        logger.warning("package %s has malformed data: %s: %s", Path(path).name, type(exc).__name__, exc, exc_info=True)
        message = _(
            "El paquete tiene datos con una estructura no válida: algún archivo de datos (JSON o XML) no tiene la "
            "forma que define su formato. Vuelva a exportarlo desde la herramienta de autor."
        )
        report.findings.append(Finding(level=ERROR, code="malformed_data", message=str(message)))
        report.outline = None
        return report


def _inspect(archive: SafeArchive, report: DoctorReport) -> DoctorReport:
    names = archive.names()
    root_names = set(names)
    findings = Findings()
    if not names:
        return _refuse(report, "", "empty", _("El paquete está vacío."))

    # Before the OLX test: a Moodle backup has course/course.xml too, and was refused as an empty Open edX course.
    if _is_moodle_backup(names):
        return _refuse(
            report,
            "moodle",
            "moodle_unsupported",
            _(
                "Es una copia de seguridad de un curso de Moodle (.mbz). Ruta no importa copias de seguridad de "
                "Moodle. Desde Moodle, descargue los paquetes SCORM o H5P que usa el curso y súbalos aquí uno por "
                "uno, o pida el curso en un formato que Ruta importa: SCORM 1.2 o 2004, H5P, curso de Open edX o "
                "paquete Ruta."
            ),
        )

    olx_root = find_olx_root(names)
    if archive.kind == "tar" and olx_root is None:
        return _refuse(
            report, "", "unknown_format", _("El archivo .tar.gz no contiene un curso ni una biblioteca de Open edX.")
        )

    if RUTA_MANIFEST in root_names:
        parsed = parse_ruta(archive)
        report.format, report.version = "ruta", str(parsed.manifest.get("format_version"))
        outline, more = parsed.outline, parsed.findings
    elif "h5p.json" in root_names:
        parsed_h5p = parse_h5p(archive)
        report.format, report.version = "h5p", parsed_h5p.main_library
        outline, more = parsed_h5p.outline, parsed_h5p.findings
    elif "imsmanifest.xml" in root_names:
        data = archive.read("imsmanifest.xml")
        other = _other_ims(data)
        if other:
            return _refuse(report, other[0], f"{other[0]}_unsupported", other[1])
        parsed_scorm = parse_scorm_manifest(data, names=root_names)
        report.format, report.version = parsed_scorm.outline.format, parsed_scorm.outline.format_version
        outline, more = parsed_scorm.outline, parsed_scorm.findings
    elif olx_root is not None:
        parsed_olx = parse_olx(archive)
        report.format, report.version = "olx", parsed_olx.outline.format_version
        outline, more = parsed_olx.outline, parsed_olx.findings
    else:
        return _refuse_unknown(report, names, lambda n: archive.read(n)[:4096])

    findings.extend(more)
    report.outline = outline
    report.title = outline.title
    report.launch_files = sorted({b.launch for b in outline.blocks() if isinstance(b, PackagePlayer) and b.launch})
    _check_files(archive, outline, findings)
    _check_external(archive, report.format, findings)
    report.findings.extend(findings.items)
    if outline is not None and not outline.lessons():
        report.findings.append(
            Finding(
                level=ERROR,
                code="no_lessons",
                message=_("El paquete no tiene ninguna lección que Ruta pueda importar."),
            )
        )
    return report


def _is_moodle_backup(names: list[str]) -> bool:
    """``moodle_backup.xml`` at the root, or one folder down (a backup unpacked and zipped again with its folder)."""
    return any(posixpath.basename(n) == MOODLE_BACKUP and n.count("/") <= 1 for n in names)


def _other_ims(manifest: bytes) -> tuple[str, str] | None:
    """Common Cartridge and QTI packages also have an imsmanifest.xml: recognise and refuse them."""
    try:
        root = parse_xml(manifest, name="imsmanifest.xml")
    except PackageRefused:
        return None  # the SCORM parser reports the malformed manifest itself
    ns = namespace(root.tag).lower()
    schema = ""
    for el in root.iter():
        if local(el.tag) == "schema":
            schema = (el.text or "").lower()
            break
    types = {(el.get("type") or "").lower() for el in root.iter() if local(el.tag) == "resource"}
    if (
        "imscc" in ns
        or "common cartridge" in schema
        or any(t.startswith(("imsdt", "imswl", "imsbasiclti")) for t in types)
    ):
        return (
            "cc",
            _(
                "Es un paquete IMS Common Cartridge (por ejemplo, exportado de Canvas o Moodle). Ruta todavía no "
                "importa Common Cartridge: exporte el curso como SCORM o pida el paquete Ruta "
                "a la institución de origen."
            ),
        )
    if "qti" in schema or any(t.startswith("imsqti") for t in types):
        return (
            "qti",
            _("Es un banco de preguntas IMS QTI. Ruta todavía no importa QTI: exporte las preguntas como H5P o SCORM."),
        )
    return None


def _looks_like_qti(head: bytes) -> bool:
    return b"questestinterop" in head or b"assessmentItem" in head


def _refuse_unknown(report: DoctorReport, names: list[str], archive_read: Any) -> DoctorReport:
    bases = {posixpath.basename(n).lower() for n in names}
    if "cmi5.xml" in bases or any(n.lower().endswith(".xml") and "cmi5" in n.lower() for n in names):
        return _refuse(
            report,
            "cmi5",
            "cmi5_unsupported",
            _("Es un curso cmi5. Ruta todavía no reproduce cmi5: pida a la institución de origen una versión SCORM."),
        )
    if "tincan.xml" in bases:
        return _refuse(
            report,
            "xapi",
            "xapi_unsupported",
            _("Es un paquete xAPI (Tin Can). Ruta todavía no lo reproduce: pida una versión SCORM del mismo curso."),
        )
    if any(n.lower().endswith((".crs", ".au", ".cst", ".des")) for n in names):
        return _refuse(
            report,
            "aicc",
            "aicc_unsupported",
            _("Es un curso AICC, un formato antiguo que Ruta no reproduce. Pida una versión SCORM del mismo curso."),
        )
    xml_names = [n for n in names if n.lower().endswith(".xml")][:5]
    if xml_names and all(_looks_like_qti(archive_read(n)) for n in xml_names[:1]):
        return _refuse(
            report,
            "qti",
            "qti_unsupported",
            _("Es un banco de preguntas IMS QTI. Ruta todavía no importa QTI: exporte las preguntas como H5P o SCORM."),
        )
    nested = sorted(n for n in names if posixpath.basename(n) in ("imsmanifest.xml", "h5p.json", "course.xml"))
    if nested:
        folders = sorted({posixpath.dirname(n) for n in nested})
        if len(folders) > 1:
            return _refuse(
                report,
                "",
                "several_packages",
                _("El archivo contiene varios paquetes en carpetas distintas (%(n)s). Suba cada paquete por separado.")
                % {"n": len(folders)},
            )
        return _refuse(
            report,
            "",
            "nested_manifest",
            _(
                "El manifiesto del paquete está dentro de la carpeta «%(d)s» y no en la raíz del ZIP. "
                "Comprima el contenido de esa carpeta (no la carpeta) y vuelva a subirlo."
            )
            % {"d": folders[0]},
        )
    return _refuse(
        report,
        "",
        "unknown_format",
        _(
            "No se reconoce el formato del paquete: no contiene imsmanifest.xml (SCORM), h5p.json (H5P), course.xml "
            "(Open edX) ni ruta-package.json (Ruta)."
        ),
    )


def _check_files(archive: SafeArchive, outline: Outline, findings: Findings) -> None:
    heavy = [(n, archive.size(n)) for n in archive.names() if archive.size(n) > HEAVY_FILE]
    for name, size in heavy:
        findings.warning(
            "heavy_file",
            _("El archivo «%(f)s» pesa %(mb).0f MB: será costoso para quien estudie con datos móviles.")
            % {"f": name, "mb": size / (1024 * 1024)},
            path=name,
        )
    active: list[str] = []
    for name in archive.names():
        low = name.lower()
        if low.endswith(".svg") and archive.size(name) < 5 * 1024 * 1024 and svg_is_active(archive.read(name)):
            active.append(name)
    if active:
        findings.warning(
            "active_svg",
            _(
                "%(n)s imagen(es) SVG contienen código (%(f)s). Se neutralizan: Ruta nunca las muestra incrustadas "
                "en sus páginas; solo se abren aisladas dentro del reproductor del paquete."
            )
            % {"n": len(active), "f": ", ".join(active[:3])},
        )
    media_active = [
        m.path
        for m in outline.media
        if m.path.lower().endswith((".html", ".htm", ".svg", ".xml", ".js"))
        and archive.has(m.path)
        and (html_is_active(archive.read(m.path)) or m.path.lower().endswith(".js"))
    ]
    if media_active:
        findings.warning(
            "active_media",
            _(
                "%(n)s archivo(s) enlazados contienen código (%(f)s); se servirán como descarga aislada, "
                "nunca como página."
            )
            % {"n": len(media_active), "f": ", ".join(media_active[:3])},
        )


# --- resources loaded from the Internet --------------------------------------------------------------------

#: the files scanned for resources loaded from elsewhere, and how much of them is read (the doctor stays bounded)
SCANNED_SUFFIXES = (".html", ".htm", ".xhtml", ".js", ".css")
SCAN_FILE_MAX = 2 * 1024 * 1024  # a larger page or script is not read (bundled libraries, not course pages)
SCAN_TOTAL_MAX = 64 * 1024 * 1024  # at most this much is read per package, whatever the number of files
EXTERNAL_NAMED = 5  # hosts named in the finding, the rest counted

#: schema and namespace identifiers: they look like URLs but nothing is ever loaded from them
SCHEMA_HOSTS = frozenset(
    {"www.w3.org", "w3.org", "www.imsglobal.org", "imsglobal.org", "www.adlnet.org", "adlnet.org", "purl.org",
     "ltsc.ieee.org", "ns.adobe.com", "schemas.xmlsoap.org"}
)  # fmt: skip

_URL = r"""\s*["']?\s*((?:https?:)?//[^\s"'<>)\\]+)"""
#: comments and the doctype: URLs there are never fetched (the DTD, a commented-out YouTube frame in H5P.Video)
_COMMENTS = ((b"<!--", b"-->"), (b"<!doctype", b">"))
_BLOCK_COMMENTS = ((b"/*", b"*/"),)  # in scripts and style sheets only
_LINE_COMMENT = re.compile(rb"^[ \t]*//[^\n]*", re.MULTILINE)
_ATTRS = r"[^<>]{0,4000}?"  # a tag's attributes, ending at the next tag: unclosed tags cannot make the scan quadratic
#: markup that makes the browser fetch: scripts, frames, images and media (also inside scripts' document.write)
_FETCHING_TAG = re.compile(
    r"<(?:script|img|iframe|frame|video|audio|source|track|embed|input)\b" + _ATTRS + r"\s(?:src|poster)\s*=" + _URL,
    re.IGNORECASE,
)
_OBJECT_TAG = re.compile(r"<object\b" + _ATTRS + r"\sdata\s*=" + _URL, re.IGNORECASE)
_LINK_TAG = re.compile(r"<link\b[^<>]{0,4000}>", re.IGNORECASE)
_LINK_REL = re.compile(r"""\srel\s*=\s*["']?([^"'>]*)""", re.IGNORECASE)
_LINK_HREF = re.compile(r"\shref\s*=" + _URL, re.IGNORECASE)
_LOADING_RELS = {"stylesheet", "icon", "preload", "modulepreload", "import", "manifest", "prefetch"}
_CSS_URL = re.compile(r"(?:url\(|@import\s)" + _URL, re.IGNORECASE)


def _strip(raw: bytes, pairs: tuple[tuple[bytes, bytes], ...]) -> bytes:
    """``raw`` without what lies between each pair of markers (an unclosed one runs to the end), in linear time."""
    low = raw.lower()  # bytes.lower() keeps every offset
    out: list[bytes] = []
    at = 0
    following = {opening: low.find(opening) for opening, _closing in pairs}  # next place of each opening marker
    while True:
        for opening in following:
            if 0 <= following[opening] < at:  # inside a stretch already cut: look again after it
                following[opening] = low.find(opening, at)
        found = [(following[o], o, c) for o, c in pairs if following[o] >= 0]
        if not found:
            out.append(raw[at:])
            return b" ".join(out)
        start, opening, closing = min(found)
        out.append(raw[at:start])
        end = low.find(closing, start + len(opening))
        if end < 0:
            return b" ".join(out)
        at = end + len(closing)
        following[opening] = low.find(opening, at)


def _host(url: str) -> str:
    try:
        host = (urlsplit(url if "://" in url else "https:" + url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    return "" if host in SCHEMA_HOSTS else host


def external_hosts_in_markup(text: str) -> set[str]:
    """Hosts a page, script or style sheet loads files from (not the pages it merely links to)."""
    urls = [m.group(1) for m in _FETCHING_TAG.finditer(text)]
    urls += [m.group(1) for m in _OBJECT_TAG.finditer(text)]
    urls += [m.group(1) for m in _CSS_URL.finditer(text)]
    for tag in _LINK_TAG.finditer(text):
        rel = _LINK_REL.search(tag.group(0))
        href = _LINK_HREF.search(tag.group(0))
        if rel and href and _LOADING_RELS & set(rel.group(1).lower().split()):
            urls.append(href.group(1))
    return {h for h in map(_host, urls) if h}


def _h5p_strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _h5p_strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _h5p_strings(v, key)
    elif isinstance(value, str):
        yield key, value


def external_hosts_in_h5p_content(data: Any) -> set[str]:
    """Hosts an H5P content.json takes media from: absolute ``path``/``url`` values and markup in its texts."""
    hosts: set[str] = set()
    for key, text in _h5p_strings(data):
        stripped = text.strip()
        if key in ("path", "url") and stripped.lower().startswith(("http://", "https://")):
            hosts.add(_host(stripped))
        elif "<" in text:
            hosts |= external_hosts_in_markup(text)
    return {h for h in hosts if h}


def package_external_hosts(archive: SafeArchive, fmt: str) -> set[str]:
    """Every host the package's pages, scripts, styles (and H5P content) load files from, reading at most
    ``SCAN_FILE_MAX`` per file and ``SCAN_TOTAL_MAX`` in all."""
    hosts: set[str] = set()
    budget = SCAN_TOTAL_MAX
    if fmt == "h5p" and archive.has("content/content.json"):
        size = archive.size("content/content.json")
        if size <= MAX_JSON:
            budget -= size
            try:
                data = json.loads(archive.read("content/content.json", max_size=MAX_JSON).decode("utf-8-sig"))
            except ValueError:
                data = None  # the H5P parser reports the broken content itself
            hosts |= external_hosts_in_h5p_content(data)
    for name in archive.names():
        size = archive.size(name)
        if not name.lower().endswith(SCANNED_SUFFIXES) or size > SCAN_FILE_MAX or size > budget:
            continue
        budget -= size
        raw = _LINE_COMMENT.sub(b" ", _strip(archive.read(name, max_size=SCAN_FILE_MAX), _COMMENTS))
        if name.lower().endswith((".js", ".css")):
            raw = _strip(raw, _BLOCK_COMMENTS)
        hosts |= external_hosts_in_markup(raw.decode("utf-8", errors="replace"))
    return hosts


def _check_external(archive: SafeArchive, fmt: str, findings: Findings) -> None:
    """One warning naming the sites a package loads files from: offline it breaks (a SCORM page whose script
    library is on a CDN never starts its session, so nothing is recorded), and each learner's browser contacts them."""
    if fmt == "olx":
        return  # an Open edX course becomes Ruta lessons: its HTML is cleaned into rich text, its static files unused
    hosts = sorted(package_external_hosts(archive, fmt))
    if not hosts:
        return
    named = ", ".join(hosts[:EXTERNAL_NAMED])
    if len(hosts) > EXTERNAL_NAMED:
        named = _("%(hosts)s y %(n)s más") % {"hosts": named, "n": len(hosts) - EXTERNAL_NAMED}
    findings.warning(
        "external_resources",
        _(
            "El paquete carga archivos de Internet (%(hosts)s): sin conexión no funcionará bien (puede no registrar "
            "el avance) y el navegador de cada participante se conectará a esos sitios. Pida una versión con todos "
            "sus archivos dentro."
        )
        % {"hosts": named},
    )
