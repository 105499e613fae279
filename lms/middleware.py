"""Site-wide middleware of the production stack.

``DatabaseUnavailableMiddleware``: when PostgreSQL is down or unreachable, a view's query raises
``OperationalError``/``InterfaceError``. Instead of an HTML 500 page, answer a short 503 with ``Retry-After``:
JSON for the activities' XHR path (``activities.js`` keeps the answer in the phone and resends it after the
pause), a small standalone page otherwise (it needs no database: no theme lookup, no session write). The error
is still logged like a 500.

``NulCharacterMiddleware``: PostgreSQL text cannot hold a NUL character, so a ``%00`` in a query parameter or a
form field that a view passes to a query raised ``DataError`` (a 500). Early in the stack, any request whose path,
query string or url-encoded form (names or values) contains NUL gets the themed 400 page saying so. Multipart bodies
are left alone (parsing them here would consume the upload stream views read); Django's form ``CharField`` already
refuses NUL there.
"""

from __future__ import annotations

import logging

from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

logger = logging.getLogger("django.request")

RETRY_AFTER_SECONDS = 30


def _wants_json(request: HttpRequest) -> bool:
    return (
        "application/json" in request.headers.get("Accept", "")
        or request.content_type == "application/json"
        or request.path.startswith("/api/")
    )


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
        message = _(
            "Ruta no puede guardar ni mostrar datos en este momento. Tu respuesta no se perdió: "
            "inténtalo de nuevo en un minuto."
        )
        if _wants_json(request):
            response: HttpResponse = JsonResponse({"ok": False, "retry": True, "message": message}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


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
