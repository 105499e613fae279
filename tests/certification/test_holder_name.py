"""A certificate prints the person's name, never their username (issue #13)."""

import pytest
from django.urls import reverse

from certification.services import certificate_issue
from tests.certification.factories import ProgrammeFactory
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_certificate_prints_the_name_with_its_accents():
    person = UserFactory(username="yoli-7", first_name="Yolimar", last_name="Rodríguez Peña")
    certificate = certificate_issue(holder=person, programme=ProgrammeFactory(), source_key="enrollment:1301")
    assert certificate.holder_name == "Yolimar Rodríguez Peña"


def test_an_older_account_without_a_name_never_gets_its_username_printed_and_is_asked_for_its_name(client):
    person = UserFactory(username="participante-9137", first_name="", last_name="")
    certificate = certificate_issue(holder=person, programme=ProgrammeFactory(), source_key="enrollment:1302")
    assert "participante-9137" not in certificate.holder_name
    client.force_login(person)
    page = client.get(reverse("accounts:account_home")).content.decode()
    assert "Escribe tu nombre: es el que se imprime en tus certificados." in page
    assert reverse("accounts:profile_edit") in page
