"""An answer on a lesson begins by locking the learner (their user row and enrolment) in the statement that decides
whether they may answer (``LessonPage.begin_activity_answer``): nobody outside the course answers, and two tabs
cannot both take an activity's last attempt. The race runs real threads and real transactions."""

import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from content.models import Submission
from content.services import activity_submit
from courses.models import Enrollment, LessonPage, LessonProgress
from courses.services import enrollment_create
from tests.courses.factories import build_course, single_choice
from tests.lms.accounts.factories import UserFactory


def lesson_with(block, **course_options):
    course = build_course(lessons_per_module=1, **course_options)
    lesson = LessonPage.objects.descendant_of(course).get()
    lesson.body = [block]
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    return course, LessonPage.objects.get(pk=lesson.pk)


def answer(user, lesson, block, choice="0"):
    return activity_submit(
        user=user, page=lesson, usage_id=block["id"], answer={"choice": choice}, submission_id=str(uuid.uuid4())
    )


@pytest.mark.django_db
def test_only_enrolled_learners_with_their_prerequisites_answer():
    block = single_choice()
    course, lesson = lesson_with(block, code="ISUN")
    stranger, withdrawn, missing, enrolled = (UserFactory(first_name=n) for n in ("Ñusta", "José", "Inés", "María"))
    gin = build_course(code="GIN", parent=course.get_parent())
    enrollment_create(user=enrolled, course=course, check_prerequisites=False)
    Enrollment.objects.create(user=withdrawn, course=course, status=Enrollment.Status.WITHDRAWN)
    course.prerequisites.add(gin)
    course.save()
    Enrollment.objects.create(user=missing, course=course, source=Enrollment.Source.STAFF)
    lesson = LessonPage.objects.get(pk=lesson.pk)  # the course's structure (prerequisites) read afresh

    for person in (stranger, withdrawn, missing):
        with pytest.raises(PermissionDenied):
            answer(person, LessonPage.objects.get(pk=lesson.pk), block)
    assert not Submission.objects.exists() and not LessonProgress.objects.exists()

    course.prerequisites.clear()
    course.save()
    answer(enrolled, LessonPage.objects.get(pk=lesson.pk), block)
    assert Enrollment.objects.get(user=enrolled).score == 100.0


@pytest.mark.django_db(transaction=True)
def test_two_tabs_cannot_both_take_the_last_attempt():
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("in-memory SQLite fails concurrent writers instead of waiting; CI runs this on PostgreSQL")
    block = single_choice()
    block["value"]["max_attempts"] = 1
    course, lesson = lesson_with(block)
    learner = UserFactory(first_name="Yésica", phone="+593991234567")
    enrollment_create(user=learner, course=course)
    barrier = threading.Barrier(2)
    recorded, refused, errors = [], [], []

    def tab(choice):
        try:
            barrier.wait()
            recorded.append(answer(learner, LessonPage.objects.get(pk=lesson.pk), block, choice).pk)
        except ValidationError as error:  # the limit: "no te quedan intentos"
            refused.append(error)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(choice,)) for choice in ("0", "1")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(recorded) == 1 and len(refused) == 1
    assert Submission.objects.filter(user=learner).count() == 1
    enrollment = Enrollment.objects.get(user=learner)
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 1
