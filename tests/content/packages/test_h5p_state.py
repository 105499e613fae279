"""H5P resume: the content's user state (H5P core's contentUserData) kept per learner, package and activity, read
back for the frame, capped in size, never given to another learner, and part of the learner's data download and
deletion."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from content.packages.archive import open_archive
from content.packages.models import ScormAttempt
from content.packages.services import (
    H5P_STATE_MAX_BYTES,
    H5PStateRefused,
    content_package_store,
    h5p_result_record,
    h5p_state_read,
    h5p_state_store,
)
from content.packages.views import commit_signature, file_token
from content.services import learner_answers_erase, learner_answers_export
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

#: What H5P core keeps for a Course Presentation left at slide 2 with one answer given (sub-content "0": the content).
SLIDE_2 = {"0": {"state": json.dumps({"progress": 1, "answers": [{}, {"answer": True}]})}}


@pytest.fixture
def h5p(tmp_path):
    from tests.fixtures.packages import h5p_true_false

    with open_archive(h5p_true_false(tmp_path / "vf.h5p")) as archive:
        return content_package_store(archive=archive, engine="h5p", title="Verdadero o falso")


@pytest.fixture
def peruvian():
    return UserFactory(first_name="Ramón", last_name="Quispe Huamán", phone="+51912345670")


@pytest.fixture
def ecuadorian():
    return UserFactory(first_name="Belén", last_name="Guamán Ñaupari", phone="+593987654320")


def commit_url(user, package, usage_id="h5p-1", page_id=None):
    sig = commit_signature(user_id=user.pk, package=package, usage_id=usage_id, page_id=page_id)
    return reverse("packages:scorm_commit", args=[package.uuid]) + f"?usage={usage_id}&sig={sig}"


def test_state_is_stored_and_read_back_for_the_same_learner_package_and_activity(peruvian, h5p):
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-1") == {}
    h5p_state_store(user=peruvian, package=h5p, usage_id="h5p-1", state=SLIDE_2)
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-1") == SLIDE_2
    # Another activity (usage id) playing the same package starts afresh.
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-2") == {}
    # A newer state replaces the older one on the same attempt; a state is no result (nothing completed).
    later = {"0": {"state": json.dumps({"progress": 2})}}
    h5p_state_store(user=peruvian, package=h5p, usage_id="h5p-1", state=later)
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-1") == later
    attempt = ScormAttempt.objects.get(user=peruvian, package=h5p)
    assert not attempt.completed and attempt.best_score is None


def test_another_learner_never_gets_the_state(client, peruvian, ecuadorian, h5p):
    h5p_state_store(user=peruvian, package=h5p, usage_id="h5p-1", state=SLIDE_2)
    assert h5p_state_read(user=ecuadorian, package=h5p, usage_id="h5p-1") == {}
    client.force_login(ecuadorian)
    # Through the lesson page's address: their own signed address gives nothing, the Peruvian's is refused.
    assert client.get(commit_url(ecuadorian, h5p)).json() == {"h5p_state": None}
    assert client.get(commit_url(peruvian, h5p)).status_code == 403
    refused = client.post(commit_url(peruvian, h5p), {"h5p_state": {}}, content_type="application/json")
    assert refused.status_code == 403
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-1") == SLIDE_2


def test_the_lesson_page_stores_and_reads_the_state_through_the_signed_address(client, ecuadorian, h5p):
    client.force_login(ecuadorian)
    url = commit_url(ecuadorian, h5p)
    response = client.post(url, json.dumps({"h5p_state": SLIDE_2}), content_type="application/json")
    assert response.status_code == 200 and response.json()["result"] == "true"
    answer = client.get(url)
    assert answer.json() == {"h5p_state": SLIDE_2}
    assert "no-store" in answer["Cache-Control"]  # never kept by a cache for someone else
    client.logout()
    assert client.get(url).status_code == 302  # sign-in first


def test_a_state_over_the_cap_is_refused_clearly_and_the_stored_one_stays(client, peruvian, h5p):
    h5p_state_store(user=peruvian, package=h5p, usage_id="h5p-1", state=SLIDE_2)
    huge = {"0": {"state": json.dumps({"progress": 3, "text": "ñ" * H5P_STATE_MAX_BYTES})}}
    with pytest.raises(H5PStateRefused, match="demasiado grande"):
        h5p_state_store(user=peruvian, package=h5p, usage_id="h5p-1", state=huge)
    client.force_login(peruvian)
    response = client.post(commit_url(peruvian, h5p), json.dumps({"h5p_state": huge}), content_type="application/json")
    assert response.status_code == 413
    assert "demasiado grande" in response.json()["error"] and "64 KB" in response.json()["error"]
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-1") == SLIDE_2


def test_a_state_of_another_shape_is_not_kept(peruvian, h5p):
    h5p_state_store(user=peruvian, package=h5p, usage_id="h5p-1", state=["no", "es", "un", "objeto"])
    h5p_state_store(user=peruvian, package=h5p, usage_id="h5p-2", state={"0": {"state": "RESET", "x": 3}})
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-1") == {}
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-2") == {}


def test_a_result_keeps_the_state(peruvian, h5p):
    """H5P sends its results apart from its state: recording the result must not erase where the learner was."""
    h5p_state_store(user=peruvian, package=h5p, usage_id="h5p-1", state=SLIDE_2)
    statement = {"verb": {"id": "http://adlnet.gov/expapi/verbs/answered"}, "result": {"score": {"scaled": 1}}}
    attempt = h5p_result_record(user=peruvian, package=h5p, usage_id="h5p-1", statement=statement)
    assert attempt is not None and attempt.completed
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-1") == SLIDE_2


def test_the_state_is_in_the_data_download_and_goes_with_the_account(peruvian, h5p):
    h5p_state_store(user=peruvian, package=h5p, usage_id="h5p-1", state=SLIDE_2)
    exported = learner_answers_export(user=peruvian)["scorm_attempts"]
    assert [json.loads(row["suspend_data"]) for row in exported] == [SLIDE_2]
    learner_answers_erase(user_id=peruvian.pk)
    assert h5p_state_read(user=peruvian, package=h5p, usage_id="h5p-1") == {}


def test_the_h5p_frame_starts_with_the_state_and_sends_what_h5p_saves(client, h5p):
    """The frame reads the state from its address (the lesson page puts it there) and gives it to h5p-standalone
    as contentUserData, with saveFreq on (without it H5P neither resumes nor saves); what H5P saves goes to the
    lesson page on Ruta's origin only."""
    html = client.get(reverse("packages:h5p_frame", args=[h5p.uuid, file_token(h5p)])).content.decode()
    assert "options.contentUserData = saved" in html and "saveFreq: 10" in html
    assert 'window.top.postMessage({ruta: "h5p-state", state: JSON.parse(json)}, location.origin)' in html


def test_the_offline_download_counts_the_h5p_frame_at_no_less_than_its_size(client, h5p):
    """The download panel tells the learner how much a course weighs before it downloads (H5P_FRAME_BYTES for
    each H5P frame page): the frame with its resume script must not outgrow that figure."""
    from content.packages.selectors import H5P_FRAME_BYTES

    response = client.get(reverse("packages:h5p_frame", args=[h5p.uuid, file_token(h5p)]))
    assert len(response.content) <= H5P_FRAME_BYTES
