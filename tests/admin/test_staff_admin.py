"""One admin for staff (Wagtail, in Spanish): enrolments, competency standards, institutions and memberships have
Wagtail views gated by permission; the Django admin (/django-admin/) opens for superusers only."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from certification.competency.models import CompetencyStandard
from courses.models import Enrollment
from lms.accounts.models import Role
from tests.certification.competency.factories import make_standard
from tests.courses.factories import build_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("courses", "view_enrollment"),
    ("courses", "add_enrollment"),
    ("competency", "view_competencystandard"),
    ("competency", "change_competencystandard"),
    ("accounts", "view_institution"),
    ("accounts", "view_membership"),
]


def staff_with(*perms: tuple[str, str], **kwargs):
    user = UserFactory(is_staff=True, **kwargs)
    group = Group.objects.create(name=f"Equipo {user.username}")
    for app_label, codename in perms:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user.groups.add(group)
    return user


@pytest.fixture
def editor(client):
    user = staff_with(*STAFF_PERMISSIONS, first_name="Begoña")
    client.force_login(user)
    return user


def test_staff_editor_finds_the_views_in_the_spanish_menu(client, editor):
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for label in ("Inscripciones", "Normas de competencia", "Instituciones", "Membresías"):
        assert json.dumps(label)[1:-1] in html  # the sidebar menu is JSON data in the page
    listing = client.get(reverse("inscripciones:index"))
    assert listing.status_code == 200
    assert "Inscripciones" in listing.content.decode()


def test_django_admin_refuses_staff_who_are_not_superusers(client, editor):
    response = client.get("/django-admin/")
    assert response.status_code == 302 and "/django-admin/login/" in response["Location"]
    changelist = client.get(reverse("admin:courses_enrollment_changelist"))
    assert changelist.status_code == 302


def test_django_admin_opens_for_superusers(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:courses_enrollment_changelist")).status_code == 200


def test_enrolments_need_the_permission_and_are_created_through_the_service(client, editor):
    course = build_course(title="Genere su Idea de Negocio")
    learner = UserFactory(username="maria.quispe", first_name="María", last_name="Quispe")
    response = client.post(reverse("inscripciones:add"), {"username": "maria.quispe", "course": course.pk})
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert enrollment.source == Enrollment.Source.STAFF
    assert "Genere su Idea de Negocio" in client.get(reverse("inscripciones:index")).content.decode()
    # Progress and completion are never edited by hand: no edit or delete view for anyone but through services.
    assert client.get(reverse("inscripciones:edit", args=[enrollment.pk])).status_code == 302
    assert client.get(reverse("inscripciones:delete", args=[enrollment.pk])).status_code == 302
    unknown = client.post(reverse("inscripciones:add"), {"username": "nadie", "course": course.pk})
    assert "No hay ninguna cuenta con ese usuario." in unknown.content.decode()

    client.force_login(staff_with(("wagtailadmin", "access_admin")))
    assert client.get(reverse("inscripciones:index")).status_code == 302  # no view_enrollment: refused


def test_published_standards_are_read_only_and_drafts_editable(client, editor):
    published = make_standard(units=1, status=CompetencyStandard.Status.PUBLISHED)
    response = client.get(reverse("normas:edit", args=[published.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("normas:inspect", args=[published.pk])
    draft = make_standard(units=1, status=CompetencyStandard.Status.DRAFT, code="EMP-02")
    assert 'name="title"' in client.get(reverse("normas:edit", args=[draft.pk])).content.decode()
    client.post(
        reverse("normas:edit", args=[draft.pk]),
        {
            "certifying_body": draft.certifying_body.pk,
            "code": "EMP-02",
            "title": "Atención al cliente en bodegas",
            "occupation": "Vendedor·a",
            "description": "",
            "training_url": "",
        },
    )
    draft.refresh_from_db()
    assert draft.title == "Atención al cliente en bodegas" and draft.status == CompetencyStandard.Status.DRAFT


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
