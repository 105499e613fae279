"""Checks on uploaded evidence and documents: type sniffed from the bytes, size limit, safe stored names.

Only photos (JPEG, PNG, WebP) and PDF are accepted; HTML, SVG and anything else are refused whatever their
extension, and stored files are only ever served as attachments (see ``views.evidence_download``).
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

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


def safe_name(original: str, ext: str) -> str:
    """A random stored name with the sniffed extension (the user's name is kept only as metadata)."""
    return f"{uuid.uuid4().hex}.{ext}"


def display_name(original: str) -> str:
    return os.path.basename(original or "")[:200]
