"""Celery tasks: each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task
def competency_orphan_files_delete_task() -> int:
    """Daily (``CELERY_BEAT_SCHEDULE``): delete candidates' uploads that no row points to (see the service)."""
    from .services import competency_orphan_files_delete

    return len(competency_orphan_files_delete())
