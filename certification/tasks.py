"""Celery tasks: each takes ids, re-fetches and calls one service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .models import BulkIssueJob, Certificate

# Worth another try later: storage or network hiccups, and the database restarting or unreachable.
TRANSIENT_ERRORS = (OSError, OperationalError, InterfaceError)


# Idempotent (it re-renders the same files), so it is acknowledged only once done: a lost worker's render is
# redelivered after the broker's visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS).
@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5
)
def certificate_render_pdf_task(certificate_id: int) -> None:
    from .services import certificate_render

    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is not None:
        certificate_render(certificate=certificate)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def bulk_issue_job_run_task(job_id: int) -> None:
    from .services import bulk_issue_job_run

    job = BulkIssueJob.objects.filter(pk=job_id).first()
    if job is not None:
        bulk_issue_job_run(job=job)


# A completed course whose certificates could not be issued in the learner's request (the completion signal is sent
# once): tried again with backoff. Idempotent, one certificate per source; an enrolment no longer completed (or
# deleted) gets nothing.
@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def certificates_issue_for_completion_task(enrollment_id: int) -> None:
    from courses.models import Enrollment

    from .services import certificates_issue_for_completion_strict

    enrollment = Enrollment.objects.filter(pk=enrollment_id, completed_at__isnull=False).select_related("user").first()
    if enrollment is not None:
        certificates_issue_for_completion_strict(enrollment=enrollment)


@shared_task
def certificate_expiry_reminders_send_task() -> int:
    from .services import certificate_expiry_reminders_send

    return certificate_expiry_reminders_send()
