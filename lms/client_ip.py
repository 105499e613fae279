"""The client's address behind trusted proxies, the same way allauth's login limits see it.

``RUTA_TRUSTED_CLIENT_IP_HEADER`` (allauth's ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER``) names one header that a proxy
of ours always overwrites; otherwise ``RUTA_TRUSTED_PROXY_COUNT`` (``ALLAUTH_TRUSTED_PROXY_COUNT``) proxies each
append the address they saw to ``X-Forwarded-For``, so the client is the entry that many places from the right
(entries further left were written by the client and prove nothing). With neither, ``REMOTE_ADDR``.
django-ratelimit (wallet exchange, check-in) calls ``client_ip`` through ``RATELIMIT_IP_META_KEY``; Ruta's own
verification limit (``lms/ratelimit.py``) calls it directly.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _clean(value: str) -> str:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.5:51234
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    count = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    address = ""
    if header:
        address = _clean(request.headers.get(header, ""))
    elif count > 0:
        hops = [hop for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
        if len(hops) >= count:
            address = _clean(hops[-count])
    return address or request.META.get("REMOTE_ADDR", "")
