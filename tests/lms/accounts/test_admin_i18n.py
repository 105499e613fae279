"""The Spanish Wagtail admin names every column of the memberships list (and every field of a membership) in
Spanish: "Persona" and "Institución", never Django's English field names "User" and "Institution"."""

import pytest
from lxml import html as lxml_html

from lms.accounts.models import Membership, Role
from tests.lms.accounts.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def texts(content: bytes, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in lxml_html.fromstring(content.decode()).xpath(xpath)]


@pytest.fixture
def membership(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, first_name="Begoña", last_name="Cárdenas"))
    institution = InstitutionFactory(name="Asociación Unión Venezolana en el Perú")
    person = UserFactory(first_name="Yolimar", last_name="Rodríguez Peña", phone="+51987654322", email="")
    return Membership.objects.create(user=person, institution=institution, role=Role.TRAINER)


def test_the_memberships_list_has_spanish_column_headers(client, membership):
    response = client.get("/admin/membresias/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    headers = texts(response.content, "//table//thead//th")
    assert {"Persona", "Institución", "Rol", "Ámbito"} <= set(headers), headers
    assert not {"User", "Institution"} & set(headers)
    assert "Facilitador·a" in texts(response.content, "//table//tbody//td")  # the membership is listed


def test_a_membership_is_inspected_with_spanish_labels(client, membership):
    response = client.get(f"/admin/membresias/inspect/{membership.pk}/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    labels = texts(response.content, "//dt")
    assert {"Persona", "Institución", "Fecha"} <= set(labels), labels
    assert not {"User", "Institution", "Created at"} & set(labels)
