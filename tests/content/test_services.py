"""Recording answers: idempotency, the signal, limits, permissions hooks, free-text review, reflection."""

import uuid
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.exceptions import ActivityNotFound, AttemptsExhausted, GradingError, SubmissionConflict
from content.models import Submission, XBlockState
from content.selectors import activity_results_for_user, pending_submissions_for_grading
from content.services import activity_submit, submission_grade
from tests.content.conftest import VALUES
from tests.content.helpers import post_answer, section
from tests.content.pages import HookedActivityTestPage
from tests.lms.accounts.factories import UserFactory


def test_same_submission_id_twice_is_one_attempt_and_one_signal(user, choice_page, submit, scored):
    page, usage_id = choice_page
    submission_id = uuid.uuid4()
    first = submit(user, page, usage_id, {"choice": ["0"]}, submission_id=submission_id)
    again = submit(user, page, usage_id, {"choice": ["1"]}, submission_id=str(submission_id))

    assert again.pk == first.pk
    assert again.score == 0.0  # the stored result, not a re-evaluation of the new answer
    assert Submission.objects.filter(user=user).count() == 1
    assert len(scored) == 1
    assert XBlockState.objects.get(user=user, block_scope_id=usage_id, field_name="attempts").value == 1


def test_resubmission_through_the_view_does_not_consume_an_attempt(client, user, choice_page, scored):
    page, usage_id = choice_page
    client.force_login(user)
    sid = str(uuid.uuid4())
    post_answer(client, page, usage_id, {"choice": "0"}, submission_id=sid)
    response = post_answer(client, page, usage_id, {"choice": "0"}, submission_id=sid, as_json=True)
    assert response.status_code == 200
    assert "Intentos usados: 1 de 2." in response.json()["html"]
    assert len(scored) == 1


def test_a_duplicate_stops_at_the_unique_row_and_keeps_nothing_of_its_own_evaluation(user, choice_page, submit, scored):
    page, usage_id = choice_page
    sid = uuid.uuid4()
    first = submit(user, page, usage_id, {"choice": ["1"]}, submission_id=sid)
    # A repeat is not looked up first (a new answer is the common case): it is evaluated in its transaction, the
    # unique (user, submission id) row stops it, everything it did rolls back, and the recorded row is returned.
    with CaptureQueriesContext(connection) as queries:
        again = submit(user, page, usage_id, {"choice": ["0"]}, submission_id=sid)

    assert any("ROLLBACK" in q["sql"].upper() for q in queries.captured_queries)
    assert again.pk == first.pk and again.answer == first.answer
    assert Submission.objects.count() == 1
    assert len(scored) == 1
    state = {row.field_name: row.value for row in XBlockState.objects.filter(user=user, block_scope_id=usage_id)}
    assert state["attempts"] == 1 and state["last_answer"] == first.answer


def test_a_submission_id_reused_for_another_activity_is_refused(user, make_page, submit):
    page, ids = make_page({"single_choice": VALUES["single_choice"], "true_false": VALUES["true_false"]})
    sid = uuid.uuid4()
    submit(user, page, ids["single_choice"], {"choice": "1"}, submission_id=sid)
    with pytest.raises(SubmissionConflict):
        submit(user, page, ids["true_false"], {"value": "true"}, submission_id=sid)


def test_invalid_submission_id_is_refused(user, choice_page):
    page, usage_id = choice_page
    with pytest.raises(ValidationError):
        activity_submit(user=user, page=page, usage_id=usage_id, answer={"choice": "1"}, submission_id="nope")


def test_signal_payload(user, make_page, submit, scored):
    page, ids = make_page({"multiple_choice": VALUES["multiple_choice"]})
    submission = submit(user, page, ids["multiple_choice"], {"choices": ["0"]})
    assert scored == [
        {
            "signal": mock.ANY,
            "user": user,
            "usage_id": ids["multiple_choice"],
            "page_id": page.pk,
            "page": page,
            "answer_context": None,  # this test page has no begin_activity_answer hook
            "score": 0.5,
            "passed": False,
            "completed": True,
            "attempt": submission,
            "weight": 2.0,
        }
    ]
    assert submission.attempt_number == 1 and submission.block_type == "multiple_choice"


def test_attempts_beyond_the_limit_are_refused(user, choice_page, submit, scored):
    page, usage_id = choice_page
    submit(user, page, usage_id, {"choice": "0"})
    second = submit(user, page, usage_id, {"choice": "1"})
    assert second.attempt_number == 2
    with pytest.raises(AttemptsExhausted) as error:
        submit(user, page, usage_id, {"choice": "1"})
    assert error.value.messages == ["Ya usaste todos tus intentos en esta actividad."]
    assert len(scored) == 2


def test_unlimited_attempts_when_max_is_zero(user, make_page, submit):
    page, ids = make_page({"ordering": VALUES["ordering"]})
    for _ in range(5):
        with pytest.raises(ValidationError):  # incomplete answers never count
            submit(user, page, ids["ordering"], {})
    page2, ids2 = make_page({"multiple_choice": VALUES["multiple_choice"]})
    for number in range(1, 6):
        assert submit(user, page2, ids2["multiple_choice"], {"choices": ["1"]}).attempt_number == number


def test_unknown_activity_and_anonymous_learner(user, choice_page, submit):
    from django.contrib.auth.models import AnonymousUser

    page, usage_id = choice_page
    with pytest.raises(ActivityNotFound):
        submit(user, page, str(uuid.uuid4()), {"choice": "1"})
    with pytest.raises(PermissionDenied):
        submit(AnonymousUser(), page, usage_id, {"choice": "1"})


def test_page_hook_decides_who_may_submit(make_page, submit, monkeypatch):
    page, ids = make_page({"true_false": VALUES["true_false"]}, hooked=True)
    enrolled, stranger = UserFactory(), UserFactory()
    monkeypatch.setattr(HookedActivityTestPage, "allowed", {enrolled.username})
    assert submit(enrolled, page, ids["true_false"], {"value": "true"}).passed
    with pytest.raises(PermissionDenied):
        submit(stranger, page, ids["true_false"], {"value": "true"})


def test_page_hook_applies_to_the_view_and_the_rendered_page(client, make_page, monkeypatch):
    page, ids = make_page({"true_false": VALUES["true_false"]}, hooked=True)
    stranger = UserFactory()
    monkeypatch.setattr(HookedActivityTestPage, "allowed", set())
    client.force_login(stranger)
    html = section(client.get(page.url).content, ids["true_false"])
    assert "Inscríbete en el curso para responder esta actividad." in html
    assert 'name="submission_id"' not in html
    assert post_answer(client, page, ids["true_false"], {"value": "true"}).status_code == 403
    assert not Submission.objects.exists()


# --- Free text ------------------------------------------------------------------------------------


def test_free_text_is_pending_until_a_reviewer_grades_it(client, user, make_page, scored):
    page, ids = make_page({"free_text": VALUES["free_text"]})
    usage_id = ids["free_text"]
    client.force_login(user)
    post_answer(client, page, usage_id, {"text": "Mujeres de mi barrio que cocinan para vender."})

    submission = Submission.objects.get(usage_id=usage_id)
    assert submission.status == Submission.Status.PENDING and submission.score is None
    assert scored == []  # nothing to report until it is graded
    html = section(client.get(page.url).content, usage_id)
    assert "Pendiente de revisión." in html
    assert "Mujeres de mi barrio que cocinan para vender." in html
    assert 'name="submission_id"' not in html  # one answer under review at a time
    assert list(pending_submissions_for_grading(usage_ids=[usage_id])) == [submission]
    assert activity_results_for_user(user=user, usage_ids=[usage_id])[usage_id].pending_review is True

    grader = UserFactory(is_superuser=True)
    graded = submission_grade(
        grader=grader, submission=submission, rubric_scores={"0": 3, "1": 0}, feedback="Nombra qué necesitan."
    )

    assert graded.status == Submission.Status.GRADED
    assert graded.score == 0.75 and graded.passed is True and graded.grader == grader
    assert [call["score"] for call in scored] == [0.75]
    assert scored[0]["attempt"] == graded and scored[0]["weight"] == 3.0
    html = section(client.get(page.url).content, usage_id)
    assert "Pendiente de revisión." not in html
    assert "Tu nota: 75 %" in html
    assert "Nombra qué necesitan." in html
    assert "Logrado" in html  # the rubric level the reviewer chose
    assert list(pending_submissions_for_grading(usage_ids=[usage_id])) == []
    # a second attempt is open again (two allowed)
    assert 'name="submission_id"' in html


def test_free_text_grading_rules(user, make_page, submit):
    page, ids = make_page({"free_text": VALUES["free_text"]})
    submission = submit(user, page, ids["free_text"], {"text": "Mi cliente"})
    grader = UserFactory(is_superuser=True)
    with pytest.raises(PermissionDenied):
        submission_grade(grader=UserFactory(), submission=submission, rubric_scores={"0": 3, "1": 1}, feedback="")
    with pytest.raises(GradingError):
        submission_grade(grader=grader, submission=submission, rubric_scores={"0": 2, "1": 1}, feedback="")  # no level
    with pytest.raises(GradingError):
        submission_grade(grader=grader, submission=submission, rubric_scores={"0": 3}, feedback="")  # missing one
    submission_grade(grader=grader, submission=submission, rubric_scores={"0": 1, "1": 0}, feedback="")
    with pytest.raises(GradingError):
        submission_grade(grader=grader, submission=submission, rubric_scores={"0": 3, "1": 1}, feedback="")
    submission.refresh_from_db()
    assert submission.score == 0.25 and submission.passed is False


def test_free_text_cannot_be_resubmitted_while_pending(user, make_page, submit):
    page, ids = make_page({"free_text": VALUES["free_text"]})
    submit(user, page, ids["free_text"], {"text": "Primera versión"})
    with pytest.raises(AttemptsExhausted) as error:
        submit(user, page, ids["free_text"], {"text": "Segunda versión"})
    assert "pendiente de revisión" in error.value.messages[0]


def test_page_hook_decides_who_may_grade(make_page, submit, monkeypatch):
    page, ids = make_page({"free_text": VALUES["free_text"]}, hooked=True)
    learner, trainer, other = UserFactory(), UserFactory(), UserFactory()
    monkeypatch.setattr(HookedActivityTestPage, "allowed", {learner.username})
    monkeypatch.setattr(HookedActivityTestPage, "graders", {(trainer.username, learner.username)})
    submission = submit(learner, page, ids["free_text"], {"text": "Texto"})
    with pytest.raises(PermissionDenied):
        submission_grade(grader=other, submission=submission, rubric_scores={"0": 3, "1": 1}, feedback="")
    assert submission_grade(grader=trainer, submission=submission, rubric_scores={"0": 3, "1": 1}, feedback="").passed


def test_grading_view_flow(client, user, make_page, submit):
    page, ids = make_page({"free_text": VALUES["free_text"]})
    submission = submit(user, page, ids["free_text"], {"text": "Vecinas que venden comida"})
    url = f"/actividades/revisar/{submission.pk}/"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(is_superuser=True))
    form = client.get(url).content.decode()
    assert "Vecinas que venden comida" in form and "<legend>Claridad</legend>" in form
    bad = client.post(url, {"criterio_0": "3"})
    assert "Elige un nivel para cada criterio de la rúbrica." in bad.content.decode()
    response = client.post(url, {"criterio_0": "3", "criterio_1": "1", "feedback": "¡Muy claro!"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.score == 1.0 and submission.grader_feedback == "¡Muy claro!"


# --- Self-reflection ------------------------------------------------------------------------------


def test_self_reflection_completes_without_a_score(client, user, make_page, scored):
    page, ids = make_page({"self_reflection": VALUES["self_reflection"]})
    usage_id = ids["self_reflection"]
    client.force_login(user)
    empty = post_answer(client, page, usage_id, {"text": "   "}, as_json=True)
    assert empty.json()["message"] == "Escribe tu reflexión antes de enviarla."

    post_answer(client, page, usage_id, {"text": "Anotaré cada venta en mi cuaderno."})

    submission = Submission.objects.get(usage_id=usage_id)
    assert submission.status == Submission.Status.COMPLETED and submission.score is None
    assert scored[0]["completed"] is True and scored[0]["weight"] == 0.0
    html = section(client.get(page.url).content, usage_id)
    assert "Gracias por compartir tu reflexión." in html
    assert "Tu nota" not in html
    assert "Anotaré cada venta en mi cuaderno." in html
    result = activity_results_for_user(user=user, usage_ids=[usage_id])[usage_id]
    assert result.completed and result.best_score is None


# --- Selectors ------------------------------------------------------------------------------------


def test_results_for_user_best_last_and_attempts(user, make_page, submit, django_assert_num_queries):
    page, ids = make_page({"multiple_choice": VALUES["multiple_choice"], "true_false": VALUES["true_false"]})
    usage_id = ids["multiple_choice"]
    submit(user, page, usage_id, {"choices": ["0", "2"]})
    submit(user, page, usage_id, {"choices": ["0"]})
    submit(UserFactory(), page, usage_id, {"choices": ["1"]})
    # One query for submissions, one for imported-package (SCORM/H5P) attempts of the unanswered ones.
    with django_assert_num_queries(2):
        results = activity_results_for_user(user=user, usage_ids=[usage_id, ids["true_false"]])
    mine = results[usage_id]
    assert (mine.attempts_used, mine.best_score, mine.last_score, mine.passed, mine.completed) == (
        2,
        1.0,
        0.5,
        True,
        True,
    )
    assert mine.score == 1.0
    untouched = results[ids["true_false"]]
    assert (untouched.attempts_used, untouched.completed, untouched.best_score) == (0, False, None)


def test_grading_queue_lists_only_what_the_reviewer_may_grade(client, make_page, submit, monkeypatch):
    from content.selectors import submissions_gradable_by

    page, ids = make_page({"free_text": VALUES["free_text"]}, hooked=True)
    mine, theirs, trainer = UserFactory(first_name="Ana", last_name="Paz"), UserFactory(), UserFactory()
    monkeypatch.setattr(HookedActivityTestPage, "allowed", {mine.username, theirs.username})
    monkeypatch.setattr(HookedActivityTestPage, "graders", {(trainer.username, mine.username)})
    submission = submit(mine, page, ids["free_text"], {"text": "Uno"})
    submit(theirs, page, ids["free_text"], {"text": "Dos"})

    assert submissions_gradable_by(grader=trainer) == [submission]
    client.force_login(trainer)
    html = client.get("/actividades/revisar/").content.decode()
    assert "Ana Paz" in html and f"/actividades/revisar/{submission.pk}/?next=/actividades/revisar/" in html
    assert theirs.username not in html
    submission_grade(grader=trainer, submission=submission, rubric_scores={"0": 1, "1": 1}, feedback="")
    assert "No hay respuestas pendientes de revisión." in client.get("/actividades/revisar/").content.decode()
