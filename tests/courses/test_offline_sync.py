"""Sync rules for answers given offline and sent later (as activities.js sends them: JSON, the learner's tag, the
submission id made on the phone): replays count once; an answer to an activity or a lesson removed meanwhile is
kept and reported, never lost; a course updated meanwhile still takes answers to the activities it kept; an
expired session keeps the answers until the learner signs in again."""

import uuid

import pytest
from django.urls import reverse

from content.models import KeptAnswer, Submission
from courses.models import Enrollment, LessonPage
from courses.services import enrollment_create
from lms.accounts.selectors import learner_tag
from tests.courses.factories import single_choice, text_block
from tests.courses.test_offline import lessons_of, publish
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    from tests.courses.cohorts.factories import CohortFactory, member_of, trainer_of

    cohort = CohortFactory(name="GIN Lima Norte", country="PE", region="Lima", city="Lima")
    course = cohort.course
    learner = member_of(cohort, UserFactory(first_name="Yessenia", last_name="Chávez Ñaupari", phone="+51987000111"))
    trainer = trainer_of(cohort, UserFactory(first_name="Óscar", last_name="Mendoza Ruiz"))
    enrollment_create(user=learner, course=course)
    lesson = lessons_of(course)[0]
    first, second = single_choice("¿Qué conviene hacer antes de invertir?"), single_choice("¿Con quién empiezas?")
    publish(lesson, [text_block("Valida tu idea."), first, second])
    return cohort, course, learner, trainer, LessonPage.objects.get(pk=lesson.pk), first, second


def right_option(block) -> str:
    """The value the page's radio button sends for the right option (its position)."""
    return next(str(i) for i, o in enumerate(block["value"]["options"]) if o["value"]["correct"])


def send(client, learner, lesson, block, *, sid=None, option=None):
    """What activities.js POSTs when the signal returns (``lesson``: the page, or (id, address) of one gone)."""
    page_id, address = lesson if isinstance(lesson, tuple) else (lesson.pk, lesson.url)
    return client.post(
        reverse("content:activity_submit", args=[page_id, block["id"]]),
        {"choice": option or right_option(block), "submission_id": sid or str(uuid.uuid4()), "next": address},
        HTTP_ACCEPT="application/json",
        HTTP_X_RUTA_LEARNER=learner_tag(user=learner),
    )


def test_a_replayed_answer_counts_once(client, world):
    _, _, learner, _, lesson, first, _ = world
    client.force_login(learner)
    sid = str(uuid.uuid4())
    for _ in range(3):  # the phone resends after a timeout it took for a failure
        assert send(client, learner, lesson, first, sid=sid).status_code == 200
    assert Submission.objects.filter(user=learner).count() == 1


def test_an_answer_to_an_activity_removed_meanwhile_is_kept_and_reported(client, world):
    cohort, _, learner, trainer, lesson, first, second = world
    publish(lesson, [text_block("Valida tu idea."), first])  # the author removed the second question
    client.force_login(learner)
    sid = str(uuid.uuid4())
    response = send(client, learner, lesson, second, sid=sid)
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True and data["kept"] is True and "Guardamos tu respuesta" in data["message"]
    [kept] = KeptAnswer.objects.filter(user=learner)
    assert kept.usage_id == second["id"] and kept.answer == {"choice": [right_option(second)]}
    assert kept.reason == KeptAnswer.Reason.ACTIVITY_REMOVED and kept.path == lesson.url
    assert send(client, learner, lesson, second, sid=sid).status_code == 200  # replayed: still one
    assert KeptAnswer.objects.filter(user=learner).count() == 1
    assert not Submission.objects.filter(user=learner).exists()
    # The activity still in the lesson takes its answer as usual (the course was updated while offline).
    assert send(client, learner, lesson, first).json()["ok"] is True
    assert Submission.objects.filter(user=learner, usage_id=first["id"], passed=True).exists()
    # The trainer sees it on the group's page.
    client.force_login(trainer)
    page = client.get(reverse("cohorts:dashboard", args=[cohort.pk])).content.decode()
    assert 'data-kept-answers="1"' in page
    assert "1 respuesta a una actividad que ya no está en el curso" in page


def test_an_answer_to_a_deleted_lesson_is_kept(client, world):
    _, _, learner, _, lesson, first, _ = world
    lesson_id, title, address = lesson.pk, lesson.title, lesson.url
    from wagtail.actions.delete_page import DeletePageAction

    DeletePageAction(lesson, user=None).execute(skip_permission_checks=True)
    client.force_login(learner)
    response = send(client, learner, (lesson_id, address), first)
    assert response.status_code == 200 and response.json()["kept"] is True
    [kept] = KeptAnswer.objects.filter(user=learner)
    assert kept.reason == KeptAnswer.Reason.LESSON_REMOVED and kept.page_title == title


def test_a_replay_of_an_answer_recorded_before_the_removal_is_not_kept_twice(client, world):
    _, _, learner, _, lesson, first, second = world
    client.force_login(learner)
    sid = str(uuid.uuid4())
    assert send(client, learner, lesson, second, sid=sid).json()["ok"] is True
    publish(lesson, [text_block("Valida tu idea."), first])
    response = send(client, learner, lesson, second, sid=sid)
    assert response.status_code == 200 and response.json()["kept"] is False
    assert not KeptAnswer.objects.exists() and Submission.objects.filter(user=learner).count() == 1


def test_answers_to_activities_that_never_existed_or_too_big_are_refused(client, world):
    _, _, learner, _, lesson, first, _ = world
    client.force_login(learner)
    invented = {**first, "id": str(uuid.uuid4())}
    assert send(client, learner, lesson, invented).status_code == 404
    assert send(client, learner, (999_999, lesson.url), first).status_code == 404
    # Only a block's id names an activity: a word found somewhere in the page's revisions does not.
    for word in ("a", "e", "value", "type", "id", first["id"][:8]):
        assert send(client, learner, lesson, {**first, "id": word}).status_code == 404
    publish(lesson, [text_block("Valida tu idea.")])
    assert send(client, learner, lesson, first, option="x" * 30_000).status_code == 404
    assert not KeptAnswer.objects.exists()


def test_an_expired_session_keeps_the_answer_for_later(client, world):
    _, course, learner, _, lesson, first, _ = world
    sid = str(uuid.uuid4())
    response = send(client, learner, lesson, first, sid=sid)  # not signed in any more
    assert response.status_code == 401 and "Vuelve a iniciar sesión" in response.json()["message"]
    assert not Submission.objects.exists()
    client.force_login(learner)  # signed in again: the phone resends the same answer
    assert send(client, learner, lesson, first, sid=sid).json()["ok"] is True
    assert Submission.objects.filter(user=learner, submission_id=sid).count() == 1
    assert Enrollment.objects.get(user=learner, course=course).progress > 0
