"""A holder who deleted her account: the SMS/WhatsApp answer says her certificate was withdrawn at her request,
with the date, without her name, in one SMS; one the issuer had revoked before stays «revocado» by the issuer."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.models import Certificate
from certification.services import certificate_revoke
from tests.certification.factories import holder, issue

from . import test_webhooks
from .test_webhooks import twilio_fields, twilio_post, twiml_message, whatsapp_body, whatsapp_post

pytestmark = pytest.mark.django_db

gateways = test_webhooks.gateways  # autouse: the gateways' secrets
graph = test_webhooks.graph  # the Graph API, replaced


def _delete_account(client, person, django_capture_on_commit_callbacks):
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:account_delete"), {"password": "clave-segura-123"})
    assert response.status_code == 302
    client.logout()


def _day(certificate) -> str:
    revoked_at = Certificate.objects.get(pk=certificate.pk).revoked_at
    return timezone.localdate(revoked_at).strftime("%d/%m/%Y")


def test_sms_about_a_deleted_holders_certificate_says_withdrawn_at_her_request_without_her_name(
    client, django_capture_on_commit_callbacks
):
    person = holder(first_name="Ñusta", last_name="Quispe Huamán", phone="+593987654321", email="")
    certificate = issue(user=person)
    _delete_account(client, person, django_capture_on_commit_callbacks)

    text = twiml_message(twilio_post(client, twilio_fields("twilio_sms_pe.txt", certificate.display_code)))
    assert text.splitlines() == [
        f"Ruta: RETIRADO el {_day(certificate)} a pedido de su titular. Ya no es válido.",
        "Emisor: Organización Internacional del Trabajo",
        f"Código: {certificate.display_code}",
    ]
    assert "Ñusta" not in text and "Quispe" not in text and "institución emisora" not in text
    assert len(text) <= 160  # one SMS


def test_whatsapp_about_a_certificate_revoked_before_the_deletion_says_revoked_by_the_issuer_only(
    client, graph, django_capture_on_commit_callbacks
):
    person = holder(first_name="José Ángel", last_name="Ramírez Soto", phone="+51987654321", email="")
    certificate = issue(user=person)
    certificate_revoke(certificate=certificate, actor=None, reason="Datos de asistencia falsos")
    _delete_account(client, person, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        whatsapp_post(client, whatsapp_body("whatsapp_text_ec.json", certificate.display_code))
    [sent] = graph.sent
    lines = sent["text"]["body"].splitlines()
    assert lines[0] == f"Ruta: REVOCADO el {_day(certificate)} por la institución emisora. Ya no es válido."
    assert "" not in lines and len(lines) == 3 and "José" not in sent["text"]["body"]
