"""The Wagtail admin speaks Spanish by default (staff of partner institutions work in Spanish)."""

import pytest

pytestmark = pytest.mark.django_db


def test_wagtail_admin_login_is_in_spanish_by_default(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert 'lang="es"' in response.text
    assert "Iniciar sesión" in response.text
    assert "Sign in" not in response.text


def test_wagtail_admin_dashboard_is_in_spanish_for_a_superuser(client):
    from tests.lms.accounts.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert 'lang="es"' in response.text
    assert "<title>Panel de control" in response.text
