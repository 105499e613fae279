"""The Spanish Wagtail admin: the login form's password label and the dashboard's summary (browser audit)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_login_form_labels_the_password_in_spanish(client):
    html = client.get(reverse("wagtailadmin_login"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert re.search(r"<label[^>]*>\s*Contraseña", html)
    assert not re.search(r"<label[^>]*>\s*Password", html)


def test_the_admin_login_form_still_logs_in(client):
    UserFactory(username="editora", is_staff=True, is_superuser=True)
    response = client.post(reverse("wagtailadmin_login"), {"username": "editora", "password": "clave-segura-123"})
    assert response.status_code == 302
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_the_dashboard_summary_is_spanish(client):
    Image.objects.create(title="Logo", file=get_test_image_file())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = " ".join(client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="es").content.decode().split())
    assert re.search(r"\d+ páginas? <span class=\"w-sr-only\">cread", html)
    assert '1 imagen <span class="w-sr-only">creada en' in html
    assert '0 documentos <span class="w-sr-only">creados en' in html
    for english in ("Pages <", "Page <", "Image <", "Documents <", "created in"):
        assert english not in html


@pytest.mark.parametrize(("n", "expected"), [(1, "1 página"), (2, "2 páginas"), (46, "46 páginas")])
def test_the_page_count_has_both_plural_forms(n, expected):
    msgid = '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>'
    plural = '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>'
    with translation.override("es"):
        text = translation.ngettext(msgid, plural, n) % {"total": n, "site_name": "Ruta"}
    assert text.startswith(expected + " <")
