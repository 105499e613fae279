"""The Spanish admin names the competency models' columns and fields in Spanish: the units list says "Norma de
competencia", not Django's English field name "Standard"; applications (Django admin, read-only) list
"Persona candidata", "Evaluador·a", "Recibida el"."""

import pytest
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from certification.competency import services
from tests.certification.competency.factories import body_admin_of, evaluator_of, make_standard
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def texts(content: bytes, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in lxml_html.fromstring(content.decode()).xpath(xpath)]


@pytest.fixture
def superuser(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, first_name="Begoña", last_name="Cárdenas"))


def test_the_units_list_has_spanish_column_headers(client, superuser):
    make_standard(units=2, criteria=1, title="Atención en bodegas")
    response = client.get("/admin/unidades/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    headers = texts(response.content, "//table//thead//th")
    assert "Norma de competencia" in headers, headers
    assert "Standard" not in headers


def test_the_applications_list_and_page_have_spanish_labels(client, superuser):
    standard = make_standard(units=1, criteria=1, title="Ventas y atención al cliente")
    admin = body_admin_of(standard.certifying_body, first_name="Ángela", last_name="Quispe Huamán")
    evaluator = evaluator_of(standard.certifying_body, first_name="Patricia", last_name="Gómez")
    candidate = UserFactory(first_name="Yolimar", last_name="Rodríguez Peña", email="", phone="+593991234569")
    application = services.application_create(candidate=candidate, standard=standard, experience="Vendo ropa.")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Quito"
    )

    response = client.get(reverse("admin:competency_application_changelist"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    headers = texts(response.content, "//table[@id='result_list']//thead//th")
    assert {"Persona candidata", "Norma de competencia", "Evaluador·a", "Recibida el"} <= set(headers), headers
    assert not {"Candidate", "Standard", "Evaluator", "Created at"} & set(headers)

    page = client.get(
        reverse("admin:competency_application_change", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert page.status_code == 200
    labels = set(texts(page.content, "//label")) | set(texts(page.content, "//thead//th"))
    assert {"Quién valida:", "Postulación anterior:", "Decidida el:", "Acción", "Detalle"} <= labels, labels
    assert not {"Validator:", "Previous:", "Decided at:", "Action", "Detail", "Actor"} & labels
