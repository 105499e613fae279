"""lms.middleware.NulCharacterMiddleware: a NUL character anywhere a view could pass it to PostgreSQL (which cannot
store it in text: DataError, a 500) is answered with the themed 400 page, on SQLite and PostgreSQL alike."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.csp_checks import parse_policy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        {"q": "\x00"},
        {"metodologia": "\x00"},
        {"q": "ana\x00maría"},
        {"\x00": "x"},
    ],
)
def test_a_nul_in_the_query_gets_the_themed_400_page(client, query):
    response = client.get(reverse("trainers:registry"), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "carácter nulo" in page
    assert "<h1>Solicitud incorrecta</h1>" in page
    assert "default-src" in parse_policy(response["Content-Security-Policy"])


def test_a_percent_encoded_nul_in_the_raw_query_string(client):
    response = client.get(f"{reverse('trainers:registry')}?q=%00&metodologia=%00")
    assert response.status_code == 400


def test_the_message_follows_the_visitors_language(client):
    response = client.get("/?q=%00", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400 and "carácter nulo" in response.content.decode()


def _form_post(client, data):
    return client.post(reverse("account_login"), urlencode(data), content_type="application/x-www-form-urlencoded")


def test_a_nul_in_a_url_encoded_form_field_gets_a_400(client):
    assert _form_post(client, {"login": "ana\x00", "password": "x"}).status_code == 400
    assert _form_post(client, {"login\x00": "ana", "password": "x"}).status_code == 400


def test_ordinary_requests_pass(client):
    assert client.get(reverse("trainers:registry"), {"q": "ana", "metodologia": ""}).status_code == 200
    assert client.get(f"{reverse('trainers:registry')}?q=%2500").status_code == 200  # the text "%00", not NUL
    assert _form_post(client, {"login": "ana", "password": "x"}).status_code == 200
