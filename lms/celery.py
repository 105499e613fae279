"""The Celery application. Tasks live in each app's ``tasks.py`` and only call services."""

import os
from pathlib import Path

import environ
from celery import Celery

# .env may choose the settings module (the environment always wins), so it is read before the choice. Every entry
# point (manage.py, wsgi, asgi) imports this module first, through the ``lms`` package.
_ENV_FILE = Path(__file__).resolve().parent.parent / ".env"
if _ENV_FILE.is_file():
    environ.Env.read_env(_ENV_FILE, overwrite=False)
#: The settings module the environment or .env chose, if any: lms.wsgi and lms.asgi default to production instead.
CHOSEN_SETTINGS_MODULE = os.environ.get("DJANGO_SETTINGS_MODULE")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

app = Celery("ruta")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
