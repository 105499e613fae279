"""Celery tasks: each takes ids, re-fetches and calls one service."""

from __future__ import annotations

from celery import shared_task

from .models import BulkIssueJob, Certificate


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
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


@shared_task
def certificate_expiry_reminders_send_task() -> int:
    from .services import certificate_expiry_reminders_send

    return certificate_expiry_reminders_send()
