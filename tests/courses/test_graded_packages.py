"""A package block marked «Calificado» (graded): the package's score counts for the lesson and the course, and the
lesson completes only when the package reports success or, reporting none, a score that reaches the pass mark.
A content package (not graded) completes on "completed", but never after it reported "failed"."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from content.packages.models import ContentPackage
from content.packages.services import scorm_commit
from courses.models import Enrollment, LessonPage, LessonProgress
from courses.services import enrollment_create
from courses.signals import course_completed
from tests.courses.cohorts.factories import CohortFactory, member_of, trainer_of
from tests.courses.factories import build_course
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def package_block(package, *, graded, mastery=None, weight=1, engine="scorm12"):
    value = {
        "package": str(package.uuid),
        "engine": engine,
        "title": "Reglas del golf",
        "launch": "shared/launchpage.html",
        "parameters": "",
        "tracked": True,
        "mastery_score": mastery,
    }
    if graded is not None:  # None: a block saved before «Calificado» existed
        value.update(graded=graded, weight=weight)
    return {"type": "package", "id": str(uuid.uuid4()), "value": value}


def package_course(*, graded=True, mastery=None, pass_mark=70, engine="scorm12"):
    course = build_course(lessons_per_module=1, pass_mark=pass_mark, title="Reglas del golf")
    lesson = LessonPage.objects.descendant_of(course).get()
    package = ContentPackage.objects.create(engine=engine, title="Golf", storage_prefix="paquetes/prueba/")
    block = package_block(package, graded=graded, mastery=mastery, engine=engine)
    lesson.body = [block]
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    return course, LessonPage.objects.get(pk=lesson.pk), package, block["id"]


def learner(name="José Gutiérrez", phone="+51912000111"):
    first, last = name.split(" ", 1)
    return UserFactory(first_name=first, last_name=last, phone=phone, email="")


def commit12(user, package, usage_id, lesson, *, status, raw=None, location="14"):
    core = {"lesson_status": status, "lesson_location": location}
    if raw is not None:
        core["score"] = {"raw": str(raw), "min": "0", "max": "100"}
    return scorm_commit(user=user, package=package, usage_id=usage_id, cmi={"core": core}, page_id=lesson.pk)


@pytest.fixture
def completions():
    sent = []

    def receiver(sender, enrollment, **kwargs):
        sent.append(enrollment.pk)

    course_completed.connect(receiver, dispatch_uid="test-graded-packages")
    yield sent
    course_completed.disconnect(dispatch_uid="test-graded-packages")


def lesson_status(enrollment, lesson):
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()
    return progress.status if progress else None


def test_a_failed_graded_package_does_not_complete_the_lesson_nor_the_course(completions):
    course, lesson, package, usage_id = package_course()
    jose = learner()
    enrollment = enrollment_create(user=jose, course=course)
    commit12(jose, package, usage_id, lesson, status="failed", raw=7)
    enrollment.refresh_from_db()
    assert lesson_status(enrollment, lesson) != LessonProgress.Status.COMPLETED
    assert enrollment.status == Enrollment.Status.ACTIVE and enrollment.completed_at is None
    assert enrollment.progress == 0
    assert enrollment.score == 7.0  # the package's score is the course score
    assert completions == []


def test_a_graded_package_completed_without_taking_its_test_does_not_complete_the_course(completions):
    """María pages to the last page: the package says "completed" and sends no score. Not taken = not passed."""
    course, lesson, package, usage_id = package_course()
    maria = learner("María Chávez", "+593991234001")
    enrollment = enrollment_create(user=maria, course=course)
    commit12(maria, package, usage_id, lesson, status="completed")
    enrollment.refresh_from_db()
    assert lesson_status(enrollment, lesson) != LessonProgress.Status.COMPLETED
    assert enrollment.completed_at is None and enrollment.score == 0.0
    assert completions == []


def test_a_passed_graded_package_completes_the_course_with_its_score(completions):
    course, lesson, package, usage_id = package_course()
    rosa = learner("Rosa Quispe", "+51912000222")
    enrollment = enrollment_create(user=rosa, course=course)
    commit12(rosa, package, usage_id, lesson, status="passed", raw=93)
    enrollment.refresh_from_db()
    assert lesson_status(enrollment, lesson) == LessonProgress.Status.COMPLETED
    assert LessonProgress.objects.get(enrollment=enrollment, lesson=lesson).score == 93.0
    assert enrollment.status == Enrollment.Status.COMPLETED and enrollment.progress == 100
    assert enrollment.score == 93.0
    assert completions == [enrollment.pk]


def test_a_graded_package_reporting_no_success_is_judged_by_the_course_pass_mark():
    course, lesson, package, usage_id = package_course(engine="scorm2004", pass_mark=70)
    below, above = learner("Ángel Ruiz", "+51912000333"), learner("Nélida Paz", "+593987654321")
    for person, scaled in ((below, "0.65"), (above, "0.75")):
        enrollment_create(user=person, course=course)
        cmi = {"completion_status": "completed", "success_status": "unknown", "score": {"scaled": scaled}}
        scorm_commit(user=person, package=package, usage_id=usage_id, cmi=cmi, page_id=lesson.pk)
    low, high = (Enrollment.objects.get(user=p, course=course) for p in (below, above))
    assert low.completed_at is None and low.score == 65.0
    assert high.status == Enrollment.Status.COMPLETED and high.score == 75.0


def test_a_graded_package_with_a_mastery_score_is_judged_by_it():
    course, lesson, package, usage_id = package_course(engine="scorm2004", mastery=0.9, pass_mark=50)
    person = learner("Úrsula Díaz", "+51912000444")
    enrollment = enrollment_create(user=person, course=course)
    # scorm-again would set "failed" itself against scaled_passing_score; a SCO that reports none is judged here.
    cmi = {"completion_status": "completed", "success_status": "unknown", "score": {"scaled": "0.8"}}
    scorm_commit(user=person, package=package, usage_id=usage_id, cmi=cmi, page_id=lesson.pk)
    enrollment.refresh_from_db()
    assert enrollment.completed_at is None  # 80 % passes the course's 50 % but not the package's 90 %
    cmi["score"] = {"scaled": "0.95"}
    scorm_commit(user=person, package=package, usage_id=usage_id, cmi=cmi, page_id=lesson.pk)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED and enrollment.score == 95.0


def test_a_relaunch_writing_completed_over_failed_still_counts_as_failed(completions):
    """The golf package, relaunched at its bookmark (the last page), writes "completed" over "failed"."""
    course, lesson, package, usage_id = package_course()
    jose = learner()
    enrollment = enrollment_create(user=jose, course=course)
    commit12(jose, package, usage_id, lesson, status="failed", raw=7)
    attempt = commit12(jose, package, usage_id, lesson, status="completed")  # relaunch: no score, "completed"
    assert attempt.best_success_status == "failed" and attempt.best_score == pytest.approx(0.07)
    enrollment.refresh_from_db()
    assert lesson_status(enrollment, lesson) != LessonProgress.Status.COMPLETED
    assert enrollment.completed_at is None and enrollment.score == 7.0
    assert completions == []

    # Retaking the test and passing it completes the course; a later lower try keeps the best.
    commit12(jose, package, usage_id, lesson, status="passed", raw=85)
    commit12(jose, package, usage_id, lesson, status="failed", raw=40)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED and enrollment.score == 85.0
    assert completions == [enrollment.pk]


def test_an_ungraded_content_package_completes_on_completed_and_its_score_does_not_count():
    course, lesson, package, usage_id = package_course(graded=False)
    person = learner("Inés Huamán", "+51912000555")
    enrollment = enrollment_create(user=person, course=course)
    commit12(person, package, usage_id, lesson, status="completed")
    enrollment.refresh_from_db()
    assert lesson_status(enrollment, lesson) == LessonProgress.Status.COMPLETED
    assert enrollment.status == Enrollment.Status.COMPLETED and enrollment.score is None


def test_a_block_saved_before_the_graded_choice_keeps_completing_on_completed():
    course, lesson, package, usage_id = package_course(graded=None)
    assert lesson.activities[0]["graded"] is False and lesson.activities[0]["weight"] == 0
    person = learner("Óscar León", "+593991112233")
    enrollment = enrollment_create(user=person, course=course)
    commit12(person, package, usage_id, lesson, status="completed")
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED and enrollment.score is None


def test_an_ungraded_package_that_reported_failed_does_not_pass_when_a_relaunch_says_completed():
    course, lesson, package, usage_id = package_course(graded=False)
    person = learner("Inés Huamán", "+51912000556")
    enrollment = enrollment_create(user=person, course=course)
    commit12(person, package, usage_id, lesson, status="failed", raw=30)
    commit12(person, package, usage_id, lesson, status="completed")
    enrollment.refresh_from_db()
    assert lesson_status(enrollment, lesson) != LessonProgress.Status.COMPLETED
    assert enrollment.completed_at is None


def test_a_graded_package_weighs_in_the_lesson_score_beside_other_activities():
    from content.services import activity_submit
    from tests.courses.factories import single_choice

    course = build_course(lessons_per_module=1, pass_mark=70)
    lesson = LessonPage.objects.descendant_of(course).get()
    package = ContentPackage.objects.create(engine="scorm12", title="Golf", storage_prefix="paquetes/prueba/")
    block, quiz = package_block(package, graded=True, weight=3), single_choice()
    lesson.body = [block, quiz]
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    lesson = LessonPage.objects.get(pk=lesson.pk)
    person = learner("Julián Ñañez", "+51912000666")
    enrollment = enrollment_create(user=person, course=course)
    activity_submit(user=person, page=lesson, usage_id=quiz["id"], answer={"choice": "0"}, submission_id=uuid.uuid4())
    commit12(person, package, block["id"], lesson, status="passed", raw=60)
    enrollment.refresh_from_db()
    assert enrollment.score == pytest.approx(70.0)  # (3 × 60 + 1 × 100) / 4


def test_the_trainer_sees_the_package_score_and_no_completion_for_a_failed_learner(client):
    course, lesson, package, usage_id = package_course()
    cohort = CohortFactory(course=course)
    jose = member_of(cohort, learner())
    maria = member_of(cohort, learner("María Chávez", "+593991234001"))
    for person in (jose, maria):
        enrollment_create(user=person, course=course)
    commit12(jose, package, usage_id, lesson, status="failed", raw=7)
    commit12(maria, package, usage_id, lesson, status="passed", raw=88)
    client.force_login(trainer_of(cohort))
    grades = client.get(reverse("cohorts:grades", args=[cohort.pk])).content.decode()
    assert "<td>7</td>" in grades and "<td>88</td>" in grades
    detail = client.get(reverse("cohorts:member_detail", args=[cohort.pk, jose.pk])).content.decode()
    assert "7 %" in detail and "Completó" not in detail
    dashboard = client.get(reverse("cohorts:dashboard", args=[cohort.pk])).content.decode()
    assert dashboard.count("Completó") == 1  # María only
