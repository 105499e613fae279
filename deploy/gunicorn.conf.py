"""gunicorn settings for ``deploy/serve`` (read from the environment, else from .env like Ruta's settings; see README
"Running it for real")."""

import os
from pathlib import Path

import environ


class _DotEnv(environ.Env):
    """django-environ's reading of .env, into a dict of its own: this file only looks values up (the real environment
    wins) and leaves os.environ, and so the settings module Ruta chooses, as it was."""

    ENVIRON: dict[str, str] = {}


_DotEnv.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)


def _setting(name: str, default: str = "") -> str:
    """The environment's value, else .env's; an empty one means the default."""
    return (os.environ[name] if name in os.environ else _DotEnv.ENVIRON.get(name, "")) or default


_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

bind = _setting("RUTA_BIND", "0.0.0.0:8000")
# Threads let a worker keep answering while another request waits on a slow phone or on PostgreSQL.
workers = int(_setting("WEB_CONCURRENCY") or 2 * _cpus + 1)
worker_class = "gthread"
threads = int(_setting("RUTA_WEB_THREADS", "4"))
# A worker silent this long is stuck and replaced; uploads stream, so large packages do not hit it.
timeout = int(_setting("RUTA_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so slow leaks (in libraries too) never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file in memory (gunicorn docs): a disk-backed /tmp can stall workers under I/O load.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Only these addresses may tell gunicorn the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = _setting("RUTA_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
errorlog = "-"
loglevel = _setting("RUTA_WEB_LOG_LEVEL", "info")
proc_name = "ruta-web"
# gunicorn 24+ opens a control socket at one fixed path per user: two web processes on a host would collide.
control_socket_disable = True
# Load Ruta once in the master and fork the workers from it: a worker started by max_requests, after a crash or by
# a scale-up serves at once instead of spending seconds importing Django, Wagtail and Celery, and the imported
# code is shared between workers (copy-on-write) instead of copied into each.
preload_app = True


def pre_fork(server, worker):
    """The master never serves a request; anything that opened a database connection while Ruta was imported is
    closed here, so no worker inherits (and shares) the master's socket. Redis clients reconnect after a fork
    by themselves (redis-py checks the process id)."""
    from django.db import connections

    connections.close_all()
