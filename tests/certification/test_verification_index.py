"""The signed index behind offline short-code verification: minimal, unreadable without a code, signed."""

import datetime

import pytest
from django.urls import reverse

from certification.codes import code_display, code_generate
from certification.offline import index_lookup
from certification.services import certificate_reissue, certificate_revoke
from tests.certification.factories import holder, issue
from tests.lms.accounts.factories import ProfileFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 6)


def test_the_index_answers_a_typed_code_like_the_verification_page(client, user):
    peru = holder(first_name="Yolimar", last_name="Rodríguez Pérez", phone="+51987111222")
    ecuador = holder(first_name="Ñusta", last_name="Quispe Huamán", phone="+593991234567")
    valid = issue(user=peru)
    revoked = issue(user=ecuador)
    certificate_revoke(certificate=revoked, actor=user, reason="Documento adulterado")
    old = issue()
    new = certificate_reissue(certificate=old, actor=user, reason="Corrección de nombre")
    index = client.get(reverse("certification:verification_index")).json()
    jwks = client.get("/.well-known/jwks.json").json()

    outcome = index_lookup(index, code_display(valid.code).lower(), jwks, TODAY)
    assert outcome["status"] == "valid"
    assert outcome["fields"]["n"] == "Yolimar Rodríguez Pérez"
    assert outcome["fields"]["a"] == valid.achievement and outcome["fields"]["h"] == 40
    assert outcome["fields"]["i"] == "Organización Internacional del Trabajo"
    assert index_lookup(index, revoked.code, jwks, TODAY)["status"] == "revoked"
    assert index_lookup(index, old.code, jwks, TODAY) | {"fields": None} == {
        "status": "replaced",
        "fields": None,
        "replaced_by": new.code,
    }
    assert index_lookup(index, new.code, jwks, TODAY)["status"] == "valid"
    assert index_lookup(index, code_generate(), jwks, TODAY)["status"] == "not_found"
    assert index_lookup(index, "7K3M-Q9XD-2HBW-R4TE-A", jwks, TODAY)["status"] == "bad_code"  # wrong check symbol


def test_the_index_reveals_no_names_codes_or_private_fields_and_is_compact(client):
    person = holder(first_name="Yolimar", last_name="Rodríguez Pérez", email="yoli@example.org", phone="+51987111222")
    ProfileFactory(user=person, nationality="VE", migratory_status="in_process", city="Lima")
    certificates = [issue(user=person)] + [issue() for _ in range(20)]
    response = client.get(reverse("certification:verification_index"))
    assert response["X-Robots-Tag"].startswith("noindex")
    text = response.content.decode()
    for secret in ("Yolimar", "Rodríguez", "María José", "yoli@", "987111222", "Lima", "in_process"):
        assert secret not in text
    for certificate in certificates:
        assert certificate.code not in text and certificate.display_code not in text
    index = response.json()
    assert index["count"] == 21 and len(index["records"]) == 21
    assert len(text) / 21 < 200  # bytes per certificate, before gzip


def test_a_tampered_index_or_a_tampered_row_is_never_vouched_for(client):
    from certification.models import Certificate

    certificate = issue()
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="Otra Persona")  # edited in the database
    index = client.get(reverse("certification:verification_index")).json()
    jwks = client.get("/.well-known/jwks.json").json()
    assert index_lookup(index, certificate.code, jwks, TODAY)["status"] == "invalid"
    forged = {**index, "count": index["count"] + 1}
    assert index_lookup(forged, certificate.code, jwks, TODAY)["status"] == "invalid_index"


def test_the_index_is_rebuilt_when_a_certificate_is_revoked(client, user):
    certificate = issue()
    jwks = client.get("/.well-known/jwks.json").json()
    first = client.get(reverse("certification:verification_index")).json()
    assert client.get(reverse("certification:verification_index")).json()["salt"] == first["salt"]  # cached
    certificate_revoke(certificate=certificate, actor=user, reason="x")
    second = client.get(reverse("certification:verification_index")).json()
    assert second["salt"] != first["salt"]
    assert index_lookup(second, certificate.code, jwks, TODAY)["status"] == "revoked"


def test_a_suspended_trainer_certificate_reads_suspended_offline(db, user):
    from django.utils import timezone

    from certification.models import CertificateProgramme
    from certification.offline import index_lookup
    from certification.services import certificate_suspend, jwks_get, verification_index_get
    from tests.certification.factories import ProgrammeFactory, issue

    certificate = issue(programme=ProgrammeFactory(kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION))
    certificate_suspend(certificate=certificate, actor=user, reason="Queja en revisión")
    outcome = index_lookup(verification_index_get(), certificate.display_code, jwks_get(), timezone.localdate())
    assert outcome["status"] == "suspended"
