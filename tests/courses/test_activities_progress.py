"""Lessons completed by their activities, the weighted course score, and the once-only completion signal,
driven by real submissions through content's activity service and its ``activity_scored`` signal."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from courses.models import Enrollment, LessonPage, LessonProgress
from courses.services import enrollment_create
from courses.signals import course_completed
from tests.courses.factories import build_course, fill_blanks, reflection, single_choice, true_false

pytestmark = pytest.mark.django_db


@pytest.fixture
def completions():
    received = []

    def receiver(sender, enrollment, **kwargs):
        received.append(enrollment.pk)

    course_completed.connect(receiver, dispatch_uid="test-activity-completions")
    yield received
    course_completed.disconnect(dispatch_uid="test-activity-completions")


def submit(user, lesson, block, answer, submission_id=None):
    from content.services import activity_submit

    return activity_submit(
        user=user,
        page=lesson,
        usage_id=block["id"],
        answer=answer,
        submission_id=submission_id or str(uuid.uuid4()),
    )


@pytest.fixture
def course_with_quiz():
    """One viewed lesson and one lesson completed by a single choice, a true/false and a reflection."""
    course = build_course(lessons_per_module=2, pass_mark=70)
    intro, quiz = LessonPage.objects.descendant_of(course).order_by("path")
    blocks = {"choice": single_choice(), "truth": true_false(answer="true"), "thought": reflection()}
    quiz.body = list(blocks.values())
    quiz.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    quiz.save_revision().publish()
    return course, intro, LessonPage.objects.get(pk=quiz.pk), blocks


def test_activities_lesson_completes_when_graded_pass_and_reflection_done(user, course_with_quiz, completions):
    course, intro, quiz, blocks = course_with_quiz
    enrollment = enrollment_create(user=user, course=course)
    submit(user, quiz, blocks["choice"], {"choice": "1"})  # wrong
    submit(user, quiz, blocks["truth"], {"value": "true"})
    progress = LessonProgress.objects.get(enrollment=enrollment, lesson=quiz)
    assert progress.status == LessonProgress.Status.IN_PROGRESS

    submit(user, quiz, blocks["choice"], {"choice": "0"})  # right on the second try
    progress.refresh_from_db()
    assert progress.status == LessonProgress.Status.IN_PROGRESS  # reflection still missing

    submit(user, quiz, blocks["thought"], {"text": "Voy a preguntar a mis vecinas qué necesitan."})
    progress.refresh_from_db()
    assert progress.status == LessonProgress.Status.COMPLETED
    assert progress.score == 100.0
    enrollment.refresh_from_db()
    assert enrollment.progress == 50  # the intro lesson is still unread
    assert completions == []


def test_course_completes_once_even_when_the_last_activity_is_resubmitted(client, user, course_with_quiz, completions):
    course, intro, quiz, blocks = course_with_quiz
    enrollment = enrollment_create(user=user, course=course)
    client.force_login(user)
    client.get(intro.url)
    submit(user, quiz, blocks["choice"], {"choice": "0"})
    submit(user, quiz, blocks["thought"], {"text": "Aprendí a escuchar a mis clientes."})
    assert completions == []
    submit(user, quiz, blocks["truth"], {"value": "true"})
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert enrollment.score == 100.0
    assert enrollment.progress == 100
    assert completions == [enrollment.pk]

    submit(user, quiz, blocks["truth"], {"value": "false"})  # resubmitted, even wrongly
    submit(user, quiz, blocks["truth"], {"value": "true"})
    assert completions == [enrollment.pk]
    enrollment.refresh_from_db()
    assert enrollment.completed_at is not None


def test_a_retried_submission_is_not_counted_twice(user, course_with_quiz, completions):
    course, intro, quiz, blocks = course_with_quiz
    enrollment_create(user=user, course=course)
    same = str(uuid.uuid4())
    submit(user, quiz, blocks["choice"], {"choice": "0"}, submission_id=same)
    submit(user, quiz, blocks["choice"], {"choice": "0"}, submission_id=same)
    from content.models import Submission

    assert Submission.objects.filter(user=user, usage_id=blocks["choice"]["id"]).count() == 1


def test_an_answer_resent_after_the_enrolment_ended_gets_its_stored_result(user, course_with_quiz):
    """The phone resends an answer Ruta already recorded, but the learner has left the course since: the resend is
    not a new answer, so it gets the result it had instead of a refusal."""
    from content.models import Submission

    course, intro, quiz, blocks = course_with_quiz
    enrollment = enrollment_create(user=user, course=course)
    same = str(uuid.uuid4())
    first = submit(user, quiz, blocks["choice"], {"choice": "0"}, submission_id=same)
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.WITHDRAWN)
    quiz = LessonPage.objects.get(pk=quiz.pk)  # the page as the next request reads it
    again = submit(user, quiz, blocks["choice"], {"choice": "0"}, submission_id=same)
    assert again.pk == first.pk and again.passed
    with pytest.raises(PermissionDenied):  # a new answer is refused
        submit(user, LessonPage.objects.get(pk=quiz.pk), blocks["choice"], {"choice": "0"})
    assert Submission.objects.filter(user=user).count() == 1


def test_another_try_with_the_same_result_leaves_the_lesson_row_alone_and_a_better_one_updates_it(
    user, course_with_quiz
):
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.services import VISIT_REFRESH

    course, intro, quiz, blocks = course_with_quiz
    enrollment = enrollment_create(user=user, course=course)
    submit(user, quiz, blocks["choice"], {"choice": "1"})  # wrong
    row = LessonProgress.objects.get(enrollment=enrollment, lesson=quiz)
    enrollment.refresh_from_db()
    first_try = enrollment.last_activity_at
    assert enrollment.last_lesson_id == quiz.pk and first_try is not None

    # Another wrong try moments later changes nothing the learner or their trainers see: neither row is written
    # (the learner's last activity, judged in days, was recorded moments ago on this lesson).
    with CaptureQueriesContext(connection) as queries:
        submit(user, LessonPage.objects.get(pk=quiz.pk), blocks["choice"], {"choice": "1"})  # wrong again
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert not [sql for sql in writes if "courses_lessonprogress" in sql or "courses_enrollment" in sql]
    assert LessonProgress.objects.get(pk=row.pk).updated_at == row.updated_at
    enrollment.refresh_from_db()
    assert enrollment.last_activity_at == first_try

    # Once that is older than VISIT_REFRESH, a try is recorded as the learner's last activity again.
    long_ago = timezone.now() - VISIT_REFRESH - datetime.timedelta(seconds=1)
    Enrollment.objects.filter(pk=enrollment.pk).update(last_activity_at=long_ago)
    submit(user, LessonPage.objects.get(pk=quiz.pk), blocks["choice"], {"choice": "1"})  # wrong, later
    enrollment.refresh_from_db()
    assert enrollment.last_activity_at > first_try
    assert LessonProgress.objects.get(pk=row.pk).updated_at == row.updated_at

    submit(user, LessonPage.objects.get(pk=quiz.pk), blocks["choice"], {"choice": "0"})  # right
    better = LessonProgress.objects.get(pk=row.pk)
    assert better.score > (row.score or 0) and better.updated_at > row.updated_at
    score_before = enrollment.score or 0
    enrollment.refresh_from_db()
    assert enrollment.score > score_before  # the course's score moved at once, within the same minutes


def test_course_is_not_completed_below_the_pass_mark(client, user, completions):
    """All required lessons done (viewed rule) but the weighted score is 50 % against a 70 % pass mark."""
    course = build_course(lessons_per_module=1, pass_mark=70)
    lesson = LessonPage.objects.descendant_of(course).get()
    first, second = single_choice(), fill_blanks()
    lesson.body = [first, second]
    lesson.save_revision().publish()  # completion rule stays "viewed"
    lesson = LessonPage.objects.get(pk=lesson.pk)
    enrollment = enrollment_create(user=user, course=course)
    submit(user, lesson, first, {"choice": "0"})
    submit(user, lesson, second, {"blank": ["nada"]})
    enrollment.refresh_from_db()
    assert enrollment.progress == 100
    assert enrollment.score == 50.0
    assert enrollment.completed_at is None
    assert completions == []
    client.force_login(user)
    html = client.get(course.url).content.decode()
    assert "Tu nota en las actividades es 50 % y se aprueba con 70 %" in html

    submit(user, lesson, second, {"blank": ["gastos"]})  # best score now counts
    enrollment.refresh_from_db()
    assert enrollment.score == 100.0
    assert enrollment.completed_at is not None
    assert completions == [enrollment.pk]


def test_unenrolled_learner_cannot_submit(user, course_with_quiz):
    from django.core.exceptions import PermissionDenied

    course, intro, quiz, blocks = course_with_quiz
    with pytest.raises(PermissionDenied):
        submit(user, quiz, blocks["choice"], {"choice": "0"})
