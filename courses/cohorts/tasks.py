"""Background tasks of courses.cohorts. Tasks take ids, re-fetch and call one service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notification_email_send_task(notification_id: int) -> bool:
    """E-mail one in-app notification (idempotent: a redelivered task sends nothing twice)."""
    return services.notification_email_send(notification_id=notification_id)


@shared_task(acks_late=True)
def roster_import_expire_task() -> int:
    """Hourly (celery beat): delete roster files whose preview was never confirmed (see the service)."""
    return services.roster_import_expire()
