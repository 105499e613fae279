"""Lesson media that came inside a package (the images, PDFs, audio and video its rich text refers to).

They are kept in the private storage under ``paquetes/medios/`` (never under ``MEDIA_URL``) and served by
:func:`lesson_media` at ``/paquetes/medios/<owner>/<file>``: only the allowed types, with the type taken from
the allow-list (never from the bytes or the browser's guess), ``nosniff`` and a sandboxing
Content-Security-Policy, so a ``.png`` that is really HTML can never run on Ruta's origin. They are course
content, not personal data: anyone who can open the lesson may load them, like Wagtail image renditions.

Must not import courses or certification.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote

from django.core.files.base import ContentFile
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lms.files import private_file_response, private_storage

from .archive import check_entry_name
from .errors import PackageRefused

PREFIX = "paquetes/medios/"
#: extension → (content type, shown inline). PDFs download: a sandboxed document cannot show them.
TYPES: dict[str, tuple[str, bool]] = {
    ".png": ("image/png", True),
    ".jpg": ("image/jpeg", True),
    ".jpeg": ("image/jpeg", True),
    ".gif": ("image/gif", True),
    ".webp": ("image/webp", True),
    ".pdf": ("application/pdf", False),
    ".mp3": ("audio/mpeg", True),
    ".mp4": ("video/mp4", True),
    ".m4a": ("audio/mp4", True),
    ".ogg": ("audio/ogg", True),
    ".webm": ("video/webm", True),
    ".txt": ("text/plain; charset=utf-8", True),
}
STORED_MEDIA = tuple(TYPES)


def lesson_media_url(name: str) -> str:
    """The address of a stored lesson media file (``paquetes/medios/…``)."""
    return reverse("packages:lesson_media", kwargs={"path": name.removeprefix(PREFIX)})


def lesson_media_save(*, name: str, data: bytes) -> tuple[str, str]:
    """Store one media file under ``paquetes/medios/<name>``; returns (stored name, URL)."""
    stored = private_storage().save(f"{PREFIX}{name}", ContentFile(data))
    return stored, lesson_media_url(stored)


def lesson_media_delete(name: str) -> None:
    private_storage().delete(name)


def lesson_media_entry(path: str) -> str:
    """The stored name (``paquetes/medios/…``) of a path under ``/paquetes/medios/``, already URL-decoded; raises
    :class:`PackageRefused` for anything that would leave that folder (``..``, an absolute path, backslashes,
    control characters). The one check for the view and for every link mapped to a stored file."""
    return PREFIX + check_entry_name(path)


def _lesson_media_base() -> str:
    return reverse("packages:lesson_media", kwargs={"path": "x"})[:-1]


def lesson_media_name(url: str) -> str | None:
    """The stored name behind a lesson media URL, or None when the URL is not one.

    The rest of the URL is decoded as the server would (``%2e%2e`` is ``..``) and checked like the view does:
    raises :class:`PackageRefused` when it would name a file outside ``paquetes/medios/`` (e.g.
    ``/paquetes/medios/../../certificados/…``), so an export can never pack another private file."""
    base = _lesson_media_base()
    if not url.startswith(base):
        return None
    path = url[len(base) :].split("?", 1)[0].split("#", 1)[0]
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError as exc:
        raise PackageRefused(
            _("El enlace «%(name)s» no nombra un archivo válido.") % {"name": url}, code="bad_name", detail=url
        ) from exc
    return lesson_media_entry(decoded)


def lesson_media_open(name: str):  # noqa: ANN201 - a storage file
    return private_storage().open(name, "rb")


def lesson_media_exists(name: str) -> bool:
    return private_storage().exists(name)


@require_GET
def lesson_media(request: HttpRequest, path: str) -> HttpResponseBase:
    try:
        name = lesson_media_entry(path)
    except PackageRefused as exc:
        raise Http404 from exc
    ext = posixpath.splitext(name)[1].lower()
    if ext not in TYPES or not private_storage().exists(name):
        raise Http404
    content_type, inline = TYPES[ext]
    return private_file_response(
        private_storage().open(name, "rb"),
        filename=posixpath.basename(name),
        content_type=content_type,
        inline=inline,
        cache="public, max-age=604800, immutable",  # the name carries the content hash
    )
