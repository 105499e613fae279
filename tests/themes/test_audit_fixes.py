"""Browser audit: the footer tagline follows the page's language, the site has an icon (and /favicon.ico leads
to it), and the home page promises no sign-up by username."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.templatetags.static import static
from django.urls import reverse
from wagtail.models import Site

from themes.models import DEFAULT_TAGLINE, ThemeSettings

pytestmark = pytest.mark.django_db


def footer(client, language: str) -> str:
    client.get(reverse("language"), {"language": language, "next": "/"})
    html = client.get("/").text
    return html[html.index('<footer class="site-footer">') :]


def theme(**fields) -> ThemeSettings:
    settings = ThemeSettings.for_site(Site.objects.get(is_default_site=True))
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.save()
    return settings


def test_spanish_pages_show_the_spanish_tagline(client):
    theme(tagline="Emprende con Ruta", tagline_en="Start up with Ruta")
    text = footer(client, "es")
    assert "Emprende con Ruta" in text and "Start up with Ruta" not in text


def test_english_pages_show_the_english_tagline(client):
    theme(tagline="Emprende con Ruta", tagline_en="Start up with Ruta")
    text = footer(client, "en")
    assert "Start up with Ruta" in text and "Emprende con Ruta" not in text


def test_without_an_english_tagline_english_pages_show_rutas_default_translated(client):
    theme(tagline=DEFAULT_TAGLINE, tagline_en="")
    with mock.patch("themes.models.gettext", side_effect=lambda s: f"[en] {s}"):
        text = footer(client, "en")
    assert f"[en] {DEFAULT_TAGLINE}" in text
    assert "[en]" not in footer(client, "es")


def test_an_emptied_tagline_shows_in_no_language(client):
    theme(tagline="", tagline_en="")
    assert "<p></p>" in footer(client, "en") and "<p></p>" in footer(client, "es")


def test_every_page_names_the_site_icon(client):
    for url in ["/", reverse("account_login"), "/no-existe/"]:
        html = client.get(url).text
        assert re.search(r'<link rel="icon" href="[^"]*themes/img/favicon\.svg" type="image/svg\+xml">', html), url


@pytest.mark.parametrize("debug", [False, True])
def test_favicon_ico_leads_to_the_icon(client, settings, debug):
    settings.DEBUG = debug  # a route of its own: the development server's 404 page must not swallow it
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("themes/img/favicon.svg")
    assert "max-age" in response["Cache-Control"]
    assert client.get("/favicon.ico/otra").status_code == 404


def test_the_home_page_promises_no_username_sign_up(client):
    html = client.get("/").text
    assert "nombre de usuario" not in html
    assert "con tu número de celular o tu correo" in html
    # The sign-up form indeed asks for no username.
    signup = client.get(reverse("account_signup")).text
    assert 'name="username"' not in signup
