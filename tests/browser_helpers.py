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
