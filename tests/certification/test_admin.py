"""Staff pages in the Wagtail admin: manual issue, revoke, re-issue, bulk issue with progress, permissions."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from certification.models import Certificate, CertificateEvent
from lms.accounts.models import Role
from tests.certification.factories import ProgrammeFactory, holder, issue
from tests.lms.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def _wagtail_staff(**kwargs):
    person = UserFactory(**kwargs)
    person.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return person


def test_staff_issue_a_certificate_by_hand_once_per_reference(admin_client):
    programme = ProgrammeFactory()
    person = holder(username="rosa")
    data = {
        "programme": programme.pk,
        "username": "rosa",
        "reference": "acta-2026-014",
        "hours": 12,
        "competency_units": "UC1 Ventas\nUC2 Atención",
    }
    response = admin_client.post(reverse("certification_admin:issue"), data)
    assert response.status_code == 302
    certificate = Certificate.objects.get(holder=person)
    assert certificate.hours == 12 and certificate.competency_units == ["UC1 Ventas", "UC2 Atención"]
    admin_client.post(reverse("certification_admin:issue"), data)
    assert Certificate.objects.filter(holder=person).count() == 1
    listing = admin_client.get(reverse("certification_admin:list"), {"q": certificate.display_code})
    assert certificate.holder_name in listing.content.decode()


def test_staff_revoke_and_reissue(admin_client):
    certificate = issue()
    admin_client.post(reverse("certification_admin:revoke", args=[certificate.pk]), {"reason": "Error de registro"})
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert CertificateEvent.objects.get(certificate=certificate, action="revoked").reason == "Error de registro"
    detail = admin_client.get(reverse("certification_admin:detail", args=[certificate.pk])).content.decode()
    assert "Error de registro" in detail and "Revocado" in detail
    other = issue()
    admin_client.post(
        reverse("certification_admin:reissue", args=[other.pk]),
        {"holder_name": "María José Muñoz Peña", "reason": "Corrección de nombre"},
    )
    other.refresh_from_db()
    assert other.replaced_by.holder_name == "María José Muñoz Peña"


def test_bulk_issue_shows_progress_and_issues_for_completed_enrollments(admin_client):
    from tests.courses.factories import CoursePageFactory, EnrollmentFactory

    course = CoursePageFactory()
    programme = ProgrammeFactory(course=course)
    done = [EnrollmentFactory(course=course, user=holder(), completed_at=timezone.now()) for _ in range(3)]
    EnrollmentFactory(course=course, user=holder())  # not completed
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(reverse("certification_admin:bulk"), {"programme": programme.pk})
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    html = page.content.decode()
    assert "3 de 3" in html and 'value="100"' in html
    assert Certificate.objects.filter(programme=programme).count() == len(done)


def test_people_without_the_role_cannot_issue(client):
    programme = ProgrammeFactory()
    participant = _wagtail_staff()
    client.force_login(participant)
    refused = client.get(reverse("certification_admin:issue"))
    assert refused.status_code in (302, 403) and "username" not in refused.content.decode()
    issuer_admin = _wagtail_staff()
    MembershipFactory(user=issuer_admin, institution=programme.issuer, role=Role.INSTITUTION_ADMIN)
    client.force_login(issuer_admin)
    assert client.get(reverse("certification_admin:issue")).status_code == 200


def test_programmes_are_managed_as_snippets(admin_client):
    ProgrammeFactory(name="Get Ahead — facilitadoras")
    response = admin_client.get(reverse("wagtailsnippets_certification_certificateprogramme:list"))
    assert response.status_code == 200 and "Get Ahead — facilitadoras" in response.content.decode()


def test_a_programme_with_a_signatory_is_created_in_the_admin(admin_client):
    from certification.models import CertificateProgramme
    from tests.lms.accounts.factories import InstitutionFactory

    institution = InstitutionFactory()
    url = reverse("wagtailsnippets_certification_certificateprogramme:add")
    assert admin_client.get(url).status_code == 200
    data = {
        "name": "Educación financiera",
        "slug": "educacion-financiera",
        "kind": "course",
        "title": "Educación financiera para emprendedoras y emprendedores",
        "title_en": "",
        "description": "",
        "reference": "EF",
        "auto_issue": "on",
        "hours": "20",
        "issuer": institution.pk,
        "validity_months": "24",
        "language": "es",
        "primary_colour": "#0B5394",
        "accent_colour": "#B45309",
        "is_active": "on",
        "signatories-TOTAL_FORMS": "1",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "3",
        "signatories-0-name": "Lucía Fernández Ortiz",
        "signatories-0-title": "Coordinadora",
        "signatories-0-ORDER": "1",
        "signatories-0-id": "",
        "signatories-0-DELETE": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    programme = CertificateProgramme.objects.get(slug="educacion-financiera")
    assert programme.validity_months == 24
    assert list(programme.signatories.values_list("name", flat=True)) == ["Lucía Fernández Ortiz"]
