"""A database outage while answering: a quick 503 with Retry-After that the phone's queue keeps and resends
(issue #13), never an HTML 500 page; once the database is back the same submission is recorded once."""

import uuid
from unittest import mock

from content.models import Submission
from tests.content.helpers import post_answer, submit_url
from tests.outages import database_down


def _post_while_down(client, page, usage_id, data, *, submission_id, as_json):
    url, payload = submit_url(page, usage_id), {"submission_id": submission_id, "next": page.url, **data}
    extra = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    with database_down():
        return client.post(url, payload, **extra)


def test_xhr_submission_gets_a_json_503_with_retry_after_and_is_recorded_once_when_resent(client, user, choice_page):
    page, usage_id = choice_page
    client.force_login(user)
    submission_id = str(uuid.uuid4())

    response = _post_while_down(client, page, usage_id, {"choice": "1"}, submission_id=submission_id, as_json=True)

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["ok"] is False and data["retry"] is True
    assert "no se perdió" in data["message"]

    # The queue resends the same submission id: recorded once.
    for _ in range(2):
        again = post_answer(client, page, usage_id, {"choice": "1"}, submission_id=submission_id, as_json=True)
        assert again.status_code == 200
    assert Submission.objects.filter(submission_id=submission_id).count() == 1


def test_form_submission_without_javascript_gets_a_503_page_not_a_500(client, user, choice_page):
    page, usage_id = choice_page
    client.force_login(user)
    response = _post_while_down(client, page, usage_id, {"choice": "1"}, submission_id=str(uuid.uuid4()), as_json=False)
    assert response.status_code == 503
    assert "Retry-After" in response
    text = response.content.decode()
    assert "Vuelve en un minuto" in text and "vuelve atrás y envíala otra vez" in text


def test_other_errors_stay_500(client, user, choice_page):
    page, usage_id = choice_page
    client.force_login(user)
    client.raise_request_exception = False
    with mock.patch("content.views.activity_submit", side_effect=RuntimeError("bug")):
        response = post_answer(client, page, usage_id, {"choice": "1"}, as_json=True)
    assert response.status_code == 500
