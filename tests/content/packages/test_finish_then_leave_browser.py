"""A learner passes the corpus's golf SCORM test through its own buttons and at once taps «Volver al curso»: the
course page already counts the lesson on its first load (the commit is not left waiting out a pause, and the link
waits for it), and before leaving, the lesson itself shows «Completada» without a reload."""

from __future__ import annotations

import pytest

from courses.models import Enrollment
from courses.services import enrollment_create
from tests.content.packages.test_scorm_journeys import golf_lesson, sign_in, take_the_test
from tests.corpus import corpus
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), corpus]


def reach_the_test(page, lesson_url: str):
    page.on("dialog", lambda dialog: dialog.accept())
    player = page.frame_locator("iframe.package-activity__frame")
    page.goto(lesson_url)
    next_button = player.get_by_role("button", name="Next ->")
    next_button.wait_for()
    test = player.frame_locator("#contentFrame")
    for _ in range(14):  # the golf course's own "Next" button, up to its test
        next_button.click()
        page.wait_for_timeout(150)
    test.get_by_role("button", name="Submit Answers").wait_for()
    return test


def test_passing_then_leaving_at_once_shows_the_course_completed(phone_page, live_server, screenshot):
    course, lesson, _package, _block_id = golf_lesson("scorm12")
    learner = UserFactory(first_name="Ñusta", last_name="Huamán Ríos", phone="+51923456781", email="")
    enrollment_create(user=learner, course=course)
    page = phone_page
    sign_in(page, live_server, learner)
    test = reach_the_test(page, lesson.url)
    assert page.locator("[data-lesson-progress='status']").inner_text() == "En curso"

    take_the_test(test, wrong=0)
    assert test.locator("h3", has_text="Score:").inner_text().endswith("100")
    # The lesson shows the pass without a reload (the server's marks come back with the commit).
    page.locator("[data-lesson-progress='status']", has_text="Completada").wait_for(timeout=6000)
    screenshot(page, "golf-finish-lesson-completed")


def test_leaving_right_after_the_test_finds_the_course_counted(phone_page, live_server, screenshot):
    course, lesson, _package, _block_id = golf_lesson("scorm12")
    learner = UserFactory(first_name="Matías", last_name="Cañar Yánez", phone="+593987650123", email="")
    enrollment_create(user=learner, course=course)
    page = phone_page
    sign_in(page, live_server, learner)
    test = reach_the_test(page, lesson.url)

    take_the_test(test, wrong=0)
    page.get_by_role("link", name="Volver al curso").click()  # no wait
    page.wait_for_url(f"**{course.url}")
    screenshot(page, "golf-finish-course-page")
    assert page.get_by_text("Completaste este curso").is_visible()  # on its first load, no reload
    assert Enrollment.objects.get(user=learner, course=course).status == Enrollment.Status.COMPLETED
