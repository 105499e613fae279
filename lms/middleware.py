"""Site-wide middleware of the production stack.

``DatabaseUnavailableMiddleware``: when PostgreSQL is down or unreachable, a view's query raises
``OperationalError``/``InterfaceError``. Instead of an HTML 500 page, answer a short 503 with ``Retry-After``:
JSON for the activities' XHR path (``activities.js`` keeps the answer in the phone and resends it after the
pause), a small standalone page otherwise (it needs no database: no theme lookup, no session write). The error
is still logged like a 500. The shared cache (Redis) being unreachable where a miss cannot stand in for it (a rate
limit to count, a lock: ``lms.pagecache.CacheUnavailable``) gets the same kind of 503. ``/healthz`` always gets JSON.

An outage met in a middleware rather than a view (the learners' cache asks for ``request.user`` before any view;
allauth's or Wagtail's middleware may query too) is answered alike: ``outage_response`` is what every layer
answers, and ``AnonymousPageCacheMiddleware`` (lms/pagecache.py, before sessions and authentication) replaces the
500 that Django made of such an error below it (``got_request_exception`` marks the request with it).

``NulCharacterMiddleware``: PostgreSQL text cannot hold a NUL character, so a ``%00`` in a query parameter or a
form field that a view passes to a query raised ``DataError`` (a 500). Early in the stack, any request whose path,
query string or url-encoded form (names or values) contains NUL gets the themed 400 page saying so. Multipart bodies
are left alone (parsing them here would consume the upload stream views read); Django's form ``CharField`` already
refuses NUL there.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .pagecache import CacheUnavailable

logger = logging.getLogger("django.request")

RETRY_AFTER_SECONDS = 30


def _wants_json(request: HttpRequest) -> bool:
    return (
        "application/json" in request.headers.get("Accept", "")
        or request.content_type == "application/json"
        or request.path.startswith("/api/")
        or request.path == "/healthz"
    )


OUTAGES = (OperationalError, InterfaceError, CacheUnavailable)


def outage_response(request: HttpRequest, exception: BaseException) -> HttpResponse | None:
    """The 503 with ``Retry-After`` for a database or shared-cache outage; None for any other error."""
    if isinstance(exception, OperationalError | InterfaceError):
        logger.error("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
        message = _(
            "Ruta no puede guardar ni mostrar datos en este momento. Tu respuesta no se perdió: "
            "inténtalo de nuevo en un minuto."
        )
    elif isinstance(exception, CacheUnavailable):
        logger.error("Shared cache unavailable: %s %s", request.method, request.path, exc_info=exception)
        message = _(
            "Ruta no puede atender este pedido en este momento: uno de sus servicios no responde. "
            "Inténtalo de nuevo en un minuto."
        )
    else:
        return None
    if _wants_json(request):
        body: dict[str, Any] = {"ok": False, "retry": True, "message": message}
        if request.path == "/healthz":
            body = {"status": "error", **body}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


_OUTAGE_ATTR = "_ruta_outage"


def _remember_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception``: Django is making a 500 of an error; remember it when it was an outage."""
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, OUTAGES):
        setattr(request, _OUTAGE_ATTR, exception)


got_request_exception.connect(_remember_outage, dispatch_uid="ruta-outage-500")


def replace_outage_error(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    """The 500 Django made of an outage below the caller becomes ``outage_response``'s 503."""
    exception = getattr(request, _OUTAGE_ATTR, None)
    if exception is None or response.status_code != 500:
        return response
    return outage_response(request, exception) or response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return outage_response(request, exception)


NUL = "\x00"


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path:
        return True
    query = request.META.get("QUERY_STRING", "")
    if ("%00" in query or NUL in query) and any(
        NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()
    ):
        return True
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        # Parsing a url-encoded body keeps request.body readable for the view.
        return any(NUL in key or any(NUL in value for value in values) for key, values in request.POST.lists())
    return False


class NulCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _has_nul(request):
            return self.get_response(request)
        from themes.views import bad_request_with_message

        # Before LocaleMiddleware: the page speaks the visitor's language all the same.
        with translation.override(translation.get_language_from_request(request)):
            message = _(
                "El enlace o el formulario contiene un carácter nulo, que no se puede usar. "
                "Revisa el enlace o vuelve a escribir lo que enviaste."
            )
            return bad_request_with_message(request, message)


class PrivateResponseMiddleware:
    """What is rendered for a signed-in person is never kept by a shared cache (a CDN or a proxy in front of Ruta).

    Every such response gets ``Cache-Control: private`` unless its view chose a policy of its own (``public`` for
    what is the same for everyone, ``no-store``), and a download (``Content-Disposition: attachment``: a roster, a
    report export) ``private, no-store`` — some CDNs keep ``.csv``/``.xlsx`` by their extension and ignore
    ``Vary: Cookie``. Pages still go back and forward in the phone's own browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        control = response.get("Cache-Control", "")
        if "public" in control or "no-store" in control:
            return response
        # The session says whether someone is signed in; asking ``request.user`` would load the account from the
        # database on pages the learners' cache answers without it.
        session = getattr(request, "session", None)
        if session is None or SESSION_KEY not in session:
            return response
        if "attachment" in response.get("Content-Disposition", ""):
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, private=True)
        return response
