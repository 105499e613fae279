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
