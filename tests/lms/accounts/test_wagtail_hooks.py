"""lms/accounts/wagtail_hooks.py: institutions and memberships in the Wagtail admin (Spanish menu), memberships
listed only for managed institutions and never granted there."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from lms.accounts.models import Role
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory, staff_with

pytestmark = pytest.mark.django_db

STAFF_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("accounts", "view_institution"),
    ("accounts", "view_membership"),
]


def test_staff_editor_finds_institutions_and_memberships_in_the_spanish_menu(client):
    client.force_login(staff_with(*STAFF_PERMISSIONS, first_name="Begoña"))
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for label in ("Instituciones", "Membresías"):
        assert json.dumps(label)[1:-1] in html  # the sidebar menu is JSON data in the page


def test_memberships_are_listed_only_for_managed_institutions_and_never_granted_here(client):
    alternativa = InstitutionFactory(name="Alternativa", country="PE")
    fudela = InstitutionFactory(name="FUDELA", country="EC")
    admin = staff_with(*STAFF_PERMISSIONS)
    MembershipFactory(user=admin, institution=alternativa, role=Role.INSTITUTION_ADMIN)
    MembershipFactory(user=UserFactory(username="rosa.huaman"), institution=alternativa, role=Role.TRAINER)
    MembershipFactory(user=UserFactory(username="jose.cedeno"), institution=fudela, role=Role.TRAINER)
    client.force_login(admin)
    html = client.get(reverse("membresias:index")).content.decode()
    assert "rosa.huaman" in html and "jose.cedeno" not in html
    other = fudela.memberships.get()
    assert client.get(reverse("membresias:inspect", args=[other.pk])).status_code == 404
    # No one grants a role from the admin (not even to themselves): add and edit are refused.
    assert client.get(reverse("membresias:add")).status_code == 302
    own = admin.memberships.get()
    assert client.get(reverse("membresias:edit", args=[own.pk])).status_code == 302


USER_MANAGER = [("wagtailadmin", "access_admin"), ("accounts", "add_user"), ("accounts", "change_user")]


def test_staff_find_and_edit_an_account_without_email_or_rights_fields(client):
    from django.contrib.auth.models import Group

    rosa = UserFactory(username="rosa.huaman", first_name="Rosa", last_name="Huamán", phone="+51987654321")
    manager = staff_with(*USER_MANAGER, first_name="Begoña")
    client.force_login(manager)
    listing = client.get(reverse("wagtailusers_users:index") + "?q=huam", HTTP_ACCEPT_LANGUAGE="es")
    assert listing.status_code == 200 and "rosa.huaman" in listing.content.decode()
    assert "+51987654321" not in listing.content.decode()
    page = client.get(reverse("wagtailusers_users:edit", args=[rosa.pk])).content.decode()
    assert "Correo electrónico (opcional)" in page
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page and "+51987654321" not in page
    equipo = Group.objects.create(name="Coordinación")
    response = client.post(
        reverse("wagtailusers_users:edit", args=[rosa.pk]),
        {"username": "rosa.huaman", "email": "", "first_name": "Rosa", "last_name": "Huamán Quispe",
         "is_active": "on", "is_superuser": "on", "groups": [equipo.pk], "password1": "", "password2": ""},
    )  # fmt: skip
    assert response.status_code == 302
    rosa.refresh_from_db()
    assert rosa.last_name == "Huamán Quispe" and rosa.email == "" and rosa.phone == "+51987654321"
    assert not rosa.is_superuser and not rosa.groups.exists()  # posted, but not fields this staff member has


def test_staff_create_an_account_with_only_a_username(client):
    client.force_login(staff_with(*USER_MANAGER))
    response = client.post(
        reverse("wagtailusers_users:add"),
        {"username": "jose.cedeno", "email": "", "first_name": "José", "last_name": "",
         "password1": "Chimborazo-6263", "password2": "Chimborazo-6263", "is_superuser": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    jose = UserFactory._meta.model.objects.get(username="jose.cedeno")
    assert jose.first_name == "José" and not jose.is_superuser


def test_accounts_need_the_permission_and_superusers_are_out_of_reach(client):
    boss = UserFactory(username="directora", is_superuser=True, is_staff=True)
    client.force_login(staff_with(("wagtailadmin", "access_admin")))
    assert client.get(reverse("wagtailusers_users:index")).status_code == 302  # no user permission: refused

    client.force_login(staff_with(*USER_MANAGER))
    assert client.get(reverse("wagtailusers_users:edit", args=[boss.pk])).status_code == 302
    client.post(
        reverse("wagtailusers_users:edit", args=[boss.pk]),
        {"username": "directora", "password1": "Tomada-12345", "password2": "Tomada-12345", "is_active": "on"},
    )
    boss.refresh_from_db()
    assert not boss.check_password("Tomada-12345")


def test_deleting_an_account_requests_its_deletion_through_the_service(client, django_capture_on_commit_callbacks):
    from lms.accounts.models import ConsentRecord as Consent

    maria = UserFactory(username="maria.quispe", first_name="María", phone="+593991234567")
    Consent.objects.create(user=maria, purpose=Consent.Purpose.choices[0][0], text_version="2025-01")
    client.force_login(staff_with(("wagtailadmin", "access_admin"), ("accounts", "delete_user")))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wagtailusers_users:delete", args=[maria.pk]))
    assert response.status_code == 302
    maria.refresh_from_db()
    assert not maria.is_active and maria.username.startswith("eliminado-") and maria.phone is None
    assert Consent.objects.filter(user=maria).exists()  # consent records are kept


def test_the_accounts_admin_pages_show_no_english(client):
    from django.utils import translation

    from tests.test_locale_overrides import untranslated_on, wagtail_msgids

    rosa = UserFactory(username="rosa.huaman", first_name="Rosa", last_name="Huamán")
    client.force_login(staff_with(*USER_MANAGER, ("accounts", "delete_user")))
    with translation.override("es"):
        english = {m for m in wagtail_msgids() if translation.gettext(m) == m}
    urls = [
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_users:add"),
        reverse("wagtailusers_users:edit", args=[rosa.pk]),
        reverse("wagtailusers_users:delete", args=[rosa.pk]),
    ]
    found = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200, url
        if left := untranslated_on(response.content.decode(), english):
            found[url] = sorted(left)
    assert found == {}
