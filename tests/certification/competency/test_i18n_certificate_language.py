"""A competency certificate's texts are written in the programme's language (Spanish), never in that of the
person who validates: the achievement is signed into the certificate the candidate shows to employers."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.competency import services
from certification.models import Certificate
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


def submitted(*, verdicts: list[str], phone: str):
    standard = make_standard(units=len(verdicts), criteria=2, questions=4, title="Ventas y atención al cliente")
    admin = body_admin_of(standard.certifying_body, first_name="Ángela", last_name="Quispe Huamán")
    evaluator = evaluator_of(standard.certifying_body, first_name="Patricia", last_name="Gómez")
    candidate = UserFactory(first_name="Yolimar", last_name="Rodríguez Peña", email="", phone=phone)
    application = services.application_create(candidate=candidate, standard=standard, experience="Vendo ropa.")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Gamarra"
    )
    for unit, verdict in zip(application.units.order_by("order", "id"), verdicts, strict=True):
        feedback = "" if verdict == "competent" else "Practica el cierre de la venta."
        services.unit_verdict_record(
            application=application, unit=unit, evaluator=evaluator, verdict=verdict, feedback=feedback
        )
    services.assessment_submit(application=application, evaluator=evaluator, overall_feedback="Muy buen trato.")
    return application, admin


def approve_in_english(client, application, admin):
    client.force_login(admin)
    client.get("/idioma/?language=en&next=/", HTTP_SEC_FETCH_SITE="same-origin")
    response = client.post(reverse("competency:validate", args=[application.pk]), {"decision": "approve"}, follow=True)
    assert response.status_code == 200
    assert response.content.decode().count('lang="en"') >= 1  # the validator did see Ruta in English
    return Certificate.objects.get(holder=application.candidate)


def test_a_validator_in_english_issues_the_achievement_in_spanish(client):
    application, admin = submitted(verdicts=["competent", "competent"], phone="+51987654321")
    certificate = approve_in_english(client, application, admin)
    assert certificate.achievement == "Competente en la norma «Ventas y atención al cliente» (versión 1)"
    assert certificate.programme.title == "Certificado de competencias laborales: Ventas y atención al cliente"
    assert certificate.programme.name == "Competencias: Ventas y atención al cliente"


def test_a_partial_certificate_validated_in_english_reads_in_spanish(client):
    application, admin = submitted(verdicts=["competent", "not_yet"], phone="+593991234568")
    certificate = approve_in_english(client, application, admin)
    assert certificate.achievement == (
        "Competente en 1 de 2 unidades de la norma «Ventas y atención al cliente» (versión 1)"
    )
