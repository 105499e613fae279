"""The browser journeys' lost signal: the live server answers nothing while it is cut, and everything after."""

import http.client
import urllib.error
import urllib.request

import pytest

from tests.browser_helpers import NO_SIGNAL

pytestmark = pytest.mark.django_db(transaction=True)


def test_without_signal_the_server_is_unreachable_and_answers_again_after(live_server):
    with urllib.request.urlopen(f"{live_server.url}/healthz") as response:
        assert response.status == 200

    NO_SIGNAL.set()
    with pytest.raises((http.client.RemoteDisconnected, urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(f"{live_server.url}/healthz")
    NO_SIGNAL.clear()

    with urllib.request.urlopen(f"{live_server.url}/healthz") as response:
        assert response.status == 200
