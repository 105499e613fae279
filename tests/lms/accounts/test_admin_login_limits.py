"""The admin logins share the site's login limits (lms/admin_login.py): guessing a password on /admin/login/ or
/django-admin/login/ locks the account like /accounts/login/ does, a lockout from either page holds on the other,
and staff still log in to the admin."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"


@pytest.fixture
def editor():
    return UserFactory(username="editora", is_staff=True, is_superuser=True)


def _admin_login(password, username="editora", address="200.48.225.1"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})
    return client, response


def _site_login(password, login="editora", address="200.48.225.1"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("account_login"), {"login": login, "password": password})
    return client, response


def _logged_in(client):
    return bool(client.session.get("_auth_user_id"))


def test_guessing_on_the_admin_login_locks_the_account_even_for_the_right_password(editor):
    for attempt in range(70):
        client, response = _admin_login(f"adivina-{attempt}")
        assert response.status_code == 200 and not _logged_in(client)
    client, response = _admin_login(PASSWORD)
    assert not _logged_in(client)
    assert "Demasiados intentos" in response.content.decode()
    # The lockout is the account's: the site's login refuses too.
    client, _ = _site_login(PASSWORD, address="181.176.1.10")
    assert not _logged_in(client)


def test_an_account_locked_on_the_site_login_cannot_log_in_through_the_admin(editor):
    for attempt in range(5):
        _site_login(f"adivina-{attempt}", address=f"190.117.10.{attempt + 1}")
    client, response = _admin_login(PASSWORD, address="190.117.10.99")
    assert not _logged_in(client)
    assert "Demasiados intentos" in response.content.decode()
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def test_a_few_typos_then_the_right_password_still_log_in_to_the_admin(editor):
    for attempt in range(3):
        _admin_login(f"adivina-{attempt}")
    client, response = _admin_login(PASSWORD)
    assert response.status_code == 302 and _logged_in(client)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_unauthenticated_admin_leads_to_a_login_page_that_works(client, editor):
    response = client.get("/admin/", follow=True)
    login_url, _ = response.redirect_chain[-1]
    assert urlsplit(login_url).path == reverse("wagtailadmin_login")
    assert response.status_code == 200 and 'name="password"' in response.content.decode()
    response = client.post(login_url, {"username": "editora", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_django_admin_login_is_the_admin_login(client, editor):
    response = client.get("/django-admin/", follow=True)
    assert [urlsplit(url).path for url, _ in response.redirect_chain] == [
        "/django-admin/login/",
        reverse("wagtailadmin_login"),
    ]
    login_url = response.redirect_chain[-1][0]
    response = client.post(login_url, {"username": "editora", "password": PASSWORD})
    assert response["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_posting_a_password_to_the_django_admin_login_logs_no_one_in(editor):
    client = Client()
    for attempt in range(10):
        client.post("/django-admin/login/", {"username": "editora", "password": f"adivina-{attempt}"})
    response = client.post("/django-admin/login/", {"username": "editora", "password": PASSWORD})
    assert response.status_code == 302 and not _logged_in(client)


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/admin/", "javascript:alert(1)"])
def test_the_django_admin_login_keeps_only_a_safe_next(client, unsafe):
    response = client.get("/django-admin/login/", {"next": unsafe})
    assert response["Location"] == reverse("wagtailadmin_login")


def test_staff_refused_by_the_django_admin_land_in_the_wagtail_admin_without_a_loop(client):
    from tests.lms.accounts.factories import staff_with

    client.force_login(staff_with(("wagtailadmin", "access_admin")))
    response = client.get("/django-admin/", follow=True)
    assert response.status_code == 200 and len(response.redirect_chain) <= 3
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_home")
