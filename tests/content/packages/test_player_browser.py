"""End to end in headless Chromium: a real SCORM 1.2 SCO runs in the sandboxed iframe, finds the API through
scorm-again's cross-frame bridge, and its CMI data reaches Ruta; reloading resumes from the saved data."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from content.packages.archive import open_archive
from content.packages.models import ScormAttempt
from content.packages.services import content_package_store
from tests.accounts.factories import UserFactory
from tests.corpus import CORPUS, corpus

VENDOR = Path(__file__).resolve().parents[3] / "content" / "packages" / "static" / "vendor" / "scorm-again"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.content.packages.player_urls"),
    corpus,
]


def test_scorm12_sco_commits_and_resumes(desktop_page, live_server, screenshot):
    if not VENDOR.is_dir():
        pytest.fail("run `npm ci --ignore-scripts && python manage.py vendor_js` first")
    with open_archive(CORPUS / "scorm12/golf_RuntimeBasicCalls_SCORM12.zip") as archive:
        package = content_package_store(archive=archive, engine="scorm12", title="Golf")
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = desktop_page
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(f"/prueba-paquete/{package.uuid}/")
    frame = page.frame_locator("iframe.package-activity__frame")
    frame.locator("body").wait_for()
    # The SCO (in the sandboxed frame) called LMSInitialize through the postMessage bridge: the lesson-side API
    # is initialised although the lesson page never called it itself. Then ask it to commit now.
    page.wait_for_function("window.API && window.API.isInitialized && window.API.isInitialized()", timeout=15_000)
    page.wait_for_timeout(1000)
    page.evaluate("window.API.LMSCommit('')")
    page.wait_for_timeout(1500)
    attempt = ScormAttempt.objects.get(user=user, package=package)
    assert attempt.commits >= 1
    screenshot(page, "scorm-player")

    # The iframe is sandboxed without allow-same-origin: the SCO cannot reach Ruta's DOM or cookies.
    sandbox = page.locator("iframe.package-activity__frame").get_attribute("sandbox")
    assert "allow-scripts" in sandbox and "allow-same-origin" not in sandbox
    assert (
        page.evaluate(
            "(() => { try { return !!document.querySelector('iframe.package-activity__frame').contentDocument; }"
            " catch (e) { return false; } })()"
        )
        is False
    )

    # Coming back: the saved CMI tree is handed to the lesson-side API before the SCO starts.
    page.evaluate("window.API.LMSSetValue('cmi.suspend_data', 'pagina-3'); window.API.LMSCommit('')")
    page.wait_for_timeout(1500)
    attempt.refresh_from_db()
    assert attempt.suspend_data == "pagina-3"
    page.goto(f"/prueba-paquete/{package.uuid}/")
    page.wait_for_function("window.API && window.API.isInitialized && window.API.isInitialized()", timeout=15_000)
    assert page.evaluate("window.API.LMSGetValue('cmi.suspend_data')") == "pagina-3"


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
