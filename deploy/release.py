"""Checks and release steps run by ``deploy/serve`` before it starts any process.

``python deploy/release.py check``    refuse (exit 2, one line per problem) when production is not configured, and
                                      warn (starting all the same) about what works without it, e.g. e-mail;
``python deploy/release.py web``      check, then collectstatic (this host's static files);
``python deploy/release.py migrate``  check, then migrate and createcachetable under a PostgreSQL advisory lock,
                                      so hosts started together never migrate at the same time.
Reads ``.env`` like the settings do. Standard library until Django is set up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
REQUIRED = {
    "DJANGO_SECRET_KEY": "a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')",
    "DATABASE_URL": "PostgreSQL, e.g. postgres://ruta@db.internal:5432/ruta",
    "REDIS_URL": "Redis for cache and sessions, e.g. redis://redis.internal:6379/1",
    "CELERY_BROKER_URL": "Redis for background tasks, e.g. redis://redis.internal:6379/2",
    "DJANGO_ALLOWED_HOSTS": "the host names Ruta answers to, e.g. ruta.example.org",
    "RUTA_BASE_URL": "the public address, used in QR codes and e-mails, e.g. https://ruta.example.org",
}
MIGRATE_LOCK = 7_206_012  # any constant: the advisory lock id of "Ruta migrates"


def problems() -> list[str]:
    import environ

    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
    found = [f"{name} is not set: {what}" for name, what in REQUIRED.items() if not os.environ.get(name, "").strip()]
    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "")
    if settings_module in ("lms.settings.dev", "lms.settings.test"):
        found.append(f"DJANGO_SETTINGS_MODULE is {settings_module}: use lms.settings.production")
    secret = os.environ.get("DJANGO_SECRET_KEY", "")
    if secret and (len(secret) < 40 or secret.startswith("insecure-")):
        found.append("DJANGO_SECRET_KEY is too short or a development key: use 40+ random characters")
    database = os.environ.get("DATABASE_URL", "")
    if database and not database.startswith(("postgres://", "postgresql://", "pgsql://")):
        found.append("DATABASE_URL must point to PostgreSQL (several processes write at once)")
    base_url = os.environ.get("RUTA_BASE_URL", "")
    if base_url and not base_url.startswith(("https://", "http://")):
        found.append("RUTA_BASE_URL must start with https:// (or http:// on a private network)")
    keys_dir = Path(os.environ.get("RUTA_SIGNING_KEYS_DIR", BASE_DIR / "keys"))
    autogenerate = os.environ.get("RUTA_SIGNING_KEYS_AUTOGENERATE", "").lower() in ("1", "true", "yes", "on")
    if not os.environ.get("RUTA_SIGNING_KEY_PEM") and not autogenerate and not _private_keys(keys_dir):
        retired = " (it holds only retired public keys, <kid>.pub.pem)" if any(keys_dir.glob("*.pub.pem")) else ""
        found.append(
            f"no certificate signing key: set RUTA_SIGNING_KEY_PEM, or put a private key <kid>.pem in {keys_dir}"
            f"{retired} (RUTA_SIGNING_KEYS_DIR) with `manage.py certificate_keys_rotate`"
        )
    return found


def _private_keys(keys_dir: Path) -> list[Path]:
    """The private signing keys of the key folder: ``<kid>.pem``, never a retired ``<kid>.pub.pem``."""
    return [path for path in keys_dir.glob("*.pem") if not path.name.endswith(".pub.pem")]


def warnings() -> list[str]:
    """What production runs without, but an operator should know is off (read after ``problems``, which reads .env)."""
    found = []
    if not os.environ.get("EMAIL_URL", "").strip():
        found.append(
            "EMAIL_URL is not set: Ruta sends no e-mail (password-reset links, notices, certificate reminders); "
            "people who signed up with a phone number are not affected. Nothing of an unsent e-mail is logged. To "
            "send e-mail set EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587"
        )
    return found


def check() -> None:
    found = problems()
    for line in warnings():
        print(f"WARNING: {line}", file=sys.stderr)
    if found:
        print("Ruta will not start in production:", file=sys.stderr)
        for line in found:
            print(f"  - {line}", file=sys.stderr)
        print("Set them in the environment or in .env (see .env.example and README.md).", file=sys.stderr)
        sys.exit(2)


def _django():
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.production")
    import django

    django.setup()


def collectstatic() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=1)


def migrate() -> None:
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
    try:
        call_command("migrate", interactive=False, verbosity=1)
        call_command("createcachetable", verbosity=1)  # only for a database cache; nothing to do with Redis
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK])


def main(argv: list[str]) -> None:
    steps = argv[1:] or ["check"]
    check()
    if set(steps) - {"check"}:
        _django()
    for step in steps:
        if step == "web":
            collectstatic()
        elif step == "migrate":
            migrate()
        elif step != "check":
            sys.exit(f"unknown step {step!r}: check, web, migrate")


if __name__ == "__main__":
    main(sys.argv)
