"""Celery tasks for verification by text message: each takes ids, re-fetches and calls one service."""

from __future__ import annotations

from celery import shared_task

from .models import TextVerificationMessage


# The Graph API or the network being down is worth retrying (GraphUnavailable is an OSError); a refusal is not.
@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def whatsapp_reply_send_task(message_id: int) -> None:
    from .services import whatsapp_reply_send

    message = TextVerificationMessage.objects.filter(pk=message_id).first()
    if message is not None:
        whatsapp_reply_send(message=message)


@shared_task
def text_messages_prune_task() -> int:
    from .services import text_messages_prune

    return text_messages_prune()
