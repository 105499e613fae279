"""Two requests carrying the same submission at the same moment (a double tap, a retry racing the original):
one attempt is recorded and both get it back. Real threads and real transactions."""

import threading
import uuid

import pytest
from django.db import connection

from content.models import Submission
from content.services import activity_submit
from tests.content.conftest import VALUES

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_duplicates_record_one_attempt(make_page, user, scored):
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        pytest.skip(
            "in-memory SQLite (shared cache) fails concurrent writers instead of waiting; CI runs this on PostgreSQL"
        )
    page, ids = make_page({"multiple_choice": VALUES["multiple_choice"]})
    sid = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def answer():
        try:
            barrier.wait()
            results.append(
                activity_submit(
                    user=user, page=page, usage_id=ids["multiple_choice"], answer={"choices": ["0"]}, submission_id=sid
                ).pk
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert Submission.objects.filter(user=user).count() == 1
    assert len(scored) == 1
