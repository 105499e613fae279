"""What the browser journeys share: signing a person in and cutting the phone's network."""

import threading

from django.conf import settings
from django.test import Client


def login(page, live_server, user) -> None:
    """Sign ``user`` in to the page's browser context (the session cookie Django's test client got)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


# Set while the phone has no signal: the live server then drops every request it reads, unanswered.
NO_SIGNAL = threading.Event()

# Requests the live server is answering now (its threads share the test's database connection).
_IN_FLIGHT = 0
_IDLE = threading.Condition()


def _request_started() -> None:
    global _IN_FLIGHT
    with _IDLE:
        _IN_FLIGHT += 1


def _request_ended() -> None:
    global _IN_FLIGHT
    with _IDLE:
        _IN_FLIGHT -= 1
        _IDLE.notify_all()


def wait_for_live_server_idle(timeout: float = 15.0) -> bool:
    """Wait until the live server answers no request (a page closed at the end of a test may have left some on
    their way): the test's database is flushed only then, not under a request still using the shared connection."""
    with _IDLE:
        return _IDLE.wait_for(lambda: _IN_FLIGHT == 0, timeout=timeout)


def _no_signal(route) -> None:
    route.abort("internetdisconnected")


def gate_live_server(live_server) -> None:
    """Make the live server unreachable while ``NO_SIGNAL`` is set, as a phone without signal finds it: each
    request is read and its connection closed with no answer (the browser sees a network error, never a page).

    Chromium may apply its offline emulation late to a document its service worker served, and Playwright's routes
    do not see requests a service worker makes: without this gate such a request could still reach the server."""
    httpd = live_server.thread.httpd
    handler = httpd.RequestHandlerClass
    if getattr(handler, "ruta_gated", False):
        return

    class GatedHandler(handler):  # type: ignore[misc, valid-type]
        ruta_gated = True

        def handle_one_request(self):
            self.ruta_counted = False
            try:
                super().handle_one_request()
            finally:
                if self.ruta_counted:
                    _request_ended()

        def parse_request(self):
            if NO_SIGNAL.is_set():
                self.close_connection = True
                return False  # nothing is answered: the connection just closes
            parsed = super().parse_request()
            if parsed:
                self.ruta_counted = True
                _request_started()
            return parsed

    httpd.RequestHandlerClass = GatedHandler
    if live_server.thread.connections_override:
        httpd.set_app(_one_at_a_time(httpd.get_app()))


# Held while the live server answers a request on the test's shared in-memory SQLite connection.
_SHARED_CONNECTION = threading.Lock()


def _one_at_a_time(app):
    """Answer one request at a time, body included: with the in-memory SQLite database the live server's threads
    share one connection, and two requests stepping through it together break each other's statements
    ("another row available"), as a service worker fetching a course's files in parallel did. A phone's parallel
    downloads still happen; the server only takes them in turn, and the connection stays free between requests."""

    def serialised(environ, start_response):
        with _SHARED_CONNECTION:
            result = app(environ, start_response)
            try:
                body = [bytes(chunk) for chunk in result]
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        return body

    return serialised


def signal(page, up: bool) -> None:
    """Cut or restore the phone's network: offline emulation, requests refused in the browser, and the live server
    unreachable (see ``gate_live_server``)."""
    if up:
        NO_SIGNAL.clear()
        page.context.unroute("**/*", _no_signal)
        page.context.set_offline(False)
    else:
        page.context.set_offline(True)
        page.context.route("**/*", _no_signal)
        NO_SIGNAL.set()


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


def wait_until(page, expression: str, seconds: float = 30) -> None:
    """Poll ``expression`` in the page (wait_for_function would evaluate a string, which Ruta's CSP forbids)."""
    for _ in range(int(seconds * 4)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"never true: {expression}")
