"""The corpus's golf SCORM 1.2 package, imported as the admin's «Importar paquetes» does (its scripts write a
score, so its block comes in «Calificado»), played in headless Chromium through its own buttons by three learners
of a course with a certificate programme: José fails its test (and relaunches it, which writes "completed" over
"failed"), María pages to the last page without answering the test, Rosa passes. Only Rosa completes the course and
gets a certificate; the trainer's gradebook shows each one's score."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from certification.models import Certificate
from content.packages.models import ScormAttempt
from courses.models import Enrollment, LessonProgress
from courses.services import enrollment_create
from tests.certification.factories import ProgrammeFactory
from tests.content.packages.test_scorm_journeys import take_the_test
from tests.corpus import corpus
from tests.courses.cohorts.factories import CohortFactory, member_of, trainer_of
from tests.courses.imports.test_import_browser import first_lesson_with, import_and_publish
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), corpus]

GOLF12 = "scorm12/golf_RuntimeBasicCalls_SCORM12.zip"


def sign_in_as(page, live_server, user) -> None:
    page.context.clear_cookies()
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def to_the_test(page, lesson_url: str):
    """Open the lesson and press the package's own "Next" up to its last page, the test; returns the test frame."""
    page.goto(lesson_url)
    player = page.frame_locator("iframe.package-activity__frame")
    next_button = player.get_by_role("button", name="Next ->")
    test = player.frame_locator("#contentFrame")
    submit = test.get_by_role("button", name="Submit Answers")
    next_button.wait_for(timeout=20_000)
    for _ in range(20):
        for _ in range(120):  # on the last page "Next" is disabled while the test loads: wait for one or the other
            if submit.is_visible() or next_button.is_enabled():
                break
            page.wait_for_timeout(250)
        if submit.is_visible():
            break
        next_button.click()
        page.wait_for_timeout(200)
    submit.wait_for()
    return test


def attempt_of(page, user, condition, seconds: float = 15) -> ScormAttempt:
    """The learner's attempt once Ruta stored what ``condition`` expects (commits are debounced)."""
    for _ in range(int(seconds * 4)):
        attempt = ScormAttempt.objects.filter(user=user).first()
        if attempt is not None and condition(attempt):
            return attempt
        page.wait_for_timeout(250)
    return ScormAttempt.objects.get(user=user)


def test_only_the_learner_who_passes_the_golf_test_completes_the_course(phone_page, live_server, screenshot):
    course = import_and_publish(GOLF12)
    lesson, block = first_lesson_with(course, "package")
    assert block["value"]["graded"] is True  # its launch page writes cmi.core.score.raw
    ProgrammeFactory(course=course, auto_issue=True)
    cohort = CohortFactory(course=course)
    jose = member_of(cohort, UserFactory(first_name="José", last_name="Gutiérrez", phone="+51912000111", email=""))
    maria = member_of(cohort, UserFactory(first_name="María", last_name="Chávez", phone="+593991234001", email=""))
    rosa = member_of(cohort, UserFactory(first_name="Rosa", last_name="Quispe", phone="+51912000222", email=""))
    for person in (jose, maria, rosa):
        enrollment_create(user=person, course=course, source=Enrollment.Source.STAFF)
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())  # "resume where you left off?" → yes

    # José fails the test: the package sends a low score and "failed".
    sign_in_as(page, live_server, jose)
    take_the_test(to_the_test(page, lesson.url), wrong=8)
    attempt = attempt_of(page, jose, lambda a: a.best_success_status == "failed")
    jose_score = round(attempt.best_score * 100)
    assert attempt.best_success_status == "failed" and jose_score < 70
    # He comes back: the package resumes at its bookmark, the last page, and writes "completed" over "failed".
    page.goto("/aprender/mis-cursos/")
    page.goto(lesson.url)
    page.frame_locator("iframe.package-activity__frame").get_by_role("button", name="Next ->").wait_for()
    attempt = attempt_of(page, jose, lambda a: a.completion_status == "completed" and a.success_status == "")
    assert attempt.success_status == "" and attempt.best_success_status == "failed"
    page.goto(lesson.url)
    result = page.get_by_test_id("package-result").inner_text()
    assert result.startswith(f"Tu nota: {jose_score} %") and "Aún no apruebas" in result
    screenshot(page, "golf-graded-failed-relaunched")

    # María pages to the last page (the package says "completed") and never answers the test.
    sign_in_as(page, live_server, maria)
    to_the_test(page, lesson.url)
    attempt_of(page, maria, lambda a: a.completion_status == "completed")

    # Rosa passes.
    sign_in_as(page, live_server, rosa)
    take_the_test(to_the_test(page, lesson.url), wrong=0)
    attempt_of(page, rosa, lambda a: a.best_success_status == "passed")
    for _ in range(40):
        if Enrollment.objects.filter(user=rosa, course=course, completed_at__isnull=False).exists():
            break
        page.wait_for_timeout(250)

    enrollments = {e.user_id: e for e in Enrollment.objects.filter(course=course)}
    for person in (jose, maria):
        enrollment = enrollments[person.pk]
        assert enrollment.status == Enrollment.Status.ACTIVE and enrollment.completed_at is None, person
        assert enrollment.progress == 0
        assert not LessonProgress.objects.filter(enrollment=enrollment, status=LessonProgress.Status.COMPLETED).exists()
        assert not Certificate.objects.filter(holder=person).exists()
    assert enrollments[jose.pk].score == jose_score and enrollments[maria.pk].score == 0
    assert enrollments[rosa.pk].status == Enrollment.Status.COMPLETED and enrollments[rosa.pk].score == 100
    assert Certificate.objects.filter(holder=rosa).count() == 1

    # The trainer's gradebook shows each one's package score; only Rosa «Completó».
    sign_in_as(page, live_server, trainer_of(cohort))
    page.goto(reverse("cohorts:grades", args=[cohort.pk]))
    rows = {name: page.locator("tr", has_text=name).inner_text() for name in ("José", "María", "Rosa")}
    assert str(jose_score) in rows["José"] and "100" in rows["Rosa"] and "—" not in rows["José"]
    screenshot(page, "golf-graded-gradebook")
    page.goto(reverse("cohorts:dashboard", args=[cohort.pk]))
    assert page.get_by_text("Completó").count() == 1
