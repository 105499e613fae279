"""Nobody oversees their own trainer certification: an approver of the ILO never approves (suspends, revokes or
reinstates) her own path, a master trainer never supervises or recommends herself, a trainee who is also an admin
never marks her own training done. The usual chain (master observes → programme manager approves) still works."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from certification.models import Certificate
from certification.trainers import selectors, services
from certification.trainers.models import TrainerPath
from courses.cohorts.services import cohort_create, cohort_member_add
from courses.models import Enrollment
from lms.accounts.models import Role
from tests.certification.trainers.factories import (
    MasterTrainerFactory,
    TrainerTrackFactory,
    gin_track_with_practice_course,
)
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
State = TrainerPath.State
APPROVE_BUTTON = "Aprobar y emitir el certificado"
OBSERVE_BUTTON = "Llenar la lista de observación"


@pytest.fixture
def s():
    s = SimpleNamespace()
    s.gin, s.track = gin_track_with_practice_course()
    s.oit = s.track.certifying_institution
    # Begoña administers the ILO (she may approve certifications) and is also a facilitator there.
    s.begona = UserFactory(first_name="Begoña", last_name="Muñoz Peña", phone="+51987111222")
    MembershipFactory(user=s.begona, institution=s.oit, role=Role.INSTITUTION_ADMIN)
    MembershipFactory(user=s.begona, institution=s.oit, role=Role.TRAINER)
    s.gestion = UserFactory(first_name="Íñigo", last_name="Cárdenas", phone="+593991234567")
    MembershipFactory(user=s.gestion, institution=s.oit, role=Role.PROGRAMME_MANAGER)
    # Lucía is a master trainer in IMESUN and a facilitator at ConQuito.
    s.conquito = InstitutionFactory(slug="conquito", acronym="ConQuito", country="EC")
    s.conquito_admin = MembershipFactory(institution=s.conquito, role=Role.INSTITUTION_ADMIN).user
    s.lucia = UserFactory(first_name="Lucía", last_name="Ordóñez Yépez", phone="+593987654321")
    MembershipFactory(user=s.lucia, institution=s.conquito, role=Role.TRAINER)
    MasterTrainerFactory(user=s.lucia, methodology="IMESUN")
    s.master = MasterTrainerFactory(
        user=UserFactory(first_name="José", last_name="Quispe Huamán"), methodology="IMESUN"
    ).user
    return s


def practice_done(s, path):
    """Link a practice cohort the trainer teaches, with one participant who completed the course."""
    cohort = cohort_create(institution=path.institution, name="GIN práctica", course=s.gin, trainers=[path.trainer])
    learner = UserFactory(first_name="Ñusta", last_name="Huamán")
    cohort_member_add(cohort=cohort, user=learner)
    Enrollment.objects.filter(user=learner).update(completed_at=timezone.now(), status="completed", progress=100)
    path.practice_cohort = cohort
    path.save()


def test_an_approver_cannot_approve_her_own_certification_but_a_colleague_can(client, s):
    client.force_login(s.begona)
    response = client.post(
        reverse("trainers:nominate"),
        {"institution": s.oit.pk, "trainer": s.begona.pk, "track": s.track.pk, "supervisor": s.master.pk},
    )
    path = TrainerPath.objects.get(trainer=s.begona)
    assert response.url == reverse("trainers:path_detail", args=[path.pk])
    path.state = State.RECOMMENDED
    path.save()

    page = client.get(reverse("trainers:path_detail", args=[path.pk])).content.decode()
    assert APPROVE_BUTTON not in page
    assert "Esta es tu propia ruta de certificación" in page
    assert selectors.paths_with_pending_actions(user=s.begona, paths=[path]) == [(path, "")]

    response = client.post(reverse("trainers:approve", args=[path.pk]), follow=True)
    assert "No puedes aprobar tu propia certificación" in response.content.decode()
    path.refresh_from_db()
    assert path.state == State.RECOMMENDED and path.certificate is None
    assert not Certificate.objects.filter(holder=s.begona).exists()

    # Another person of the ILO (the programme manager) approves: the certificate is issued.
    client.force_login(s.gestion)
    page = client.get(reverse("trainers:path_detail", args=[path.pk])).content.decode()
    assert APPROVE_BUTTON in page
    response = client.post(reverse("trainers:approve", args=[path.pk]), follow=True)
    assert "Certificación aprobada y certificado emitido" in response.content.decode()
    path.refresh_from_db()
    assert path.state == State.CERTIFIED and path.certificate.holder == s.begona


def test_an_approver_cannot_suspend_revoke_or_reinstate_herself(client, s):
    path = TrainerPath.objects.create(
        trainer=s.begona, track=s.track, institution=s.oit, supervisor=s.master, state=State.RECOMMENDED
    )
    services.trainer_certify(path=path, approver=s.gestion, render=False)
    client.force_login(s.begona)
    page = client.get(reverse("trainers:path_detail", args=[path.pk])).content.decode()
    assert "Suspender o revocar" not in page
    with pytest.raises(ValidationError, match="tu propia certificación"):
        services.trainer_certification_withdraw(path=path, actor=s.begona, reason="Renuncio", suspend=True)

    services.trainer_certification_withdraw(path=path, actor=s.gestion, reason="Queja en revisión", suspend=True)
    page = client.get(reverse("trainers:path_detail", args=[path.pk])).content.decode()
    assert "Levantar la suspensión" not in page
    response = client.post(reverse("trainers:reinstate", args=[path.pk]), {"reason": "Me absuelvo"}, follow=True)
    assert "No puedes levantar la suspensión de tu propia certificación" in response.content.decode()
    path.refresh_from_db()
    assert path.state == State.SUSPENDED

    services.trainer_certification_reinstate(path=path, actor=s.gestion, reason="Queja archivada")
    assert path.state == State.CERTIFIED


def test_a_master_trainer_cannot_be_nominated_with_herself_as_supervisor(client, s):
    client.force_login(s.conquito_admin)
    response = client.post(
        reverse("trainers:nominate"),
        {"institution": s.conquito.pk, "trainer": s.lucia.pk, "track": s.track.pk, "supervisor": s.lucia.pk},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "debe ser otra persona" in " ".join(form.errors["supervisor"])
    assert not TrainerPath.objects.filter(trainer=s.lucia).exists()
    # Shown again, the supervisor list no longer offers the candidate herself; other master trainers remain.
    offered = list(form.fields["supervisor"].queryset)
    assert s.lucia not in offered and s.master in offered

    with pytest.raises(ValidationError, match="debe ser otra persona"):
        services.trainer_nominate(
            trainer=s.lucia, track=s.track, institution=s.conquito, actor=s.conquito_admin, supervisor=s.lucia
        )

    response = client.post(
        reverse("trainers:nominate"),
        {"institution": s.conquito.pk, "trainer": s.lucia.pk, "track": s.track.pk, "supervisor": s.master.pk},
    )
    assert TrainerPath.objects.get(trainer=s.lucia).supervisor == s.master


def test_a_master_trainer_cannot_observe_or_recommend_her_own_practice(client, s):
    # A path recorded before the nomination refused it: Lucía supervising herself.
    path = TrainerPath.objects.create(
        trainer=s.lucia, track=s.track, institution=s.conquito, supervisor=s.lucia, state=State.IN_PRACTICE
    )
    practice_done(s, path)
    client.force_login(s.lucia)
    page = client.get(reverse("trainers:path_detail", args=[path.pk])).content.decode()
    assert OBSERVE_BUTTON not in page and "Esta es tu propia ruta de certificación" in page
    assert selectors.paths_with_pending_actions(user=s.lucia, paths=[path]) == [(path, "")]
    data = {f"item{i}": "on" for i in range(len(s.track.checklist))}
    data.update({"comments": "Todo perfecto.", "recommended": "on"})
    assert client.get(reverse("trainers:observe", args=[path.pk])).status_code == 403
    assert client.post(reverse("trainers:observe", args=[path.pk]), data).status_code == 403
    with pytest.raises(ValidationError, match="tu propia práctica"):
        services.trainer_observation_record(
            path=path, observer=s.lucia, items=dict.fromkeys(s.track.checklist, True), comments="", recommended=True
        )
    path.refresh_from_db()
    assert path.state == State.IN_PRACTICE and not path.observations.exists()


def test_the_usual_chain_master_observes_then_programme_manager_approves(client, s):
    path = TrainerPath.objects.create(
        trainer=s.lucia, track=s.track, institution=s.conquito, supervisor=s.master, state=State.IN_PRACTICE
    )
    practice_done(s, path)
    client.force_login(s.master)
    assert OBSERVE_BUTTON in client.get(reverse("trainers:path_detail", args=[path.pk])).content.decode()
    data = {f"item{i}": "on" for i in range(len(s.track.checklist))}
    data.update({"comments": "Conduce muy bien el grupo.", "recommended": "on"})
    assert client.post(reverse("trainers:observe", args=[path.pk]), data).status_code == 302
    path.refresh_from_db()
    assert path.state == State.RECOMMENDED

    client.force_login(s.gestion)
    client.post(reverse("trainers:approve", args=[path.pk]))
    path.refresh_from_db()
    assert path.state == State.CERTIFIED and path.certificate.holder == s.lucia
    assert path.certificate.trainer_name == "José Quispe Huamán"  # the chain names the supervising master


def test_a_trainee_who_is_also_an_admin_cannot_mark_her_own_training_done(client, s):
    track = TrainerTrackFactory(
        name="Get Ahead", slug="get-ahead", methodology="Get Ahead", certifying_institution=s.oit
    )
    ga_master = MasterTrainerFactory(methodology="Get Ahead").user
    path = TrainerPath.objects.create(
        trainer=s.begona, track=track, institution=s.oit, supervisor=ga_master, state=State.IN_TRAINING
    )
    client.force_login(s.begona)
    page = client.get(reverse("trainers:path_detail", args=[path.pk])).content.decode()
    assert "Marcar formación completada" not in page
    assert not selectors.can_mark_training_complete(user=s.begona, path=path)
    with pytest.raises(PermissionDenied):
        services.trainer_training_mark_complete(path=path, actor=s.begona)
    assert path.state == State.IN_TRAINING
    services.trainer_training_mark_complete(path=path, actor=ga_master)
    assert path.state == State.IN_PRACTICE
