"""What the browser journeys share: signing a person in and cutting the phone's network."""

from django.conf import settings
from django.test import Client


def login(page, live_server, user) -> None:
    """Sign ``user`` in to the page's browser context (the session cookie Django's test client got)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _no_signal(route) -> None:
    route.abort("internetdisconnected")


def signal(page, up: bool) -> None:
    """Cut or restore the phone's network: offline emulation, and requests refused at the network layer too
    (Chromium may apply the emulation late to a document a service worker served right after a process swap)."""
    if up:
        page.context.unroute("**/*", _no_signal)
        page.context.set_offline(False)
    else:
        page.context.set_offline(True)
        page.context.route("**/*", _no_signal)


def download_course(page, course_url: str, *, media: bool = False, timeout: int = 30_000):
    """On the course page, the learner downloads the whole course for offline study (ticking «Video y audio» if
    ``media``) and waits for «Listo»; returns the download panel."""
    from playwright.sync_api import expect

    page.goto(course_url)
    panel = page.locator("#offline-download")
    panel.get_by_role("button", name="Descargar para estudiar sin conexión").click()
    if media:
        panel.get_by_label("Video y audio").check()
    panel.get_by_role("button", name="Descargar (").click()
    expect(panel.locator("[data-offline-status]")).to_contain_text("Listo:", timeout=timeout)
    return panel


def later_without_signal(page, *, timeout: int = 15_000):
    """No signal, and the learner closes the page and comes back later: a new page of the same browser."""
    signal(page, up=False)
    context = page.context
    page.close()
    fresh = context.new_page()
    fresh.set_default_timeout(timeout)
    return fresh
