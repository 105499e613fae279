"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

from lms.celery import CHOSEN_SETTINGS_MODULE

# Production unless the environment or .env chose (the ``lms`` package imports lms.celery first, which reads .env and
# would otherwise leave its development default here: a bare ``gunicorn lms.wsgi`` ran with DEBUG on).
os.environ["DJANGO_SETTINGS_MODULE"] = CHOSEN_SETTINGS_MODULE or "lms.settings.production"
application = get_asgi_application()
