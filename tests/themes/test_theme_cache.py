"""The theme (site name, colours, logo) is looked up once per host and minute, and a saved change shows at once."""

from __future__ import annotations

import copy
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from tests.certification.factories import issue
from themes.models import ThemeSettings

pytestmark = pytest.mark.django_db


def test_second_page_view_does_not_look_the_theme_up_again(client):
    certificate = issue()
    url = reverse("certification:verify", args=[certificate.code])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert response.status_code == 200

    def theme_queries(captured):
        return [q["sql"] for q in captured if "themesettings" in q["sql"] or "wagtailcore_site" in q["sql"]]

    assert len(theme_queries(first.captured_queries)) >= 1
    assert theme_queries(second.captured_queries) == []


def test_a_saved_theme_shows_on_the_next_page(client):
    client.get("/")
    settings = ThemeSettings.for_site(Site.objects.get(is_default_site=True))
    settings.site_name = "Emprende Ecuador"
    settings.save()
    assert "Emprende Ecuador" in client.get(reverse("certification:verify_form")).content.decode()


def _another_process():
    """What a second web process starts with: nothing this process kept in memory, only the shared cache."""
    import themes.context_processors

    importlib.reload(themes.context_processors)


def _saved_in_another_process(settings):
    """Save as another web process would: this process's memory is left exactly as it was."""
    import themes.context_processors

    memory = vars(themes.context_processors)
    kept = {name: copy.copy(value) for name, value in memory.items() if isinstance(value, dict)}
    settings.save()
    memory.update(kept)


def theme_queries(captured):
    return [q["sql"] for q in captured if "themesettings" in q["sql"] or "wagtailcore_site" in q["sql"]]


def test_a_theme_saved_in_one_process_shows_at_once_in_another(client):
    assert "Ruta" in client.get(reverse("certification:verify_form")).content.decode()
    settings = ThemeSettings.for_site(Site.objects.get(is_default_site=True))
    settings.site_name = "Emprende Perú"
    _saved_in_another_process(settings)
    assert "Emprende Perú" in client.get(reverse("certification:verify_form")).content.decode()


def test_a_second_process_uses_the_theme_the_first_looked_up(client):
    settings = ThemeSettings.for_site(Site.objects.get(is_default_site=True))
    settings.site_name = "Emprende Ecuador"
    settings.save()
    client.get(reverse("certification:verify_form"))
    _another_process()
    with CaptureQueriesContext(connection) as second:
        response = client.get(reverse("certification:verify_form"))
    assert "Emprende Ecuador" in response.content.decode()
    assert theme_queries(second.captured_queries) == []


def test_a_deleted_theme_falls_back_to_the_defaults_in_every_process(client):
    settings = ThemeSettings.for_site(Site.objects.get(is_default_site=True))
    settings.site_name = "Emprende Ecuador"
    settings.save()
    assert "Emprende Ecuador" in client.get(reverse("certification:verify_form")).content.decode()
    settings.delete()
    _another_process()
    assert "Emprende Ecuador" not in client.get(reverse("certification:verify_form")).content.decode()
