"""Shared phone: María José downloads a course; her session ends without «Salir» (it expires, cookies cleared) and the
next person browses Ruta signed out, with signal. Her downloads (pages with her name and progress) and the offline
worker go, so the course address opened later without signal shows nothing of hers."""

import contextlib

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import download_course, signal, wait_until
from tests.courses.test_offline_browser import course  # noqa: F401 (a fixture)
from tests.courses.test_shared_phone_browser import OFFLINE_CACHES, WORKERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGOUT_JS = "script[src*='themes/js/logout.js']"


def settled_content(page) -> str:
    """The page's HTML once the browser has finished showing its own offline error (a failed goto returns while the
    browser is still navigating to it)."""
    for _ in range(50):
        with contextlib.suppress(Exception):
            page.wait_for_load_state("domcontentloaded")
            return page.content()
        page.wait_for_timeout(100)
    return page.content()


def her_downloaded_course_then_her_session_ends(page, live_server, course_page):
    """María José (Peru, no e-mail) signs in and downloads the course; then her cookies go without «Salir»."""
    from courses.services import enrollment_create
    from tests.browser_helpers import login
    from tests.lms.accounts.factories import UserFactory

    maria = UserFactory(first_name="María José", last_name="Peñaloza Quispe", phone="+51987654321", email="")
    enrollment_create(user=maria, course=course_page)
    login(page, live_server, maria)
    download_course(page, course_page.url)
    assert page.evaluate(OFFLINE_CACHES)
    page.context.clear_cookies()


def her_downloads_go(page):
    expect(page.get_by_role("link", name="Entrar")).to_be_visible()
    expect(page.locator(LOGOUT_JS)).to_have_count(1)  # base.html loads it on every page, signed out too
    wait_until(page, f"{OFFLINE_CACHES}.then((k) => k.length === 0)")
    wait_until(page, f"{WORKERS}.then((n) => n === 0)")


def test_a_signed_out_visit_online_removes_the_downloads_of_a_session_that_ended_without_salir(
    phone_page,
    live_server,
    course,  # noqa: F811
):
    page = phone_page
    her_downloaded_course_then_her_session_ends(page, live_server, course)
    page.goto("/")  # the next person browses Ruta, signed out, with signal
    her_downloads_go(page)

    signal(page, up=False)
    # Without a worker the browser shows its own offline error (goto raises): nothing of hers.
    with contextlib.suppress(Exception):
        page.goto(course.url)
    assert "María José" not in settled_content(page)
    signal(page, up=True)


def test_a_signed_out_page_under_her_course_worker_also_removes_them(
    phone_page,
    live_server,
    course,  # noqa: F811
):
    page = phone_page
    her_downloaded_course_then_her_session_ends(page, live_server, course)
    page.goto(course.url)  # straight to the course address: her worker controls the page, the server says signed out
    her_downloads_go(page)
