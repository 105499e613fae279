"""An unknown Host header is answered with the themed 400 page (Django's DisallowedHost), not a 500: the page's
theme lookup must not ask for the host again."""

import logging

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hosts(settings):
    settings.ALLOWED_HOSTS = ["ruta.example.org"]
    settings.DEBUG = False


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/no-existe/", "/admin/"])
def test_an_unknown_host_gets_a_400_not_a_500(client, production_hosts, path, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(path, HTTP_HOST="evil.example")
    assert response.status_code == 400
    # Django itself notes the refused host on django.security.DisallowedHost; no 500 traceback on django.request.
    assert not [r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.ERROR]


def test_the_400_page_shows_the_default_theme(client, production_hosts):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Ruta" in response.content.decode()


def test_an_allowed_host_still_gets_its_page(client, production_hosts):
    assert client.get("/", HTTP_HOST="ruta.example.org").status_code == 200
