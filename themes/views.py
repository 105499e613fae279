"""Site-wide pages that belong to no app: the home page, the error handlers, the language switch and the
theme's colours."""

import re

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import engines
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from .signals import language_chosen

_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
_DEFAULT_COLOURS = {"p": "#0B5394", "a": "#B45309"}


def home(request):
    return render(request, "themes/home.html")


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


# The themed 400 page with a message of the caller's in place of the generic one. The strings come in as context
# (translated in Python, so makemessages finds them); the page keeps 400.html's title, header and theme.
_BAD_REQUEST_WITH_MESSAGE = (
    '{% extends "400.html" %}{% block content %}<h1>{{ heading }}</h1><p>{{ message }}</p>'
    '<p><a class="button" href="/">{{ home }}</a></p>{% endblock %}'
)


def bad_request_with_message(request, message: str) -> HttpResponse:
    """The 400 page saying what was wrong with the request (e.g. ``lms.middleware.NulCharacterMiddleware``)."""
    template = engines["django"].from_string(_BAD_REQUEST_WITH_MESSAGE)
    context = {"heading": _("Solicitud incorrecta"), "message": message, "home": _("Volver al inicio")}
    return HttpResponse(template.render(context, request), status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


#: Where ``/favicon.ico`` leads (browsers and tools ask for it even when a page names its icon).
FAVICON = "themes/img/favicon.svg"


@require_GET
def favicon(request):
    """``/favicon.ico``: browsers and tools ask for it even when a page names its icon. The icon's hashed static
    address (manifest storage) changes with the icon, so the redirect is not permanent."""
    response = HttpResponseRedirect(static(FAVICON))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@require_GET
def theme_colours(request):
    """The theme's two colours as a stylesheet. The colours travel in the URL, so the answer never changes and is
    cached for a year; pages then need no inline style (and no CSP nonce), which lets public pages be cached."""
    colours = {
        name: value if _COLOUR.fullmatch(value := request.GET.get(name, "")) else default
        for name, default in _DEFAULT_COLOURS.items()
    }
    response = HttpResponse(f":root{{--primary:{colours['p']};--accent:{colours['a']}}}", content_type="text/css")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_GET
def language(request):
    """Switch the interface language (a link-like form: no CSRF token on public pages, so they can be cached).
    Only a language Ruta offers is kept; the visitor returns to the page they were on, never to another site.
    A signed-in person's choice, made on Ruta's own pages, is also remembered on the account (``language_chosen``):
    notices follow it."""
    code = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        if _clicked_here(request):
            language_chosen.send(sender=None, request=request, language=code)
    return response


def _clicked_here(request) -> bool:
    """Whether the switch was used from one of Ruta's own pages. The switch is a GET (public pages carry no CSRF
    token, so they can be cached): a link on another site may change how this browser shows Ruta, which is
    harmless, but must not change the language the account's notices are written in. Browsers say where a
    navigation came from (``Sec-Fetch-Site``); older ones only by the ``Referer``, which must then be ours."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    referer = request.headers.get("Referer", "")
    return bool(referer) and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure())
