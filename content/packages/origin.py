"""The package origin: an optional second host name that serves only package files (``RUTA_PACKAGE_ORIGIN``).

Empty (the default), packages play as they always did: files on Ruta's own host under ``/paquetes/``, in a frame
sandboxed *without* ``allow-same-origin`` (an opaque origin, which no service worker ever serves, so packages
cannot be played offline). Set (``DJANGO_PACKAGE_ORIGIN=https://paquetes.example.org``), package files and the
H5P frame are addressed on that origin, and the frame may carry ``allow-same-origin``: its origin is the package
origin, never Ruta's, so package scripts still never run with Ruta's origin (no session, no CSRF cookie, no access
to Ruta's pages). Being a real origin, it can have its own service worker (``/paquetes/sw.js``), which keeps the
files of downloaded packages for offline play (see ``static/packages/package-sw.js`` and ``origin-helper.js``).

``PackageOriginMiddleware`` is the switch by host: on the package host only the package routes answer (files,
H5P frame, worker, helper page; Ruta's static files are served before it by WhiteNoise); everything else is a bare
404. On Ruta's host, package files and H5P frames are redirected to the package origin, so that an old link keeps
working but a package never runs on Ruta's host. ``package_origin_check`` refuses settings that would break the
isolation. Must not import courses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http import HttpRequest, HttpResponseNotFound, HttpResponseRedirect

# The routes a package host answers (content/packages/urls.py), and those Ruta's host hands over to it.
_PACKAGE_CONTENT = re.compile(r"^/paquetes/[0-9a-fA-F-]{36}/[^/]+/(?:archivos/.+|h5p/)$")
_PACKAGE_HOST_ONLY = re.compile(r"^/paquetes/(?:sw\.js|ayudante/)$")


def package_origin() -> str:
    """``scheme://host[:port]`` of the package origin, or "" when packages are served on Ruta's own host."""
    return str(getattr(settings, "RUTA_PACKAGE_ORIGIN", "") or "").rstrip("/")


def package_host() -> str:
    """The package origin's host (with its port, as in a Host header), or ""."""
    origin = package_origin()
    return urlsplit(origin).netloc.lower() if origin else ""


def ruta_origin() -> str:
    """Ruta's own origin, from ``RUTA_BASE_URL`` (the only origin the package side talks to)."""
    parts = urlsplit(settings.RUTA_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}".lower()


def package_url(path: str) -> str:
    """``path`` (a ``/paquetes/...`` address) on the package origin, or unchanged without one."""
    return package_origin() + path


_TOKENED = re.compile(r"^(/paquetes/[0-9a-fA-F-]{36}/)[^/]+/(archivos|h5p)/")


def offline_key(url: str) -> str:
    """A package address without its expiring token and query (``/paquetes/<uuid>/archivos/<path>``): the key under
    which a downloaded file is kept on the phone (package-sw.js, origin-helper.js and courses/offline.js agree)."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return origin + _TOKENED.sub(r"\1\2/", parts.path)


def on_package_host(request: HttpRequest) -> bool:
    host = package_host()
    return bool(host) and request.get_host().lower() == host


class PackageOriginMiddleware:
    """On the package host only package routes; on Ruta's host, package files go to the package origin."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        host = package_host()
        if not host:
            return self.get_response(request)
        path = request.path_info
        if request.get_host().lower() == host:
            if _PACKAGE_CONTENT.match(path) or _PACKAGE_HOST_ONLY.match(path):
                return self.get_response(request)
            return HttpResponseNotFound(b"Not found", content_type="text/plain; charset=utf-8")
        if _PACKAGE_CONTENT.match(path) and request.method in ("GET", "HEAD"):
            query = request.META.get("QUERY_STRING", "")
            return HttpResponseRedirect(package_url(request.path) + (f"?{query}" if query else ""))
        if _PACKAGE_CONTENT.match(path) or _PACKAGE_HOST_ONLY.match(path):
            return HttpResponseNotFound(b"Not found", content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _host_of(origin: str) -> str:
    return (urlsplit(origin).hostname or "").lower()


def _cookie_reaches(domain: str | None, host: str) -> bool:
    if not domain:
        return False
    domain = domain.lower().lstrip(".")
    return host == domain or host.endswith("." + domain)


@checks.register(checks.Tags.security)
def package_origin_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The package origin must be a bare origin on another host than Ruta's, which Ruta's cookies never reach."""
    origin = package_origin()
    if not origin:
        return []
    errors: list[checks.CheckMessage] = []
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        errors.append(
            checks.Error(
                "RUTA_PACKAGE_ORIGIN must be an origin such as https://paquetes.example.org (no path).",
                id="packages.E001",
            )
        )
        return errors
    host = _host_of(origin)
    if origin.lower() == ruta_origin() or host == _host_of(settings.RUTA_BASE_URL):
        errors.append(
            checks.Error(
                "RUTA_PACKAGE_ORIGIN must be on another host than Ruta (RUTA_BASE_URL): package scripts would run "
                "with Ruta's origin.",
                id="packages.E002",
            )
        )
    for name in ("SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN", "LANGUAGE_COOKIE_DOMAIN"):
        if _cookie_reaches(getattr(settings, name, None), host):
            errors.append(
                checks.Error(
                    f"{name} sends Ruta's cookie to the package host {host}: leave it unset (host-only cookies) "
                    "or use a package host outside that domain.",
                    id="packages.E003",
                )
            )
    if "*" not in settings.ALLOWED_HOSTS and host not in {h.lower() for h in settings.ALLOWED_HOSTS}:
        errors.append(checks.Error(f"ALLOWED_HOSTS must include the package host {host}.", id="packages.E004"))
    return errors


@checks.register(checks.Tags.security, deploy=True)
def package_origin_deploy_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    origin = package_origin()
    if origin and not origin.startswith("https://"):
        return [
            checks.Warning(
                "RUTA_PACKAGE_ORIGIN should use https: service workers (offline play) need a secure context.",
                id="packages.W001",
            )
        ]
    return []
