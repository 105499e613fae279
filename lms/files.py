"""Private files: where uploaded and generated files live, and how a view hands one out.

Every file a person uploads or Ruta generates about a person (package files, competency evidence and
documents, cohort import rosters, certificate PDFs/PNGs) is stored in the ``"private"`` storage of
``settings.STORAGES``: outside ``MEDIA_ROOT`` (or a private S3 prefix), so no web server or ``/media/`` URL ever
serves it. Views that have checked permission send it with :func:`private_file_response`, which makes sure the
browser can neither run it with Ruta's origin nor guess a type the file does not have.

The bottom layer of the import-linter contract: imports only Django.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, cast

from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.utils.functional import LazyObject, empty

#: For a file opened directly: no scripts, no plugins, an opaque origin (no cookies, no same-origin requests).
#: Images, audio and video still display; anything else is a download anyway.
SANDBOX_CSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up on first use like Django's ``default_storage``, so FileFields follow a
    change of ``STORAGES`` (tests point it at a temporary folder)."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]


_private = _PrivateStorage()


@receiver(setting_changed)
def _private_storage_reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty  # type: ignore[assignment]  # LazyObject's own "not set up" marker


def private_storage() -> Storage:
    """The storage for files that must never be reachable by URL (a callable, so models and migrations name it)."""
    return cast(Storage, _private)


def storage_walk(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name under ``folder`` of ``storage`` (subfolders too), as the storage names them
    (``folder/sub/name``); nothing when the folder does not exist."""
    folder = folder.rstrip("/")
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from storage_walk(storage, f"{folder}/{sub}" if folder else sub)


def harden(response: HttpResponseBase, *, cache: str = "private, no-store") -> HttpResponseBase:
    """Headers for a user-supplied or personal file served by a view."""
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = cache
    return response


def private_file_response(
    file: Any,
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
    cache: str = "private, no-store",
) -> HttpResponseBase:
    """Stream an open binary file (or a FieldFile, opened here) as a download, or inline for images/audio/video/text.

    ``content_type`` must be the type the bytes were checked to be, and ``filename`` should end with the
    matching extension (see :func:`truthful_name`): the browser trusts neither the extension nor sniffing.
    """
    handle = file.open("rb") if hasattr(file, "storage") else file
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    return harden(response, cache=cache)


def truthful_name(original: str, extension: str, *, fallback: str = "archivo") -> str:
    """The name a person gave a file, with the extension of what it really is (``foto.html`` holding a JPEG is
    offered as ``foto.jpg``), so a download never opens as something else."""
    stem = os.path.splitext(os.path.basename(original or "").strip())[0].strip(" .") or fallback
    extension = extension.lstrip(".").lower()
    return f"{stem[:150]}.{extension}" if extension else stem[:150]
