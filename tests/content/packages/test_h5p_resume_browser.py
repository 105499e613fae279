"""Journeys in headless Chromium (360×740) with the corpus's H5P packages, driven only through the packages' own
buttons: go on in a Course Presentation or a Question Set, leave the lesson, come back, and the content shows where
the learner was (H5P's user state kept in Ruta, per learner, package and activity)."""

from __future__ import annotations

import json
import uuid

import pytest

from content.packages.archive import open_archive
from content.packages.models import ScormAttempt
from content.packages.services import content_package_store
from courses.models import LessonPage
from courses.services import enrollment_create
from tests.browser_helpers import signal
from tests.content.packages.test_scorm_journeys import VENDOR, sign_in
from tests.corpus import CORPUS, corpus
from tests.courses.factories import build_course
from tests.lms.accounts.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    corpus,  # skipped without the shared corpus, an error under RUTA_REQUIRE_CORPUS=1 (tests/corpus.py)
]


def h5p_lesson(path: str, title: str):
    """A published course whose one lesson plays the corpus H5P package at ``path`` (tracked)."""
    if not (VENDOR.parent / "h5p-standalone").is_dir():
        pytest.fail("run `npm ci --ignore-scripts && python manage.py vendor_js` first")
    with open_archive(CORPUS / path) as archive:
        package = content_package_store(archive=archive, engine="h5p", title=title)
    course = build_course(lessons_per_module=1, pass_mark=70, title="Emprender en Lima y Quito")
    lesson = LessonPage.objects.descendant_of(course).get()
    block_id = str(uuid.uuid4())
    lesson.body = [
        {
            "type": "package",
            "id": block_id,
            "value": {
                "package": str(package.uuid),
                "engine": "h5p",
                "title": title,
                "launch": "h5p.json",
                "parameters": "",
                "tracked": True,
            },
        }
    ]
    lesson.save_revision().publish()
    return course, LessonPage.objects.get(pk=lesson.pk), package, block_id


def saved_state(page, user, package, condition, seconds: float = 15) -> dict:
    """The H5P state Ruta keeps for the learner once it satisfies ``condition`` (saves are debounced)."""
    for _ in range(int(seconds * 4)):
        attempt = ScormAttempt.objects.filter(user=user, package=package).first()
        if attempt is not None and attempt.suspend_data:
            state = json.loads(json.loads(attempt.suspend_data)["0"]["state"])
            if condition(state):
                return state
        page.wait_for_timeout(250)
    raise AssertionError("Ruta did not keep the H5P state")


def open_presentation(page, live_server, user):
    """The corpus's Course Presentation on a lesson, opened by ``user`` (enrolled) at its first slide; returns the
    lesson, package, block id, the player frame and its current-slide locator."""
    course, lesson, package, block_id = h5p_lesson("h5p/H5P.CoursePresentation.h5p", "Presentación")
    enrollment_create(user=user, course=course)
    sign_in(page, live_server, user)
    player = page.frame_locator("iframe.package-activity__frame")
    current = player.locator(".h5p-slide.h5p-current")
    page.goto(lesson.url)
    current.wait_for(timeout=30_000)
    return lesson, package, block_id, player, current


def test_course_presentation_resumes_at_the_slide_left(phone_page, live_server, screenshot):
    user = UserFactory(first_name="Ramón", last_name="Quispe Huamán", phone="+51912345670")
    page = phone_page
    lesson, package, block_id, player, current = open_presentation(page, live_server, user)
    counter = player.locator(".h5p-footer-slide-count")
    assert "1/4" in counter.inner_text()
    # The package's own "Next slide" button.
    player.get_by_role("button", name="Next slide").first.click()
    player.locator(".h5p-slide").nth(1).and_(current).wait_for(timeout=10_000)
    assert "2/4" in counter.inner_text()
    screenshot(page, "h5p-presentation-slide-2")
    state = saved_state(page, user, package, lambda s: s.get("progress") == 1)
    assert state["progress"] == 1
    assert ScormAttempt.objects.get(user=user, package=package).usage_id == block_id

    # Leave the lesson through Ruta, then come back to it.
    page.goto("/aprender/mis-cursos/")
    page.goto(lesson.url)
    current.wait_for(timeout=30_000)
    player.locator(".h5p-slide").nth(1).and_(current).wait_for(timeout=15_000)
    assert "2/4" in counter.inner_text()  # where the learner left, not the first slide
    screenshot(page, "h5p-presentation-resumed")


def test_question_set_resumes_at_the_question_left_with_its_answer(phone_page, live_server, screenshot):
    course, lesson, package, block_id = h5p_lesson("h5p/H5P.QuestionSet.h5p", "Cuestionario")
    user = UserFactory(first_name="Belén", last_name="Guamán Ñaupari", phone="+593987654320")
    enrollment_create(user=user, course=course)
    page = phone_page
    sign_in(page, live_server, user)
    player = page.frame_locator("iframe.package-activity__frame")
    page.goto(lesson.url)
    sixth = player.locator('[aria-label^="Question 6 of 9"]').first
    sixth.wait_for(timeout=30_000)
    assert (
        player.locator('[aria-label^="Question 1 of 9"]').first.get_attribute("aria-label").endswith("Current question")
    )
    sixth.click()  # the set's own navigation dots
    true = player.get_by_role("radio", name="True")
    true.click()  # the question's own answer
    assert sixth.get_attribute("aria-label") == "Question 6 of 9, Current question"
    screenshot(page, "h5p-question-set-question-6")
    page.wait_for_timeout(1000)

    # Leave at once, before the lesson page's debounced save: it goes as the page is left.
    page.goto("/aprender/mis-cursos/")
    state = saved_state(page, user, package, lambda s: s.get("progress") == 5)
    assert state["answers"][5] == {"answer": True}
    page.goto(lesson.url)
    sixth.wait_for(timeout=30_000)
    # Back at question 6 (not question 1), with the answer the learner chose.
    player.locator('[aria-label="Question 6 of 9, Current question"]').wait_for(timeout=15_000)
    assert true.get_attribute("aria-checked") == "true"
    assert not player.locator('[aria-label="Question 1 of 9, Current question"]').count()
    screenshot(page, "h5p-question-set-resumed")


def test_without_signal_the_slide_waits_on_the_phone_and_is_sent_when_it_returns(phone_page, live_server, screenshot):
    user = UserFactory(first_name="Ángela", last_name="Chávez Ibáñez", phone="+51987654321")
    page = phone_page
    lesson, package, _block_id, player, current = open_presentation(page, live_server, user)
    signal(page, up=False)
    player.get_by_role("button", name="Next slide").first.click()
    notice = page.locator("[data-package-notice]")
    notice.get_by_text("se enviará al conectarte").wait_for(timeout=10_000)
    assert "estado" in page.evaluate("Object.keys(JSON.parse(localStorage['ruta:paquetes-pendientes'])).join()")
    assert not ScormAttempt.objects.filter(user=user).exists()
    screenshot(page, "h5p-presentation-waiting")

    signal(page, up=True)
    state = saved_state(page, user, package, lambda s: s.get("progress") == 1)
    assert state["progress"] == 1
    notice.get_by_text("ya se envió").wait_for(timeout=10_000)
    page.goto(lesson.url)
    player.locator(".h5p-slide").nth(1).and_(current).wait_for(timeout=30_000)
    assert "2/4" in player.locator(".h5p-footer-slide-count").inner_text()
