"""courses/wagtail_hooks.py: enrolments ("Inscripciones") in the Wagtail admin, gated by permission and created
through the service."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from courses.models import Enrollment
from tests.courses.factories import build_course
from tests.lms.accounts.factories import UserFactory, staff_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = staff_with(
        ("wagtailadmin", "access_admin"), ("courses", "view_enrollment"), ("courses", "add_enrollment"),
        first_name="Begoña",
    )  # fmt: skip
    client.force_login(user)
    return user


def test_staff_editor_finds_enrolments_in_the_spanish_menu(client, editor):
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert json.dumps("Inscripciones")[1:-1] in html  # the sidebar menu is JSON data in the page
    listing = client.get(reverse("inscripciones:index"))
    assert listing.status_code == 200
    assert "Inscripciones" in listing.content.decode()


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
