"""Imported packages played by a learner in headless Chromium, end to end through Ruta's own pages:
a SCORM 1.2 and a SCORM 2004 package run to completion in the sandboxed player and the learner's progress
shows it; a converted H5P question and a converted Open edX problem are answered as Ruta activities."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from wagtail.models import Page

from courses.imports.models import PackageImport
from courses.imports.services import package_import_create, package_import_run
from courses.models import CoursePage, Enrollment, LessonPage, LessonProgress
from courses.services import enrollment_create
from tests.content.packages.test_scorm_journeys import stored, take_the_test
from tests.corpus import CORPUS, corpus
from tests.courses.factories import catalogue
from tests.lms.accounts.factories import UserFactory

VENDOR = Path(__file__).resolve().parents[3] / "content" / "packages" / "static" / "vendor"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    corpus,
]


def import_and_publish(name: str) -> CoursePage:
    """Import a corpus package as a draft course, then publish it as an editor would."""
    catalogue().save_revision().publish()
    record = package_import_run(package_import=package_import_create(file=CORPUS / name))
    assert record.status == PackageImport.Status.DONE, record.error
    course = record.course_page.specific
    course.open_enrollment = True
    course.save()
    for page in [course.get_parent(), course, *course.get_descendants()]:
        page.specific.save_revision().publish()
    return CoursePage.objects.get(pk=course.pk)


def learner_page(page, live_server, course):
    user = UserFactory()
    enrollment_create(user=user, course=course, source=Enrollment.Source.STAFF)
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return user


def first_lesson_with(course: CoursePage, kind: str) -> tuple[LessonPage, dict]:
    for lesson in LessonPage.objects.live().descendant_of(course).order_by("path"):
        for block in lesson.body.raw_data:
            if block["type"] == kind:
                return lesson, block
    raise AssertionError(f"no {kind} block in {course.title}")


@pytest.mark.parametrize(
    "package",
    ["scorm12/golf_RuntimeBasicCalls_SCORM12.zip", "scorm2004/golf_RunTimeAdvancedCalls_SCORM20043rdEdition.zip"],
    ids=["scorm12", "scorm2004"],
)
def test_scorm_package_played_to_completion_shows_in_progress(phone_page, live_server, screenshot, package):
    """What the golf journeys (tests/content/packages/test_scorm_journeys.py) do not cover: the package comes in
    through the import pipeline, and playing it through its own buttons completes the imported course."""
    if not (VENDOR / "scorm-again").is_dir():
        pytest.fail("run `make install` (npm ci + vendor_js) first")
    course = import_and_publish(package)
    lesson, block = first_lesson_with(course, "package")
    user = learner_page(phone_page, live_server, course)
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(lesson.url)
    next_button = page.frame_locator("iframe.package-activity__frame").get_by_role("button", name="Next ->")
    test = page.frame_locator("iframe.package-activity__frame").frame_locator("#contentFrame")
    submit = test.get_by_role("button", name="Submit Answers")
    next_button.wait_for(timeout=20_000)
    for _ in range(20):  # the package's own "Next" button, up to its last page: the test
        # On the last page "Next" is disabled while the test is still loading: wait for one or the other.
        for _ in range(120):
            if submit.is_visible() or next_button.is_enabled():
                break
            page.wait_for_timeout(250)
        if submit.is_visible():
            break
        next_button.click()
        page.wait_for_timeout(200)
    submit.wait_for()
    take_the_test(test, wrong=0)
    assert test.locator("h3", has_text="Score:").inner_text().split(":")[1].strip() == "100"

    attempt = stored(page, lambda a: a.score_scaled is not None and a.success_status == "passed")
    assert (attempt.usage_id, attempt.user) == (block["id"], user)
    for _ in range(40):  # the lesson completes once Ruta has stored the package's result
        progress = LessonProgress.objects.filter(enrollment__user=user, lesson=lesson).first()
        if progress is not None and progress.status == LessonProgress.Status.COMPLETED:
            break
        page.wait_for_timeout(250)
    assert progress is not None and progress.status == LessonProgress.Status.COMPLETED
    page.goto("/aprender/mis-cursos/")
    card = page.locator(".card", has_text=course.title).first
    assert "Completado" in card.inner_text()
    screenshot(page, f"import-{package.split('/')[0]}-completed")


@pytest.mark.parametrize(
    ("package", "kind"),
    [("h5p/H5P.MultiChoice.h5p", "single_choice"), ("olx/openedx-demo-course-lite.tar.gz", "single_choice")],
    ids=["h5p-multichoice", "olx-problem"],
)
def test_converted_question_is_answered_as_a_ruta_activity(phone_page, live_server, screenshot, package, kind):
    course = import_and_publish(package)
    lesson, block = first_lesson_with(course, kind)
    options = [o.get("value", o) for o in block["value"]["options"]]  # ListBlock raw: wrapped or plain
    correct = next(o["text"] for o in options if o["correct"])
    user = learner_page(phone_page, live_server, course)
    page = phone_page
    page.goto(lesson.url)
    # Answer the converted activity we looked up (the one offering its correct option).
    activity = page.locator("section.activity").filter(has=page.get_by_label(correct, exact=True)).first
    activity.get_by_label(correct, exact=True).check()
    activity.get_by_role("button", name="Enviar respuesta").click()
    activity.get_by_text("¡Correcto!").first.wait_for(timeout=10_000)
    screenshot(page, f"import-{package.split('/')[0]}-answered")
    from content.models import Submission

    submission = Submission.objects.get(user=user, usage_id=block["id"])
    assert submission.passed and submission.score == 1.0
    assert Page.objects.filter(pk=lesson.pk, live=True).exists()
