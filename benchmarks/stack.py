"""What the benchmarks that run Ruta as deployed share: the production environment and a throwaway database."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_env(*, database_url: str, redis_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off, loopback hosts) on this database and Redis, with keys, media, private files
    and static files in ``workdir``; nothing of the caller's ``DJANGO_``/``RUTA_``/``CELERY_`` environment leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "RUTA_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        DJANGO_SECRET_KEY="benchmark-" + "x" * 60,
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        RUTA_SIGNING_KEYS_DIR=str(workdir / "keys"),
        RUTA_SIGNING_KEYS_AUTOGENERATE="true",
        RUTA_MEDIA_ROOT=str(workdir / "media"),
        RUTA_PRIVATE_ROOT=str(workdir / "private"),
        RUTA_STATIC_ROOT=str(workdir / "static"),
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def database_recreate(url: str, *, drop_only: bool = False) -> None:
    """Drop the PostgreSQL database named by ``url`` (and create it empty again unless ``drop_only``)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()
