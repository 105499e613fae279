"""The browser journeys' lost signal: the live server answers nothing while it is cut, and everything after."""

import http.client
import urllib.error
import urllib.request

import pytest

from tests.browser_helpers import NO_SIGNAL

pytestmark = pytest.mark.django_db(transaction=True)


def _get(url: str) -> int:
    with urllib.request.urlopen(url) as response:  # noqa: S310 - the live server, on loopback
        return response.status


def test_without_signal_the_server_is_unreachable_and_answers_again_after(live_server):
    assert _get(f"{live_server.url}/healthz") == 200

    NO_SIGNAL.set()
    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError, ConnectionError)):
        _get(f"{live_server.url}/healthz")
    NO_SIGNAL.clear()

    assert _get(f"{live_server.url}/healthz") == 200


def test_many_requests_at_once_all_get_their_page(live_server):
    """A service worker downloading a course asks for many files at once; with the in-memory database the live
    server's threads share one connection, and every one of those requests must still be answered."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.courses.factories import CoursePageFactory, catalogue

    catalogue()
    for number in range(6):
        CoursePageFactory(title=f"Curso de prueba {number}")

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(_get, [f"{live_server.url}/cursos/"] * 36))

    assert statuses == [200] * 36
