"""``theme`` in every template: the site's ThemeSettings (name, logo, colours), looked up once a minute per host.

Wagtail's own ``settings`` context processor finds the Site and then the setting with two queries on every page
that shows the header, which made public pages such as certificate verification several times slower than the
view itself. Here the result is kept in this process for ``TTL`` seconds per host, and dropped at once when a
setting or a site is saved in this process (other processes see the change within ``TTL``)."""

from __future__ import annotations

import time
from typing import Any

from django.utils.functional import SimpleLazyObject

TTL = 60.0
_cache: dict[str, tuple[float, Any]] = {}


def theme_clear(**kwargs: Any) -> None:
    _cache.clear()


def _theme_for(request: Any) -> Any:
    from .models import ThemeSettings

    host = request.get_host()
    now = time.monotonic()
    hit = _cache.get(host)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = ThemeSettings.for_request(request)
    _cache[host] = (now + TTL, value)
    return value


def theme(request: Any) -> dict[str, Any]:
    return {"theme": SimpleLazyObject(lambda: _theme_for(request))}
