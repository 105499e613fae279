"""«Mis grupos» and the cohort forms for a screen reader: each box has its own label, and each error is linked."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.cohorts.models import Attendance
from tests.courses.cohorts.factories import CohortFactory, LiveSessionFactory, member_of, trainer_of
from tests.html_ids import dangling_references, description, duplicate_ids, labelled_control
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(name="GIN Lima Norte")


def test_the_join_and_check_in_boxes_each_have_their_own_label(client, cohort):
    rosa = member_of(cohort, UserFactory(first_name="Rosa", last_name="Quispe Huamán", phone="+51987654321"))
    client.force_login(rosa)
    html = client.get(reverse("cohorts:home")).content.decode()
    assert duplicate_ids(html) == []
    assert dangling_references(html) == []
    group_tag, group_box = labelled_control(html, "Código del grupo")
    session_tag, session_box = labelled_control(html, "Código de la sesión")
    assert group_tag == session_tag == "input"
    assert group_box["id"] != session_box["id"]
    # Tapping «Código de la sesión» focuses the check-in box (the numeric one), not the group's.
    assert session_box["inputmode"] == "numeric" and group_box["autocapitalize"] == "characters"
    assert session_box["name"] == group_box["name"] == "code"


def test_checking_in_from_mis_grupos_still_records_the_attendance(client, cohort):
    session = LiveSessionFactory(cohort=cohort, starts_at=timezone.now() - timedelta(minutes=5))
    jhon = member_of(cohort, UserFactory(first_name="Jhon", last_name="Cañizares", phone="+593991234567"))
    client.force_login(jhon)
    html = client.get(reverse("cohorts:home")).content.decode()
    _tag, box = labelled_control(html, "Código de la sesión")
    response = client.post(reverse("cohorts:check_in"), {box["name"]: session.check_in_code}, follow=True)
    assert f"Registramos tu asistencia a «{session.title}»." in response.content.decode()
    assert Attendance.objects.get(user=jhon).status == "present"


def test_a_wrong_check_in_code_is_read_as_the_boxs_description(client, cohort):
    session = LiveSessionFactory(cohort=cohort, starts_at=timezone.now() - timedelta(minutes=5))
    client.force_login(member_of(cohort, UserFactory(first_name="Ñusta", last_name="Mamani")))
    wrong = "0000" if session.check_in_code != "0000" else "1111"
    html = client.post(reverse("cohorts:check_in"), {"code": wrong}).content.decode()
    assert dangling_references(html) == []
    _tag, box = labelled_control(html, "Código de la sesión")
    assert box["aria-invalid"] == "true"
    assert "no corresponde a una sesión abierta" in description(html, box["id"])


def test_the_trainers_forms_link_their_errors(client, cohort):
    trainer = trainer_of(cohort, UserFactory(first_name="Carmen", last_name="Salazar Peña"))
    client.force_login(trainer)
    html = client.post(reverse("cohorts:session_create", args=[cohort.pk]), {"title": ""}).content.decode()
    assert dangling_references(html) == []
    _tag, title = labelled_control(html, "Tema de la sesión")
    assert title["aria-invalid"] == "true"
    assert "Este campo es necesario." in description(html, title["id"])
