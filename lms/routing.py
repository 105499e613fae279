"""Page routing in two queries instead of two per URL segment.

Wagtail finds ``/cursos/imesun/gin/modulo-1/leccion-2/`` by walking down the tree: for each segment one query
for the child by slug and one for its specific page (ten queries for a lesson, about half of a lesson page's
time). Every page already stores its ``url_path``, so the page is one lookup away. ``serve`` below does that
lookup and hands the result to Wagtail's own ``serve`` through the per-request route cache Wagtail reads
(``request._wagtail_route_for_request``), so everything after routing — view restrictions, ``before_serve_page``
hooks, the page's ``serve`` — is Wagtail's, unchanged.

It steps aside (Wagtail's tree walk runs as before) whenever the answer could differ: no site, a page type with
its own ``route`` (a RoutablePage answering sub-paths), a URL that is not a page (a 404 or a sub-route), and
sites with several locales.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from wagtail import views as wagtail_views
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from lms.pagecache import shared_value


def _site_for_request(request: HttpRequest) -> Site | None:
    """Wagtail's site for this request, kept in the shared cache by host until a page or site changes (the
    ``pages`` generation); Wagtail reads it from ``request._wagtail_site`` afterwards (view restrictions, settings)."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    try:
        key = f"ruta:site:{request.get_host()}:{request.get_port()}"
    except DisallowedHost:
        return Site.find_for_request(request)
    site = shared_value(key, lambda: Site.find_for_request(request))
    request._wagtail_site = site  # type: ignore[attr-defined]
    return site


class CachedSiteMiddleware:
    """Give every request its Wagtail site from the shared cache, so ``{% pageurl %}``, settings and view
    restrictions do not each look it up in the database (``Site.find_for_request`` reads
    ``request._wagtail_site`` first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The database is down: leave the lookup to the view, whose error becomes the 503 the offline queue
        # resends after (lms.middleware.DatabaseUnavailableMiddleware), not a 500 from out here.
        with suppress(DatabaseError):
            _site_for_request(request)
        return self.get_response(request)


def _site_root_path(site: Site) -> str | None:
    for root in Site.get_site_root_paths():  # kept in the shared cache by Wagtail
        if root.site_id == site.pk:
            return root.root_path
    return None


def fast_route(request: HttpRequest, path: str) -> RouteResult | None:
    """The page at ``path`` for this request's site, found by its ``url_path``; None when unsure."""
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None
    site = _site_for_request(request)
    if site is None:
        return None
    root_path = _site_root_path(site)
    components = [component for component in path.split("/") if component]
    if root_path is None or not components:
        return None
    url_path = root_path + "/".join(components) + "/"
    # Which page and of which type sits at this path, kept in the shared cache until pages change; then the page
    # itself in one query of its own type.
    found = shared_value(
        "ruta:route:" + hashlib.sha256(url_path.encode()).hexdigest()[:32],
        lambda: Page.objects.filter(url_path=url_path).values_list("pk", "content_type_id").first(),
    )
    if found is None:
        return None
    model = ContentType.objects.get_for_id(found[1]).model_class()
    page: Page | None = None
    if model is not None and issubclass(model, Page):
        page = model._default_manager.filter(pk=found[0], url_path=url_path).first()
    if page is None or type(page).route is not Page.route:
        return None
    if not page.live:
        raise Http404
    return RouteResult(page)


def serve(request: HttpRequest, path: str) -> HttpResponse:
    if not hasattr(request, "_wagtail_route_for_request"):
        try:
            result = fast_route(request, path)
        except Http404:
            request._wagtail_route_for_request = None  # type: ignore[attr-defined]
        else:
            if result is not None:
                request._wagtail_route_for_request = result  # type: ignore[attr-defined]
    return wagtail_views.serve(request, path)
