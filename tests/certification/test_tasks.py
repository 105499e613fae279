"""The PDF render task survives a database that drops out for a moment (issue #13)."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError

from certification.models import Certificate, CertificateEvent
from certification.tasks import certificate_render_pdf_task

from .factories import issue

pytestmark = pytest.mark.django_db


def _fail_first_save(error):
    real_save = Certificate.save
    calls = {"n": 0}

    def save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise error
        return real_save(self, *args, **kwargs)

    return save, calls


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
    ],
)
def test_render_is_retried_after_a_database_error_and_the_pdf_exists(error):
    certificate = issue()
    assert not certificate.pdf  # rendering waits for the worker (on commit)
    save, calls = _fail_first_save(error)

    with mock.patch.object(Certificate, "save", save):
        # Eager here: Celery runs the retry at once (a worker would wait for the backoff countdown).
        result = certificate_render_pdf_task.apply(args=(certificate.pk,), throw=False)

    assert result.state != "FAILURE", result.traceback
    assert calls["n"] == 2, "the render was not tried again"
    certificate.refresh_from_db()
    assert certificate.pdf.name and certificate.pdf.storage.exists(certificate.pdf.name)
    with certificate.pdf.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert (
        CertificateEvent.objects.filter(certificate=certificate, action=CertificateEvent.Action.RENDERED).count() == 1
    )


def test_render_task_is_redelivered_when_its_worker_dies():
    # A SIGKILLed worker's render comes back after the broker's visibility timeout, which is minutes, not an hour.
    # Read from the Celery app the worker runs (the setting only counts if it reaches the broker's options).
    from lms.celery import app

    assert certificate_render_pdf_task.acks_late is True
    assert certificate_render_pdf_task.reject_on_worker_lost is True
    assert 60 <= app.conf.broker_transport_options["visibility_timeout"] <= 30 * 60
