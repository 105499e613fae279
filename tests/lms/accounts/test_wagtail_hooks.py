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
