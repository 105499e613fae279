"""Tests: fast hashing, local e-mail outbox; the database comes from DATABASE_URL (SQLite by default)."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"  # noqa: F405
RUTA_PRIVATE_ROOT = Path(env("RUTA_TEST_PRIVATE_ROOT", default=str(BASE_DIR / "test-artifacts" / "private")))  # noqa: F405
STORAGES["private"]["OPTIONS"]["location"] = str(RUTA_PRIVATE_ROOT)  # noqa: F405
