"""End to end in headless Chromium: H5P content plays in the sandboxed frame and its result reaches Ruta.
The SCORM journeys (golf 1.2 and 2004 through their own buttons, resume, score) are in test_scorm_journeys.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from content.packages.archive import open_archive
from content.packages.models import ScormAttempt
from content.packages.services import content_package_store
from tests.corpus import CORPUS, corpus
from tests.lms.accounts.factories import UserFactory

VENDOR = Path(__file__).resolve().parents[3] / "content" / "packages" / "static" / "vendor" / "scorm-again"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.content.packages.player_urls"),
    corpus,
]


def test_h5p_true_false_plays_and_reports_its_result(desktop_page, live_server, screenshot):
    h5p_vendor = VENDOR.parent / "h5p-standalone"
    if not h5p_vendor.is_dir():
        pytest.fail("run `npm ci --ignore-scripts && python manage.py vendor_js` first")
    with open_archive(CORPUS / "h5p/H5P.TrueFalse_h5p-standalone-test.h5p") as archive:
        package = content_package_store(archive=archive, engine="h5p", title="Hello World")
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = desktop_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"/prueba-paquete/{package.uuid}/?launch=h5p.json")
    frame = page.frame_locator("iframe.package-activity__frame")
    frame.get_by_text("Is this false?").wait_for(timeout=20_000)
    frame.get_by_role("radio", name="False").click()
    frame.get_by_role("button", name="Check").click()
    page.wait_for_timeout(2000)
    screenshot(page, "h5p-player")
    attempt = ScormAttempt.objects.get(user=user, package=package)
    assert attempt.completed and attempt.score_scaled == 1.0 and attempt.success_status == "passed"


def test_one_question_of_an_h5p_question_set_is_not_the_whole_set(desktop_page, live_server, screenshot):
    """Audit 2026-12-07: answering question 6 of 9 in the corpus question set stored the set as completed and
    passed with 100 %. Each question's statement is about that question only; the set's own result counts."""
    with open_archive(CORPUS / "h5p/H5P.QuestionSet.h5p") as archive:
        package = content_package_store(archive=archive, engine="h5p", title="Question set")
    user = UserFactory(first_name="María José", last_name="Añez Córdova", phone="+593987654321")
    client = Client()
    client.force_login(user)
    page = desktop_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"/prueba-paquete/{package.uuid}/?launch=h5p.json")
    page.evaluate(
        "window.__ruta_xapi = []; addEventListener('message', e => {"
        " if (e.data && e.data.ruta === 'h5p-xapi') window.__ruta_xapi.push(e.data.statement); })"
    )
    frame = page.frame_locator("iframe.package-activity__frame")
    frame.locator('[aria-label^="Question 6 of 9"]').first.wait_for(timeout=20_000)
    frame.locator('[aria-label^="Question 6 of 9"]').first.click()
    frame.get_by_role("radio", name="True").click()
    frame.get_by_role("button", name="Check").click()
    page.wait_for_function("window.__ruta_xapi.some(s => s.result)", timeout=10_000)
    page.wait_for_timeout(1500)
    statements = page.evaluate("window.__ruta_xapi")
    screenshot(page, "h5p-question-set-one-answer")
    # The question was checked and its answer reported to the page…
    assert any(s.get("result") for s in statements)
    # …but the set is not answered: nothing stored says completed or passed.
    attempts = list(ScormAttempt.objects.filter(user=user, package=package))
    assert not any(a.completed or a.success_status == "passed" for a in attempts), [
        (a.completion_status, a.success_status, a.score_scaled) for a in attempts
    ]
