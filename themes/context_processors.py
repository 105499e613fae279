"""``theme`` in every template: the site's ThemeSettings (name, logo, colours), from the shared cache.

Wagtail's own ``settings`` context processor finds the Site and then the setting with two queries on every page
that shows the header, which made public pages such as certificate verification several times slower than the
view itself. Here the settings of every host asked for are kept together under one key of Django's cache (the
database or Redis, shared by every web process) for ``TTL`` seconds, and the key is dropped when a setting or a
site is saved or deleted (``themes.handlers``), so every process shows the change on its next page. Nothing is
kept in the process itself (DESIGN.md: web processes keep no local state)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.utils.functional import SimpleLazyObject

TTL = 60
CACHE_KEY = "themes:by-host"


def theme_forget() -> None:
    """Drop every cached theme now, and again once the saving transaction commits (so a page rendered meanwhile
    in another process cannot put the old theme back for ``TTL`` seconds)."""
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def _lookup(request: Any) -> Any:
    """The request's site's settings, read with their logo. A page view writes nothing: until staff first save
    the settings (Wagtail creates the row then), the defaults show, as Wagtail's own lookup would create them."""
    from wagtail.models import Site

    from .models import ThemeSettings

    site = Site.find_for_request(request)
    if site is None:
        raise ThemeSettings.DoesNotExist("No site answers to this host.")
    return ThemeSettings.objects.filter(site=site).select_related("logo").first() or ThemeSettings(site=site)


def _theme_for(request: Any) -> Any:
    try:
        host = request.get_host()
    except DisallowedHost:
        # The 400 page Django renders for a Host outside ALLOWED_HOSTS (handler400) shows the default theme: asking
        # for the host again raised inside the error page and turned the 400 into a 500.
        from .models import ThemeSettings

        return ThemeSettings()
    themes = cache.get(CACHE_KEY) or {}
    if host in themes:
        return themes[host]
    value = _lookup(request)
    cache.set(CACHE_KEY, {**themes, host: value}, TTL)
    return value


def theme(request: Any) -> dict[str, Any]:
    return {"theme": SimpleLazyObject(lambda: _theme_for(request))}
