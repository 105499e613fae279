"""Background tasks of lms.accounts. Tasks take ids, re-fetch and call one service."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def account_delete_task(user_id: int) -> bool:
    """Anonymise the account ``user_id`` (idempotent, so a retried delivery is harmless)."""
    return services.account_delete(user_id=user_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def account_signup_attempt_notify_task(user_id: int, identifier: str) -> bool:
    """E-mail the owner of a number or address someone tried to sign up with (queued by the sign-up form)."""
    return services.account_signup_attempt_notify(user_id=user_id, identifier=identifier)
