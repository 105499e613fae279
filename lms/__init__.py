"""Ruta's project package: settings, URLs, the Celery app, and the accounts and reports apps."""

from .celery import app as celery_app

__all__ = ("celery_app",)
