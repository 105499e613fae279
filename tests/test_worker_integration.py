"""A task enqueued by a web request is executed by a REAL Celery worker (the integration run of ``.ci/run``).

``.ci/run`` starts ``celery -A lms worker`` against the PostgreSQL test database and Redis, then runs the
suite with ``RUTA_REQUIRE_WORKER=1``. Without that variable (the SQLite run, eager tasks) this test is skipped.
"""

import os
import time

import pytest
from django.conf import settings
from django.urls import reverse

from lms.accounts.models import User
from tests.lms.accounts.factories import UserFactory

REQUIRE_WORKER = os.environ.get("RUTA_REQUIRE_WORKER") == "1"

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not REQUIRE_WORKER,
        reason="needs a real Celery worker on the test database: run by .ci/run with RUTA_REQUIRE_WORKER=1",
    ),
]

TIMEOUT_SECONDS = 30


def test_account_deletion_requested_over_http_is_done_by_the_worker(transactional_db, client):
    # Never pass silently: with eager tasks the request itself would do the work.
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    from lms.celery import app

    assert app.conf.task_always_eager is False
    assert settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"

    person = UserFactory(username="borrar-por-worker", phone="+51987000777", email="borrar@example.org")
    client.force_login(person)
    response = client.post(reverse("accounts:account_delete"), {"password": "clave-segura-123"})
    assert response.status_code == 302

    # The request only marked the account; the anonymisation must come from the worker process.
    deadline = time.monotonic() + TIMEOUT_SECONDS
    anonymous_name = f"eliminado-{person.pk}"
    user = User.objects.get(pk=person.pk)
    while user.username != anonymous_name and time.monotonic() < deadline:
        time.sleep(0.5)
        user = User.objects.get(pk=person.pk)
    assert user.username == anonymous_name, f"the worker did not anonymise the account within {TIMEOUT_SECONDS} s"
    assert (user.email, user.phone, user.is_active) == ("", None, False)
