"""``/healthz``: database, cache and broker status as JSON (503 naming what is down when any is).

It always answers JSON: the page cache in front of it takes a Redis outage for a miss (``lms/pagecache.py``), and
an outage met anywhere below becomes a JSON 503 (``lms.middleware.outage_response``). The cache check asks Redis
itself every time, not what this process last believed (``pagecache.shared_cache_backend``), so it shows the
outage, and the recovery, at once.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from .pagecache import shared_cache_backend


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _cache_backend_name() -> str:
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _check_cache() -> dict:
    backend = shared_cache_backend()
    key = "healthz:probe"
    value = str(time.time())
    backend.set(key, value, 10)
    ok = backend.get(key) == value
    return {"ok": ok, "backend": _cache_backend_name()}


def _check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    from lms.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"ok": True, "mode": "broker", "transport": app.conf.broker_url.split(":", 1)[0]}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {}
    for name, check in (("database", _check_database), ("cache", _check_cache), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - a health check reports every failure
            checks[name] = {"ok": False, "error": exc.__class__.__name__}
    checks["cache"].setdefault("backend", _cache_backend_name())
    down = [name for name, check in checks.items() if not check["ok"]]
    body = {"status": "error" if down else "ok", "down": down, "checks": checks}
    return JsonResponse(body, status=503 if down else 200)
