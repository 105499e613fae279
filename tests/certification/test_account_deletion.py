"""A holder who deletes her account is forgotten by the public verification, and employers are told the truth.

Each of her certificates (course, trainer qualification, competency) is revoked with the reason «La persona titular
eliminó su cuenta»: the page, the JSON API, the status lists, the revocation list and the offline index say it is
no longer valid, without her name or anything else about her; the stored PDF and PNG are deleted. Another
person's certificate is untouched. The deletion task can run twice.
"""

import json

import pytest
from django.urls import reverse

from certification import offline, statuslist
from certification.models import Certificate, CertificateEvent, CertificateProgramme
from certification.services import HOLDER_DELETED_REASON, certificate_render, jwks_get
from lms.accounts.tasks import account_delete_task
from tests.certification.factories import ProgrammeFactory, holder, issue

pytestmark = pytest.mark.django_db

NAME = "Ñusta Quispe Huamán"


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ecuadorian():
    """A participant from Ecuador holding a course, a trainer-qualification and a competency certificate."""
    person = holder(first_name="Ñusta", last_name="Quispe Huamán", phone="+593987654321", email="")
    course = issue(user=person, programme=ProgrammeFactory())
    trainer = issue(
        user=person,
        programme=ProgrammeFactory(kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION, reference="IMESUN-GIN"),
        source_key=f"trainer:{person.pk}:imesun-gin",
    )
    competency = issue(
        user=person,
        programme=ProgrammeFactory(kind=CertificateProgramme.Kind.COMPETENCY_STANDARD, reference="NC-001"),
        source_key="competency:application:1",
        competency_units=["U1 · Atender a la clientela"],
    )
    for certificate in (course, trainer, competency):
        certificate_render(certificate=certificate)
    return person, [course, trainer, competency]


@pytest.fixture
def other():
    """Someone else, from Peru, with a certificate of the same programme kind."""
    return issue(user=holder(first_name="José Ángel", last_name="Ramírez Soto", phone="+51987654321", email=""))


def _delete_account(client, person, django_capture_on_commit_callbacks):
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:account_delete"), {"password": "clave-segura-123"})
    assert response.status_code == 302
    client.logout()


def _api(client, certificate) -> dict:
    response = client.get(reverse("api_certificate", args=[certificate.code]))
    return json.loads(response.content)


def test_after_deleting_her_account_her_certificates_say_withdrawn_and_no_longer_show_her_name(
    client, ecuadorian, other, django_capture_on_commit_callbacks
):
    person, certificates = ecuadorian
    assert NAME in client.get(reverse("certification:verify", args=[certificates[0].code])).text
    stored = [(f.storage, f.name) for c in certificates for f in (c.pdf, c.image)]
    assert all(storage.exists(name) for storage, name in stored)

    _delete_account(client, person, django_capture_on_commit_callbacks)

    for certificate in certificates:
        page = client.get(reverse("certification:verify", args=[certificate.code]))
        assert page.status_code == 200
        assert "Ñusta" not in page.text and "Quispe" not in page.text
        assert "Retirado" in page.text and "a pedido de la persona titular" in page.text
        assert certificate.display_code in page.text
        assert 'id="qr-record"' not in page.text  # the signed fields (with her name) are not on the page either

        data = _api(client, certificate)
        assert data["status"] == "revoked" and data["withdrawn_by_holder"] is True and data["revoked_on"]
        assert "holder_name" not in data and "signature" not in data and "pdf_url" not in data
        assert "Ñusta" not in json.dumps(data, ensure_ascii=False)

        # Her files are gone, and asking for them says it is no longer valid, without her name.
        for name in ("pdf", "image", "credential"):
            refused = client.get(reverse(f"certification:{name}", args=[certificate.code]))
            assert refused.status_code == 410, name
            assert "Ñusta" not in refused.content.decode()
        certificate.refresh_from_db()
        assert (certificate.holder_name, certificate.holder_salt, certificate.pdf.name) == ("", "", "")
        assert certificate.events.filter(action=CertificateEvent.Action.REVOKED, reason=HOLDER_DELETED_REASON).exists()
    assert not any(storage.exists(name) for storage, name in stored)

    # The status lists a wallet or an employer's verifier reads say revoked (trainers': suspended for good).
    for certificate in certificates:
        purpose = "suspension" if certificate.programme.kind == "trainer_qualification" else "revocation"
        number, bit = statuslist.list_position(certificate.status_index)
        url = reverse("certification:status_list", args=[certificate.issuer.slug, purpose, number])
        encoded = json.loads(client.get(url).content)["credentialSubject"]["encodedList"]
        assert statuslist.bit_is_set(statuslist.decode(encoded), bit), certificate.programme.kind

    # The offline verifier's copies: revoked in the revocation list, revoked and nameless in the signed index.
    revoked = json.loads(client.get(reverse("certification:revocations")).content)["revoked"]
    index = json.loads(client.get(reverse("certification:verification_index")).content)
    for certificate in certificates:
        assert offline.revocation_key(certificate.code) in revoked
        found = offline.index_lookup(index, certificate.code, jwks_get(), today=certificate.issued_on)
        assert found["status"] == "revoked" and found["fields"]["n"] == ""

    # Someone else's certificate still verifies, with her name.
    page = client.get(reverse("certification:verify", args=[other.code]))
    assert "José Ángel Ramírez Soto" in page.text and 'data-status="valid"' in page.text
    assert _api(client, other)["status"] == "valid" and _api(client, other)["holder_name"] == "José Ángel Ramírez Soto"
    assert client.get(reverse("certification:pdf", args=[other.code])).status_code == 200


def test_a_certificate_the_issuer_had_revoked_before_stays_revoked_by_the_issuer_but_loses_her_name(
    client, ecuadorian, django_capture_on_commit_callbacks
):
    from certification.services import certificate_revoke

    person, [course, *_rest] = ecuadorian
    certificate_revoke(certificate=course, actor=None, reason="Datos de asistencia falsos")
    _delete_account(client, person, django_capture_on_commit_callbacks)

    page = client.get(reverse("certification:verify", args=[course.code]))
    assert "Ñusta" not in page.text and "Revocado" in page.text and "a pedido de la persona titular" not in page.text
    data = _api(client, course)
    assert data["status"] == "revoked" and data["withdrawn_by_holder"] is False and "holder_name" not in data
    assert course.events.filter(action=CertificateEvent.Action.REVOKED).count() == 1


def test_the_deletion_task_can_run_again_without_changing_anything(
    client, ecuadorian, other, django_capture_on_commit_callbacks
):
    person, certificates = ecuadorian
    _delete_account(client, person, django_capture_on_commit_callbacks)
    before = list(Certificate.objects.order_by("pk").values())
    events = CertificateEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        account_delete_task(person.pk)
        account_delete_task.delay(person.pk)

    assert list(Certificate.objects.order_by("pk").values()) == before
    assert CertificateEvent.objects.count() == events
    for certificate in certificates:
        assert certificate.events.filter(action=CertificateEvent.Action.REVOKED).count() == 1
        assert _api(client, certificate)["status"] == "revoked"
    assert _api(client, other)["status"] == "valid"
