"""After an upheld appeal the partial certificate («2 de 3» units) is replaced by the full one: its code says
«Reemplazado» and links to the new code, and the candidate's page lists only the current certificate."""

import pytest
from django.urls import reverse

from certification.competency import services
from certification.models import Certificate, CertificateEvent
from tests.certification.factories import holder

from .factories import evaluator_of, make_standard
from .test_competency_services import assigned, decide

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def upheld():
    """An Ecuadorian candidate found competent in 2 of 3 units; her appeal on the third is upheld."""
    from .factories import body_admin_of

    standard = make_standard(units=3, criteria=2, questions=5)
    body = standard.certifying_body
    admin, evaluator, validator = body_admin_of(body), evaluator_of(body), evaluator_of(body)
    candidate = holder(first_name="Ñusta", last_name="Quispe Huamán", phone="+593987654321", email="")
    first, second, third = standard.units.all()
    application = assigned(candidate, standard, admin, evaluator)
    verdicts = {first.code: "competent", second.code: "competent", third.code: "not_yet"}
    decide(application, evaluator, verdicts, validator)
    partial = Certificate.objects.get(holder=candidate)
    assert "2 de 3" in partial.achievement

    appeal = services.appeal_create(application=application, candidate=candidate, reason="No se observó el cierre.")
    reviewer = evaluator_of(body)
    services.appeal_assign(appeal=appeal, reviewer=reviewer, actor=admin)
    services.appeal_resolve(
        appeal=appeal,
        reviewer=reviewer,
        response="Revisado el video: cumple.",
        changed_verdicts={third.pk: "competent"},
    )
    full = Certificate.objects.filter(holder=candidate).exclude(pk=partial.pk).get()
    partial.refresh_from_db()
    return application, partial, full


def test_the_partial_certificate_is_replaced_by_the_full_one(upheld):
    _application, partial, full = upheld
    assert len(full.competency_units) == 3 and "2 de 3" not in full.achievement
    assert partial.replaced_by_id == full.pk and full.replaced_by_id is None
    assert partial.revoked_at is None  # replaced, not revoked: it was right when it was issued
    event = partial.events.get(action=CertificateEvent.Action.REISSUED)
    assert full.display_code in event.reason


def test_the_old_code_says_replaced_and_links_to_the_new_one(client, upheld):
    _application, partial, full = upheld
    page = client.get(reverse("certification:verify", args=[partial.code])).text
    assert 'data-status="replaced"' in page and "Reemplazado" in page and "Válido" not in page
    assert reverse("certification:verify", args=[full.code]) in page and full.display_code in page
    new_page = client.get(reverse("certification:verify", args=[full.code])).text
    assert 'data-status="valid"' in new_page


def test_the_candidates_page_lists_only_the_current_certificate(client, upheld):
    application, partial, full = upheld
    client.force_login(application.candidate)
    page = client.get(reverse("competency:application_detail", args=[application.pk])).text
    assert "Tu certificado" in page
    assert full.achievement in page and "2 de 3" not in page
    assert page.count("Ver y verificar el certificado") == 1
