"""Per-address rate limits on the public verification endpoints, counted in the shared cache in one round trip.

django-ratelimit (still used for the wallet exchange, check-in and CSP reports) counts with ``cache.add`` then
``cache.incr``: two round trips to Redis on every request. Certificate verification is the busiest anonymous
endpoint and is served from the shared page cache (``lms/pagecache.py``) in one round trip, so those two more
round trips were most of what a cached answer cost. Here a fixed window is counted with ``SET NX EX`` and ``INCR``
sent together in one pipeline when the cache is Redis (django-redis), and with ``add``/``incr`` on any other cache
(the embedded default).

The same counter serves the view (a rendered answer) and the page cache (a cached answer), so the limit holds
whichever answers. Addresses are the client's as ``lms.client_ip`` sees it behind trusted proxies; IPv6 addresses
count per /64, as one household or phone gets a whole /64. The counter key holds a digest of the address, not the
address itself.

A limit that cannot be counted fails closed: while the shared cache cannot be reached, ``hit`` raises
``lms.pagecache.CacheUnavailable`` and the request gets a Spanish 503 with ``Retry-After``
(``lms.middleware.outage_response``), never an unlimited answer — as django-ratelimit (``RATELIMIT_FAIL_OPEN`` is
not set) and allauth's login limits (their lock is a cache ``add``) do too.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

from .client_ip import client_ip
from .pagecache import CacheUnavailable, cache_down, note_outage, outage_errors

_OUTAGE_ERRORS = outage_errors()

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/m"`` → (60 requests, 60 seconds); ``"100/10m"`` → (100, 600)."""
    match = _RATE.match(rate or "")
    if match is None:
        raise ValueError(f"not a rate: {rate!r} (expected e.g. 60/m, 1000/h, 100/10m)")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNITS[unit]


def _address(request: HttpRequest) -> str:
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def counter_key(group: str, request: HttpRequest, period: int, now: float | None = None) -> str:
    window = int((time.time() if now is None else now) // period)
    digest = hashlib.blake2b(_address(request).encode(), digest_size=12).hexdigest()
    return f"ruta:rl:{group}:{period}:{window}:{digest}"


def _count(key: str, period: int) -> int:
    """Add one to ``key`` (created for ``period`` seconds) and return the new count, in one round trip on Redis."""
    if cache_down():
        raise CacheUnavailable(key)
    try:
        return _count_in_cache(key, period)
    except _OUTAGE_ERRORS as exc:
        note_outage(exc)
        raise CacheUnavailable(key) from exc


def _count_in_cache(key: str, period: int) -> int:
    client = _redis_client()
    if client is not None:
        redis = client.get_client(write=True)
        full = client.make_key(key)
        pipe = redis.pipeline(transaction=False)
        pipe.set(full, 0, ex=period + 1, nx=True)
        pipe.incr(full)
        return int(pipe.execute()[1])
    cache.add(key, 0, timeout=period + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=period + 1)
        return 1


def _redis_client() -> Any:
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client") and hasattr(client, "make_key"):  # django-redis
        return client
    return None


def _counted(request: HttpRequest) -> dict[str, bool]:
    counted = getattr(request, "_ruta_rate_counted", None)
    if counted is None:
        counted = {}
        request._ruta_rate_counted = counted  # type: ignore[attr-defined]
    return counted


def hit(request: HttpRequest, group: str, rate: str) -> bool:
    """Count this request against ``group``'s ``rate``; True when it is over the limit. A request is counted once
    per group: a later call (the view after the page cache) gets the same answer without counting again."""
    counted = _counted(request)
    if group not in counted:
        limit, period = parse_rate(rate)
        counted[group] = _count(counter_key(group, request, period), period) > limit
    return counted[group]


def get_many_and_hit(request: HttpRequest, keys: list[str], group: str, rate: str) -> dict[str, Any]:
    """``cache.get_many(keys)`` and ``hit(request, group, rate)`` in one round trip on Redis (the page cache's
    lookup of a verification answer); two steps on any other cache. The count is kept for ``hit``."""
    client = _redis_client()
    if client is None:
        values = cache.get_many(keys)
        hit(request, group, rate)
        return values
    if cache_down():
        raise CacheUnavailable(group)
    limit, period = parse_rate(rate)
    counter = client.make_key(counter_key(group, request, period))
    full = {client.make_key(key): key for key in keys}
    pipe = client.get_client(write=True).pipeline(transaction=False)
    pipe.mget(*full)
    pipe.set(counter, 0, ex=period + 1, nx=True)
    pipe.incr(counter)
    try:
        found, _created, count = pipe.execute()
    except _OUTAGE_ERRORS as exc:
        note_outage(exc)
        raise CacheUnavailable(group) from exc
    _counted(request)[group] = int(count) > limit
    return {full[key]: client.decode(value) for key, value in zip(full, found, strict=True) if value is not None}


def rate_limit(group: str, rate: Callable[[], str]) -> Callable:
    """View decorator: count the request and set ``request.limited`` (the view answers its own 429), as
    django-ratelimit's ``block=False`` does. ``rate`` is read per request (settings may change in tests)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            over = hit(request, group, rate())
            request.limited = getattr(request, "limited", False) or over  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
