"""Checks on uploaded evidence and documents: type sniffed from the bytes, size limit, safe stored names.

Only photos (JPEG, PNG, WebP) and PDF are accepted; HTML, SVG and anything else are refused whatever their
extension, and stored files are only ever served as attachments (see ``views.evidence_download``).

Photos lose their metadata before they are stored (``strip_metadata``): a phone photo's EXIF carries where it was
taken (GPS) and the phone's make, model and serial numbers, and candidates are vulnerable migrants whose photos
are often taken at home. PDFs are stored as they are.
"""

from __future__ import annotations

import io
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, JpegImagePlugin

logger = logging.getLogger(__name__)

#: magic bytes → (content type, extension, is a photo)
_SIGNATURES: list[tuple[bytes, str, str, bool]] = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg", True),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png", True),
    (b"%PDF-", "application/pdf", "pdf", False),
]


#: ISO-BMFF brands of HEIC/HEIF photos (what an iPhone saves by default); AVIF ("avif") is not among them.
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"})


def is_heif(head: bytes, name: str = "") -> bool:
    """Whether the first bytes (or, failing them, the name) show an iPhone HEIC/HEIF photo."""
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return True
    return os.path.splitext(name or "")[1].lower() in (".heic", ".heif")


def max_upload_bytes() -> int:
    return int(getattr(settings, "RUTA_COMPETENCY_MAX_UPLOAD_MB", 8)) * 1024 * 1024


#: What one application may hold: the documents sent with it, and the evidence files each person (the candidate,
#: the evaluator) adds to it. Links are not counted.
MAX_FILES_PER_APPLICATION = 20
MAX_MB_PER_APPLICATION = 100


def sniff(head: bytes) -> tuple[str, str, bool] | None:
    """The (content type, extension, is photo) the first bytes prove, or None for anything not allowed."""
    for magic, content_type, ext, photo in _SIGNATURES:
        if head.startswith(magic):
            return content_type, ext, photo
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp", True
    return None


def validate_upload(upload: UploadedFile) -> tuple[str, str, bool]:
    """Raise ValidationError unless the file is an allowed type within the size limit; return its sniffed type."""
    if upload.size is None or upload.size > max_upload_bytes():
        raise ValidationError(
            _("El archivo pesa más de %(mb)s MB. Reduce su tamaño o súbelo en partes.")
            % {"mb": max_upload_bytes() // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        if is_heif(head, upload.name or ""):
            # pillow-heif is not a dependency of Ruta, so the photo is not converted here: say how to send it.
            raise ValidationError(
                _(
                    "Las fotos HEIC del iPhone no se aceptan: envíala como JPG. Elígela desde «Fototeca» en lugar "
                    "de «Archivos» (el iPhone la convierte sola) o sube una captura de pantalla de la foto. Para tus "
                    "próximas fotos: Ajustes › Cámara › Formatos › «Más compatible»."
                )
            )
        raise ValidationError(_("Solo se aceptan fotos (JPG, PNG, WebP) o documentos PDF."))
    return found


def validate_uploads(
    files: Iterable[UploadedFile], *, count_before: int = 0, bytes_before: int = 0
) -> list[tuple[UploadedFile, str, str, bool]]:
    """Check every file (type, size, and the per-application limits counting what is already stored) before any is
    saved; return each with its sniffed (content type, extension, is photo). Raise ValidationError naming the first
    refused file."""
    files = [f for f in files if f]
    if not files:
        return []
    total = bytes_before + sum(f.size or 0 for f in files)
    if count_before + len(files) > MAX_FILES_PER_APPLICATION or total > MAX_MB_PER_APPLICATION * 1024 * 1024:
        raise ValidationError(limit_message(count_before, bytes_before))
    checked = []
    for upload in files:
        try:
            checked.append((upload, *validate_upload(upload)))
        except ValidationError as exc:
            if len(files) == 1:
                raise
            raise ValidationError(
                _("«%(name)s»: %(problem)s") % {"name": display_name(upload.name or ""), "problem": exc.messages[0]}
            ) from exc
    for upload, content_type, _ext, photo in checked:
        if photo:
            strip_metadata(upload, content_type)
    return checked


#: Photos with more pixels than this are not decoded (too much memory for a web worker): a JPEG is cleaned at the
#: byte level instead (``_jpeg_without_metadata_segments``); few phone photos within the size limit have that many.
MAX_PIXELS_TO_REENCODE = 50_000_000


def strip_metadata(upload: UploadedFile, content_type: str) -> None:
    """Replace the upload's bytes, in place, with the same photo without metadata (EXIF with GPS, maker notes,
    XMP, IPTC, comments, trailing data): re-encoded with Pillow, turned as its EXIF orientation said (so it still
    shows upright without it), JPEG with the original's quantisation tables (same quality and about the same size),
    PNG and lossless WebP losslessly. A photo Pillow cannot decode keeps its bytes, minus any JPEG metadata
    segments that can be found."""
    upload.seek(0)
    data = upload.read()
    try:
        cleaned = _reencoded(data, content_type)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, EOFError) as exc:
        logger.info("Photo not re-encoded (%s): only its metadata segments are removed", exc)
        cleaned = _jpeg_without_metadata_segments(data, _orientation(data)) if content_type == "image/jpeg" else data
    if cleaned == data:
        upload.seek(0)
        return
    file = upload.file
    file.seek(0)
    file.truncate()
    file.write(cleaned)
    file.flush()
    file.seek(0)
    upload.size = len(cleaned)


def _reencoded(data: bytes, content_type: str) -> bytes:
    with Image.open(io.BytesIO(data)) as original:
        if original.width * original.height > MAX_PIXELS_TO_REENCODE:
            raise ValueError("too many pixels to re-encode")
        original.load()
        icc_profile = original.info.get("icc_profile")
        transparency = original.info.get("transparency")
        options: dict = {}
        if content_type == "image/jpeg" and isinstance(original, JpegImagePlugin.JpegImageFile):
            options = {
                "qtables": original.quantization or None,
                "subsampling": JpegImagePlugin.get_sampling(original),
                "progressive": bool(original.info.get("progressive")),
            }
            if not options["qtables"]:
                del options["qtables"]
                options["quality"] = 90
        elif content_type == "image/webp":
            lossless = b"VP8L" in data[12:16]
            options = {"lossless": True} if lossless else {"quality": 90}
        image = ImageOps.exif_transpose(original) or original
        # Nothing of the original's metadata is carried over (Pillow would copy the JPEG comment from ``info``).
        image.info = {}
        if icc_profile:
            options["icc_profile"] = icc_profile
        if transparency is not None and content_type == "image/png":
            options["transparency"] = transparency
        out = io.BytesIO()
        image.save(
            out, format={"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[content_type], **options
        )
    return out.getvalue()


#: JPEG segments kept by the byte-level clean-up: JFIF (APP0), the colour profile (APP2 "ICC_PROFILE") and
#: Adobe's colour transform (APP14). Every other APPn (EXIF, XMP, IPTC, maker data) and comments go.
def _keep_jpeg_segment(marker: int, payload: bytes) -> bool:
    if marker == 0xE0 or marker == 0xEE:
        return True
    if marker == 0xE2:
        return payload.startswith(b"ICC_PROFILE\x00")
    return not (0xE1 <= marker <= 0xEF or marker == 0xFE)


def _orientation(data: bytes) -> int:
    """The EXIF orientation of a photo (1 when it has none or it cannot be read); reads the header only."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            value = image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - a photo we cannot read is simply not turned
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _jpeg_without_metadata_segments(data: bytes, orientation: int = 1) -> bytes:
    """The JPEG with its metadata segments removed, up to the first segment that cannot be parsed (the rest is
    kept as it is). A turned photo gets a minimal EXIF back holding only its orientation, so it still shows upright."""
    out = bytearray(data[:2])
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the picture itself follows
            break
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 2 + length > len(data):
            break
        segment = data[pos : pos + 2 + length]
        if _keep_jpeg_segment(marker, segment[4:]):
            out += segment
        pos += 2 + length
    out += data[pos:]
    if orientation != 1:
        exif = Image.Exif()
        exif[0x0112] = orientation
        payload = b"Exif\x00\x00" + exif.tobytes()
        # After the JFIF header when there is one (it must come first), else right after the start marker.
        at = 2 + (2 + int.from_bytes(out[4:6], "big") if out[2:4] == b"\xff\xe0" else 0)
        out[at:at] = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return bytes(out)


def limit_message(count_before: int, bytes_before: int) -> str:
    message = _("Una postulación admite hasta %(files)s archivos y %(mb)s MB en total.") % {
        "files": MAX_FILES_PER_APPLICATION,
        "mb": MAX_MB_PER_APPLICATION,
    }
    if count_before:
        message += " " + _(
            "Ya subiste %(count)s archivos (%(used)s MB). Para mostrar más, comparte un enlace (https://) a una "
            "carpeta en línea."
        ) % {"count": count_before, "used": round(bytes_before / (1024 * 1024), 1)}
    else:
        message += " " + _("Envía menos archivos o reduce su tamaño.")
    return message


def delete_stored(storage: Storage, names: Iterable[str]) -> None:
    """Remove files saved for a write that then failed (best effort: a file already gone is no error)."""
    for name in filter(None, names):
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - never hide the error that made the write fail
            logger.warning("Could not delete %s after a failed upload", name, exc_info=True)


@contextmanager
def removed_if_write_fails(storage: Storage) -> Iterator[list[str]]:
    """A list the write appends each stored file name to; if the write then fails (its transaction rolled back),
    those files are deleted before the error goes on, so no file is kept that no row points to."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        delete_stored(storage, stored)
        raise


def safe_name(original: str, ext: str) -> str:
    """A random stored name with the sniffed extension (the user's name is kept only as metadata)."""
    return f"{uuid.uuid4().hex}.{ext}"


def display_name(original: str) -> str:
    return os.path.basename(original or "")[:200]
