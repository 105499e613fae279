"""Enrolment, prerequisites, lesson and course progress, and the once-only completion signal."""

import pytest
from django.core.exceptions import ValidationError

from courses.models import Enrollment, LessonPage, LessonProgress
from courses.selectors import course_outline_for_learner
from courses.services import enrollment_create, progress_record
from courses.signals import course_completed
from tests.courses.factories import CoursePageFactory, build_course
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def completions():
    received = []

    def receiver(sender, enrollment, **kwargs):
        received.append(enrollment.pk)

    course_completed.connect(receiver, dispatch_uid="test-completions")
    yield received
    course_completed.disconnect(dispatch_uid="test-completions")


def lessons_of(course):
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def test_self_enrolment_in_an_open_course_is_created_once(user):
    course = build_course()
    first = enrollment_create(user=user, course=course)
    second = enrollment_create(user=user, course=course)
    assert first.pk == second.pk
    assert Enrollment.objects.filter(user=user, course=course).count() == 1
    assert first.source == Enrollment.Source.SELF
    assert first.status == Enrollment.Status.ACTIVE


def test_self_enrolment_in_a_closed_course_is_refused_with_a_reason(user):
    course = build_course(open_enrollment=False)
    with pytest.raises(ValidationError) as error:
        enrollment_create(user=user, course=course)
    assert "no tiene inscripción abierta" in error.value.messages[0]
    assert not Enrollment.objects.exists()
    # A cohort (or staff) may still enrol people in a closed course.
    assert enrollment_create(user=user, course=course, source=Enrollment.Source.COHORT).pk


def test_prerequisites_must_be_completed_first(user):
    gin = build_course(title="Genere su Idea de Negocio", code="GIN")
    isun = CoursePageFactory(title="Inicie su Negocio", code="ISUN", parent=gin.get_parent())
    isun.prerequisites.add(gin)
    isun.save()
    with pytest.raises(ValidationError) as error:
        enrollment_create(user=user, course=isun)
    assert error.value.messages == ["Completa primero Genere su Idea de Negocio."]

    enrollment_create(user=user, course=gin)
    for lesson in lessons_of(gin):
        progress_record(user=user, lesson_id=lesson.pk, viewed=True)
    assert enrollment_create(user=user, course=isun).course_id == isun.pk


def test_viewing_lessons_advances_progress_and_remembers_the_last_lesson(user, completions):
    course = build_course(modules=2, lessons_per_module=2)
    lessons = lessons_of(course)
    enrollment = enrollment_create(user=user, course=course)

    progress_record(user=user, lesson_id=lessons[0].pk, viewed=True)
    enrollment.refresh_from_db()
    assert enrollment.progress == 25
    assert enrollment.last_lesson_id == lessons[0].pk
    assert LessonProgress.objects.get(enrollment=enrollment, lesson=lessons[0]).status == "completed"
    outline = course_outline_for_learner(course=course, user=user)
    assert outline.next_lesson == lessons[1]

    for lesson in lessons[1:]:
        progress_record(user=user, lesson_id=lesson.pk, viewed=True)
    enrollment.refresh_from_db()
    assert enrollment.progress == 100
    assert enrollment.completed_at is not None
    assert enrollment.status == Enrollment.Status.COMPLETED
    assert completions == [enrollment.pk]

    # Viewing again never completes twice.
    progress_record(user=user, lesson_id=lessons[0].pk, viewed=True)
    progress_record(user=user, lesson_id=lessons[-1].pk, viewed=True)
    assert completions == [enrollment.pk]


def test_optional_lessons_do_not_block_completion(user, completions):
    course = build_course(lessons_per_module=2)
    required, optional = lessons_of(course)
    optional.required = False
    optional.save()
    enrollment = enrollment_create(user=user, course=course)
    progress_record(user=user, lesson_id=required.pk, viewed=True)
    enrollment.refresh_from_db()
    assert enrollment.progress == 100
    assert completions == [enrollment.pk]


def test_progress_is_not_recorded_without_an_enrolment(user):
    course = build_course()
    assert progress_record(user=user, lesson_id=lessons_of(course)[0].pk, viewed=True) is None
    assert not LessonProgress.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_completion_flag_is_flipped_once_even_if_two_calls_race(user, completions):
    """Three requests arrive at the same moment (the last two lessons viewed on two phones, one a double tap):
    real threads and real transactions. Exactly one of them completes the course and sends the signal once,
    and none of them loses the other's progress."""
    import threading

    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises whole-database writes instead of row locks; CI runs this on PostgreSQL")
    course = build_course(lessons_per_module=2)
    first, second = lessons_of(course)
    enrollment = enrollment_create(user=user, course=course)
    barrier = threading.Barrier(3)
    errors = []

    def view(lesson):
        try:
            barrier.wait()
            progress_record(user=user, lesson_id=lesson.pk, viewed=True)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=view, args=(lesson,)) for lesson in (first, second, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    enrollment.refresh_from_db()
    assert enrollment.progress == 100 and enrollment.status == Enrollment.Status.COMPLETED
    assert enrollment.completed_at is not None
    assert LessonProgress.objects.filter(enrollment=enrollment).count() == 2
    assert completions == [enrollment.pk]


def test_other_learners_progress_is_separate():
    course = build_course(lessons_per_module=1)
    ana, beto = UserFactory(), UserFactory()
    enrollment_create(user=ana, course=course)
    enrollment_create(user=beto, course=course)
    progress_record(user=ana, lesson_id=lessons_of(course)[0].pk, viewed=True)
    assert Enrollment.objects.get(user=ana).progress == 100
    assert Enrollment.objects.get(user=beto).progress == 0


def test_withdrawn_learner_records_no_progress_and_re_enrolling_restores_it(user):
    from courses.services import enrollment_withdraw

    course = build_course(lessons_per_module=2)
    first, second = lessons_of(course)
    enrollment = enrollment_create(user=user, course=course)
    progress_record(user=user, lesson_id=first.pk, viewed=True)
    enrollment_withdraw(enrollment=enrollment)
    assert progress_record(user=user, lesson_id=second.pk, viewed=True) is None
    assert not first.can_submit_activity(user)

    again = enrollment_create(user=user, course=course)
    assert again.pk == enrollment.pk
    assert again.status == Enrollment.Status.ACTIVE
    assert again.progress == 50
