"""Site-wide middleware of the production stack.

``DatabaseUnavailableMiddleware``: when PostgreSQL is down or unreachable, a view's query raises
``OperationalError``/``InterfaceError``. Instead of an HTML 500 page, answer a short 503 with ``Retry-After``:
JSON for the activities' XHR path (``activities.js`` keeps the answer in the phone and resends it after the
pause), a small standalone page otherwise (it needs no database: no theme lookup, no session write). The error
is still logged like a 500.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
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
