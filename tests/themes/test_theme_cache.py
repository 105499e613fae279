"""The theme (site name, colours, logo) is looked up once per host and minute, and a saved change shows at once."""

from __future__ import annotations

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
