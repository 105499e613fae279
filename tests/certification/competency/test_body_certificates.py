"""Story 30: a certifying body revokes or reissues certificates issued in its name, from its own pages."""

import pytest
from django.urls import reverse

from certification.competency import certificates as competency_certificates
from certification.competency import services
from certification.models import Certificate, CertificateEvent, CertificateProgramme
from courses.cohorts.models import Notification
from tests.certification.factories import ProgrammeFactory, issue
from tests.lms.accounts.factories import InstitutionFactory, UserFactory
from tests.query_counting import assert_max_data_queries, data_queries

from .factories import ApplicationFactory, body_admin_of, make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def standard():
    body = InstitutionFactory(name="Universidad Nacional Mayor de San Marcos", slug="unmsm", type="university")
    return make_standard(units=2, body=body, title="Limpieza de oficinas")


@pytest.fixture
def body(standard):
    return standard.certifying_body


@pytest.fixture
def staff(body):
    return body_admin_of(body, first_name="Rocío", last_name="Huamán")


@pytest.fixture
def candidate():
    return UserFactory(first_name="Yolimar", last_name="Rodríguez Peña", email="", phone="+593987654321")


@pytest.fixture
def certificate(standard, candidate):
    """A competency certificate issued the way a validated decision issues it: in the body's name."""
    application = ApplicationFactory(standard=standard, candidate=candidate)
    return competency_certificates.issue(application=application, units=list(standard.units.all()))


def _list(client, body, q=""):
    return client.get(reverse("competency:body_certificates", args=[body.slug]), {"q": q} if q else {})


def test_the_body_panel_leads_to_its_certificates_found_by_name_or_typed_code(client, body, staff, certificate):
    client.force_login(staff)
    home = client.get(reverse("competency:body_home", args=[body.slug])).content.decode()
    assert reverse("competency:body_certificates", args=[body.slug]) in home
    page = _list(client, body).content.decode()
    assert "Yolimar Rodríguez Peña" in page and certificate.display_code in page
    # Typed as printed on the PDF (with hyphens, lower case), or part of the name with its accents.
    assert certificate.display_code in _list(client, body, certificate.display_code.lower()).content.decode()
    assert certificate.display_code in _list(client, body, "rodríguez").content.decode()
    assert certificate.display_code not in _list(client, body, "Quispe").content.decode()


def test_another_issuers_certificates_are_neither_listed_nor_reachable(client, body, staff, certificate):
    other = issue(programme=ProgrammeFactory(), user=UserFactory(first_name="Andrés", last_name="Quishpe"))
    client.force_login(staff)
    assert "Quishpe" not in _list(client, body).content.decode()
    assert "Quishpe" not in _list(client, body, other.display_code).content.decode()
    for name in ("competency:body_certificate_revoke", "competency:body_certificate_reissue"):
        url = reverse(name, args=[body.slug, other.code])
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x", "holder_name": "x"}).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None and other.replaced_by_id is None


def test_only_the_bodys_staff_may_open_its_certificates(client, body, certificate, candidate):
    url = reverse("competency:body_certificate_revoke", args=[body.slug, certificate.code])
    assert client.get(reverse("competency:body_certificates", args=[body.slug])).status_code == 302  # login
    client.force_login(candidate)  # the holder is not the body
    assert client.get(reverse("competency:body_certificates", args=[body.slug])).status_code == 403
    assert client.post(url, {"reason": "No"}).status_code == 403
    other_body_staff = body_admin_of(InstitutionFactory(slug="oec", type="university"))
    client.force_login(other_body_staff)
    assert client.post(url, {"reason": "No"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_revoking_shows_at_once_to_an_employer_and_tells_the_holder_without_the_reason(
    client, body, staff, certificate, candidate
):
    client.force_login(staff)
    url = reverse("competency:body_certificate_revoke", args=[body.slug, certificate.code])
    form = client.get(url).content.decode()
    assert "Yolimar Rodríguez Peña" in form and "Motivo" in form
    # No reason: the form says so and nothing changes.
    page = client.post(url, {"reason": "  "})
    assert page.status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    done = client.post(url, {"reason": "Evidencia adulterada (queja 2026-14)"}, follow=True)
    assert "revocado" in done.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    event = certificate.events.get(action=CertificateEvent.Action.REVOKED)
    assert event.actor == staff and event.reason == "Evidencia adulterada (queja 2026-14)"
    # An employer scanning the QR, and a system asking the API, see «Revocado» now.
    client.logout()
    verify = client.get(reverse("certification:verify", args=[certificate.code])).content.decode()
    assert "Revocado" in verify
    assert client.get(reverse("api_certificate", args=[certificate.code])).json()["status"] == "revoked"
    notice = Notification.objects.get(user=candidate)
    assert certificate.display_code in notice.title and "adulterada" not in notice.title + notice.body
    assert notice.url == reverse("certification:my_certificates")
    # A second try (another tab) is refused with a message, not a 500; the revocation stays.
    client.force_login(staff)
    again = client.post(url, {"reason": "otra vez"})
    assert again.status_code == 200 and "ya estaba revocado" in again.content.decode()
    assert Notification.objects.filter(user=candidate).count() == 1


def test_reissuing_with_a_corrected_name_replaces_the_code_and_tells_the_holder(
    client, body, staff, certificate, candidate
):
    client.force_login(staff)
    url = reverse("competency:body_certificate_reissue", args=[body.slug, certificate.code])
    assert "Yolimar Rodríguez Peña" in client.get(url).content.decode()  # the printed name, to correct
    done = client.post(url, {"holder_name": "Yolimar Rodríguez Ñáñez", "reason": "Apellido mal escrito"}, follow=True)
    certificate.refresh_from_db()
    new = certificate.replaced_by
    assert new is not None and new.holder_name == "Yolimar Rodríguez Ñáñez"
    assert new.issuer == body and new.competency_units == certificate.competency_units
    assert new.display_code in done.content.decode()
    client.logout()
    old_page = client.get(reverse("certification:verify", args=[certificate.code])).content.decode()
    assert "Reemplazado" in old_page and new.code in old_page
    new_page = client.get(reverse("certification:verify", args=[new.code])).content.decode()
    assert "Yolimar Rodríguez Ñáñez" in new_page and "Válido" in new_page
    notice = Notification.objects.get(user=candidate)
    assert new.display_code in notice.title and "Apellido" not in notice.title + notice.body
    # The replaced certificate offers no more actions; the new one does.
    client.force_login(staff)
    listing = _list(client, body).content.decode()
    assert reverse("competency:body_certificate_revoke", args=[body.slug, certificate.code]) not in listing
    assert reverse("competency:body_certificate_revoke", args=[body.slug, new.code]) in listing


def test_trainer_certificates_stay_on_the_training_path(client, body, staff, candidate):
    programme = ProgrammeFactory(issuer=body, kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION, slug="tot")
    trainer_certificate = issue(programme=programme, user=candidate)
    client.force_login(staff)
    listing = _list(client, body).content.decode()
    assert trainer_certificate.display_code in listing
    url = reverse("competency:body_certificate_revoke", args=[body.slug, trainer_certificate.code])
    assert url not in listing
    refused = client.post(url, {"reason": "Queja"})
    assert "ruta de formación" in refused.content.decode()
    trainer_certificate.refresh_from_db()
    assert trainer_certificate.revoked_at is None


def test_the_service_refuses_a_certificate_of_another_issuer(body, staff):
    other = issue(programme=ProgrammeFactory())
    with pytest.raises(services.PermissionDenied):
        services.body_certificate_revoke(body=body, certificate=other, actor=staff, reason="x")


def test_the_list_costs_the_same_for_3_or_30_certificates(client, body, staff, standard):
    programme = ProgrammeFactory(issuer=body, slug="competencia-extra")

    def count():
        client.force_login(staff)
        with assert_max_data_queries(12) as captured:
            assert _list(client, body).status_code == 200
        return len(data_queries(captured))

    for _i in range(3):
        issue(programme=programme)
    count()  # the first visit warms the per-process caches (site, pages)
    few = count()
    for _i in range(27):
        issue(programme=programme)
    assert count() == few
