"""A learner passes the corpus's golf SCORM 1.2 test through its own buttons and taps «Volver al curso» at once.
The golf package never calls Commit after writing its score (only SetValue; the package frame sends it after a
short pause, the lesson page after its own): the score still reaches Ruta, sent as the lesson page is left."""

from __future__ import annotations

import pytest

from content.packages.models import ScormAttempt
from courses.services import enrollment_create
from tests.content.packages.test_scorm_journeys import golf_lesson, sign_in, take_the_test
from tests.corpus import corpus
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), corpus]


def test_leaving_right_after_the_test_keeps_its_score(phone_page, live_server, screenshot):
    course, lesson, _package, _block_id = golf_lesson("scorm12")
    learner = UserFactory(first_name="Matías", last_name="Cañar Yánez", phone="+593987650123", email="")
    enrollment_create(user=learner, course=course)
    page = phone_page
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, learner)
    page.goto(lesson.url)
    player = page.frame_locator("iframe.package-activity__frame")
    next_button = player.get_by_role("button", name="Next ->")
    test = player.frame_locator("#contentFrame")
    submit = test.get_by_role("button", name="Submit Answers")
    next_button.wait_for(timeout=20_000)
    for _ in range(20):  # the golf course's own "Next" button, up to its test
        for _ in range(120):
            if submit.is_visible() or next_button.is_enabled():
                break
            page.wait_for_timeout(250)
        if submit.is_visible():
            break
        next_button.click()
        page.wait_for_timeout(200)

    take_the_test(test, wrong=1)
    page.get_by_role("link", name="Volver al curso").click()
    page.wait_for_url(f"**{course.url}")
    for _ in range(40):
        attempt = ScormAttempt.objects.filter(user=learner).first()
        if attempt is not None and attempt.best_score_scaled is not None:
            break
        page.wait_for_timeout(250)
    attempt = ScormAttempt.objects.get(user=learner)
    assert attempt.best_score_scaled is not None and 0.7 < attempt.best_score_scaled < 1.0  # one wrong answer
    assert attempt.best_success_status == "passed"
    screenshot(page, "golf-left-right-after-test")
