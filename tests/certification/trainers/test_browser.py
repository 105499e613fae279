"""The trainer path on a phone: the master trainer fills the checklist, the ILO approves, the registry shows it."""

import pytest
from django.utils import timezone

from certification.trainers.models import TrainerPath
from courses.cohorts.services import cohort_create, cohort_member_add
from courses.models import Enrollment
from lms.accounts.models import ConsentRecord, Role
from lms.accounts.services import consent_record
from tests.certification.trainers.factories import MasterTrainerFactory, TrainerTrackFactory
from tests.courses.factories import build_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, username):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill("clave-segura-123")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()


def test_observation_approval_and_registry_on_a_phone(phone_page, screenshot, axe_check):
    page = phone_page
    gin = build_course(code="IMESUN-GIN")
    track = TrainerTrackFactory(name="IMESUN-GIN", slug="imesun-gin", practice_course=gin, min_practice_completions=1)
    ilo_admin = MembershipFactory(
        institution=track.certifying_institution, role=Role.PROGRAMME_MANAGER, user=UserFactory(username="gestion")
    ).user
    alternativa = InstitutionFactory(acronym="Alternativa")
    master = MasterTrainerFactory(methodology="IMESUN", user=UserFactory(username="master")).user
    trainee = UserFactory(username="carmen", first_name="Carmen", last_name="Salazar Ríos")
    MembershipFactory(user=trainee, institution=alternativa, role=Role.TRAINER)
    practice = cohort_create(institution=alternativa, name="GIN práctica", course=gin, trainers=[trainee])
    learner = UserFactory()
    cohort_member_add(cohort=practice, user=learner)
    Enrollment.objects.filter(user=learner).update(completed_at=timezone.now(), progress=100, status="completed")
    path = TrainerPath.objects.create(
        trainer=trainee,
        track=track,
        institution=alternativa,
        supervisor=master,
        state=TrainerPath.State.IN_PRACTICE,
        practice_cohort=practice,
    )
    consent_record(user=trainee, purpose=ConsentRecord.Purpose.REGISTRY, granted=True)

    login(page, "master")
    page.goto(f"/facilitadores/{path.pk}/observacion/")
    for label in track.checklist:
        page.get_by_label(label).check()
    page.get_by_label("Comentarios").fill("Conduce con mucha claridad.")
    page.get_by_label("Recomiendo su certificación").check()
    axe_check(page)
    screenshot(page, "trainer-observation-360")
    page.get_by_role("button", name="Guardar observación").click()
    page.wait_for_load_state()
    assert "Recomendada o recomendado" in page.content()

    page.context.clear_cookies()
    login(page, ilo_admin.username)
    page.goto(f"/facilitadores/{path.pk}/")
    page.get_by_role("button", name="Aprobar y emitir el certificado").click()
    page.wait_for_load_state()
    assert "Certificada o certificado" in page.content()
    axe_check(page)
    screenshot(page, "trainer-path-certified-360")

    page.goto("/facilitadores/registro/")
    assert "Carmen Salazar Ríos" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 362
    axe_check(page)
    screenshot(page, "trainer-registry-360")
