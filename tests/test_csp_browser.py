"""In a real browser the policy blocks a script an attacker managed to inject, and the browser's report reaches
``/csp-report/`` and the log; the shared journey guard (tests/conftest.py) sees the violation too.

Chromium prefers ``report-to`` when the policy names both; its Reporting API queue does not deliver from
Playwright's throwaway contexts, so this journey drops ``report-to`` to see the ``report-uri`` report arrive
(the Reporting API body is covered with a real browser's shape in tests/test_csp.py)."""

import copy
import logging
import re
import time

import pytest

from courses.models import LessonPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_injected_inline_script_is_blocked_and_reported(phone_page, csp_violations, caplog, settings):
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    del policy["DIRECTIVES"]["report-to"]
    settings.CONTENT_SECURITY_POLICY = policy
    page = phone_page
    caplog.set_level(logging.WARNING, logger="ruta.csp")
    page.goto("/")
    assert page.locator("h1").is_visible()
    # The theme colours come in a nonced <style>: they apply (a blocked one would leave the CSS default).
    assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()")
    page.evaluate(
        """() => {
        const s = document.createElement("script");
        s.textContent = "window.__injected = 1";
        document.body.appendChild(s);
        document.body.insertAdjacentHTML("beforeend", '<img src="/static/x.png" onerror="window.__injected = 2">');
    }"""
    )

    def logged() -> set[str]:
        return {
            r.getMessage().split('"directive": "', 1)[1].split('"')[0] for r in caplog.records if r.name == "ruta.csp"
        }

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and logged() != {"script-src-elem", "script-src-attr"}:
        page.wait_for_timeout(200)
    assert page.evaluate("window.__injected") is None
    assert logged() == {"script-src-elem", "script-src-attr"}
    assert any("script-src" in v for v in csp_violations)
    csp_violations.clear()  # provoked on purpose: the guard must not fail this test


def test_the_wagtail_admin_works_under_its_policy(desktop_page, live_server):
    """Staff edit pages under the admin variant (inline script/style allowed, nothing else): no violation."""
    from tests.courses.factories import build_course
    from tests.lms.accounts.factories import UserFactory

    UserFactory(username="admin-ecuador", first_name="Ángela", is_staff=True, is_superuser=True)
    course = build_course(title="Finanzas para tu negocio")
    lesson = course.get_descendants().type(LessonPage).first()
    page = desktop_page
    page.goto("/admin/login/")
    page.locator("#id_username").fill("admin-ecuador")
    page.locator("#id_password").fill("clave-segura-123")
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/admin/")
    for path in (
        f"/admin/pages/{course.pk}/",
        f"/admin/pages/{lesson.pk}/edit/",
        f"/admin/pages/{course.pk}/edit/",
        "/admin/images/",
        "/admin/documents/",
        "/admin/users/",
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.locator("main, #main").first.is_visible(), path
    page.goto(f"/admin/pages/{lesson.pk}/edit/")
    page.get_by_role("button", name=re.compile("previa|preview", re.IGNORECASE)).first.click()
    page.wait_for_timeout(1500)  # the preview panel frames the lesson under /admin/
