"""The trainer certification path end to end, its guards, and revocation semantics."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from certification.models import Certificate
from certification.services import certificate_issue_for_enrollment
from certification.trainers import selectors, services
from certification.trainers.models import PathEvent, TrainerPath
from courses.cohorts.models import Notification
from courses.cohorts.services import cohort_create, cohort_member_add
from courses.models import Enrollment
from courses.signals import course_completed
from lms.accounts.models import ConsentRecord, Role
from lms.accounts.services import consent_record
from tests.certification.factories import ProgrammeFactory
from tests.certification.trainers.factories import MasterTrainerFactory, TrainerTrackFactory
from tests.courses.factories import build_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
State = TrainerPath.State


@pytest.fixture
def chain():
    """OIT (certifier), Alternativa (nominating institution), a master trainer, a trainee and a GIN track."""

    class Chain:
        pass

    c = Chain()
    c.tot_course = build_course(code="TOT-GIN", training_of_trainers=True)
    c.gin_course = build_course(code="IMESUN-GIN")
    c.track = TrainerTrackFactory(
        name="IMESUN-GIN",
        slug="imesun-gin",
        tot_course=c.tot_course,
        practice_course=c.gin_course,
        min_practice_completions=2,
    )
    c.oit = c.track.certifying_institution
    c.ilo_admin = MembershipFactory(institution=c.oit, role=Role.INSTITUTION_ADMIN).user
    c.alternativa = InstitutionFactory(slug="alternativa", acronym="Alternativa")
    c.alt_admin = MembershipFactory(institution=c.alternativa, role=Role.INSTITUTION_ADMIN).user
    c.master = MasterTrainerFactory(methodology="IMESUN").user
    c.trainee = UserFactory(first_name="Carmen", last_name="Salazar Ríos")
    MembershipFactory(user=c.trainee, institution=c.alternativa, role=Role.TRAINER)
    c.tot_cohort = cohort_create(institution=c.oit, name="FdF GIN 2026", course=c.tot_course, trainers=[c.master])
    return c


def complete(enrollment):
    enrollment.completed_at = timezone.now()
    enrollment.status = Enrollment.Status.COMPLETED
    enrollment.progress = 100
    enrollment.save()
    course_completed.send(sender=Enrollment, enrollment=enrollment)


def practice_cohort_with_completions(c, n):
    cohort = cohort_create(institution=c.alternativa, name="GIN práctica", course=c.gin_course, trainers=[c.trainee])
    learners = []
    for _ in range(n):
        learner = UserFactory()
        cohort_member_add(cohort=cohort, user=learner)
        complete(Enrollment.objects.get(user=learner, course=c.gin_course))
        learners.append(learner)
    return cohort, learners


def test_the_whole_path_from_nomination_to_certificate_and_registry(chain):
    c = chain
    path = services.trainer_nominate(
        trainer=c.trainee,
        track=c.track,
        institution=c.alternativa,
        actor=c.alt_admin,
        supervisor=c.master,
        commitment_letter=True,
    )
    assert path.state == State.APPLICANT

    services.trainer_training_start(path=path, tot_cohort=c.tot_cohort, actor=c.alt_admin)
    assert path.state == State.IN_TRAINING
    tot_enrollment = Enrollment.objects.get(user=c.trainee, course=c.tot_course)

    complete(tot_enrollment)  # courses sends course_completed; our handler moves the path
    path.refresh_from_db()
    assert path.state == State.IN_PRACTICE

    practice, _learners = practice_cohort_with_completions(c, 1)
    services.trainer_practice_link(path=path, cohort=practice, actor=c.trainee)
    with pytest.raises(ValidationError, match="necesita 2 participantes"):
        services.trainer_observation_record(path=path, observer=c.master, items={}, comments="", recommended=True)
    learner = UserFactory()
    cohort_member_add(cohort=practice, user=learner)
    complete(Enrollment.objects.get(user=learner, course=c.gin_course))

    items = dict.fromkeys(c.track.checklist, True)
    observation = services.trainer_observation_record(
        path=path, observer=c.master, items=items, comments="Muy buena conducción del grupo.", recommended=True
    )
    assert all(observation.items.values())
    path.refresh_from_db()
    assert path.state == State.RECOMMENDED

    with pytest.raises(PermissionDenied):
        services.trainer_certify(path=path, approver=c.alt_admin)  # the nominating institution cannot approve
    stale = TrainerPath.objects.get(pk=path.pk)  # a second approver's page, still «recomendado»
    certificate = services.trainer_certify(path=path, approver=c.ilo_admin)
    path.refresh_from_db()
    assert path.state == State.CERTIFIED and path.certificate == certificate
    assert certificate.holder == c.trainee and certificate.revoked_at is None
    assert certificate.programme.kind == "trainer_qualification"
    assert certificate.issuer == c.oit
    assert "IMESUN-GIN" in certificate.achievement
    steps = list(PathEvent.objects.filter(path=path).values_list("to_state", flat=True))
    assert steps == ["applicant", "in_training", "in_practice", "in_practice", "recommended", "certified"]
    # Idempotent: the same trainer and track never get a second certificate. A second approval is refused,
    # and one sent from a page opened before the first (a stale «recomendado» path) gets the same certificate.
    with pytest.raises(ValidationError):
        services.trainer_certify(path=path, approver=c.ilo_admin, render=False)
    again = services.trainer_certify(path=stale, approver=c.ilo_admin, render=False)
    assert again == certificate
    assert Certificate.objects.filter(holder=c.trainee, programme__kind="trainer_qualification").count() == 1
    assert Notification.objects.filter(user=c.trainee).count() >= 5

    # Registry: opt-in only.
    assert list(selectors.registry_list()) == []
    consent_record(user=c.trainee, purpose=ConsentRecord.Purpose.REGISTRY, granted=True)
    assert list(selectors.registry_list(methodology="imesun")) == [path]
    consent_record(user=c.trainee, purpose=ConsentRecord.Purpose.REGISTRY, granted=False)
    assert list(selectors.registry_list()) == []


def test_revoking_a_trainer_keeps_their_participants_certificates_valid(chain):
    c = chain
    path = TrainerPath.objects.create(
        trainer=c.trainee, track=c.track, institution=c.alternativa, supervisor=c.master, state=State.RECOMMENDED
    )
    trainer_certificate = services.trainer_certify(path=path, approver=c.ilo_admin)
    practice, learners = practice_cohort_with_completions(c, 1)
    ProgrammeFactory(course=c.gin_course, issuer=c.alternativa, auto_issue=True)
    enrollment = Enrollment.objects.get(user=learners[0], course=c.gin_course)
    participant_certificate = certificate_issue_for_enrollment(enrollment=enrollment)
    assert participant_certificate.trainer_name == "Carmen Salazar Ríos"

    with pytest.raises(ValidationError, match="motivo"):
        services.trainer_certification_withdraw(path=path, actor=c.ilo_admin, reason=" ")
    with pytest.raises(PermissionDenied):
        services.trainer_certification_withdraw(path=path, actor=c.alt_admin, reason="x")
    services.trainer_certification_withdraw(path=path, actor=c.ilo_admin, reason="Incumplió el código de conducta.")

    path.refresh_from_db()
    trainer_certificate.refresh_from_db()
    participant_certificate.refresh_from_db()
    assert path.state == State.REVOKED and path.status_reason == "Incumplió el código de conducta."
    assert trainer_certificate.revoked_at is not None
    assert participant_certificate.revoked_at is None
    assert participant_certificate.status_on() == "valid"
    consent_record(user=c.trainee, purpose=ConsentRecord.Purpose.REGISTRY, granted=True)
    [listed] = selectors.registry_list()
    assert listed.get_state_display() == "Revocada o revocado"


def test_suspension_then_revocation(chain):
    c = chain
    path = TrainerPath.objects.create(
        trainer=c.trainee, track=c.track, institution=c.alternativa, supervisor=c.master, state=State.RECOMMENDED
    )
    services.trainer_certify(path=path, approver=c.ilo_admin)
    services.trainer_certification_withdraw(path=path, actor=c.ilo_admin, reason="Revisión en curso", suspend=True)
    assert path.state == State.SUSPENDED
    services.trainer_certification_withdraw(path=path, actor=c.ilo_admin, reason="Confirmado")
    assert path.state == State.REVOKED


def test_suspension_lifted_issues_a_new_certificate(chain):
    c = chain
    path = TrainerPath.objects.create(
        trainer=c.trainee, track=c.track, institution=c.alternativa, supervisor=c.master, state=State.RECOMMENDED
    )
    first = services.trainer_certify(path=path, approver=c.ilo_admin, render=False)
    with pytest.raises(ValidationError):  # only a suspension can be lifted
        services.trainer_certification_reinstate(path=path, actor=c.ilo_admin, reason="x")
    services.trainer_certification_withdraw(path=path, actor=c.ilo_admin, reason="Revisión en curso", suspend=True)
    with pytest.raises(PermissionDenied):
        services.trainer_certification_reinstate(path=path, actor=c.alt_admin, reason="x")
    with pytest.raises(ValidationError, match="motivo"):
        services.trainer_certification_reinstate(path=path, actor=c.ilo_admin, reason=" ")
    second = services.trainer_certification_reinstate(
        path=path, actor=c.ilo_admin, reason="La revisión no encontró faltas"
    )
    path.refresh_from_db()
    first.refresh_from_db()
    assert path.state == State.CERTIFIED and path.certificate == second and path.status_reason == ""
    assert second.code != first.code and second.status_on() == "valid"
    assert first.status_on() == "replaced" and first.replaced_by == second  # the old code leads to the new one
    assert "La revisión no encontró faltas" in path.events.order_by("-pk").first().note

    # Suspended again and lifted again: a third certificate, never the same key twice.
    services.trainer_certification_withdraw(path=path, actor=c.ilo_admin, reason="Otra revisión", suspend=True)
    third = services.trainer_certification_reinstate(path=path, actor=c.ilo_admin, reason="Sin faltas")
    assert third.pk not in (first.pk, second.pk)
    second.refresh_from_db()
    assert second.replaced_by == third

    services.trainer_certification_withdraw(path=path, actor=c.ilo_admin, reason="Confirmado")
    with pytest.raises(ValidationError):  # a revocation is final
        services.trainer_certification_reinstate(path=path, actor=c.ilo_admin, reason="x")


def test_status_is_per_sub_module(chain):
    c = chain
    isun = TrainerTrackFactory(name="IMESUN-ISUN", slug="imesun-isun", certifying_institution=c.oit)
    gin_path = TrainerPath.objects.create(
        trainer=c.trainee, track=c.track, institution=c.alternativa, state=State.RECOMMENDED
    )
    isun_path = TrainerPath.objects.create(
        trainer=c.trainee, track=isun, institution=c.alternativa, state=State.IN_PRACTICE
    )
    services.trainer_certify(path=gin_path, approver=c.ilo_admin)
    isun_path.refresh_from_db()
    assert (gin_path.state, isun_path.state) == (State.CERTIFIED, State.IN_PRACTICE)


def test_guards_on_each_step(chain):
    c = chain
    with pytest.raises(PermissionDenied):
        services.trainer_nominate(trainer=c.trainee, track=c.track, institution=c.alternativa, actor=c.trainee)
    with pytest.raises(ValidationError, match="master trainer"):
        services.trainer_nominate(
            trainer=c.trainee, track=c.track, institution=c.alternativa, actor=c.alt_admin, supervisor=UserFactory()
        )
    path = services.trainer_nominate(
        trainer=c.trainee, track=c.track, institution=c.alternativa, actor=c.alt_admin, supervisor=c.master
    )
    with pytest.raises(ValidationError, match="ya tiene"):
        services.trainer_nominate(trainer=c.trainee, track=c.track, institution=c.alternativa, actor=c.alt_admin)
    with pytest.raises(ValidationError, match="estado actual"):
        services.trainer_certify(path=path, approver=c.ilo_admin)
    wrong = cohort_create(institution=c.oit, name="Otro", course=c.gin_course)
    with pytest.raises(ValidationError, match="no dicta"):
        services.trainer_training_start(path=path, tot_cohort=wrong, actor=c.alt_admin)
    services.trainer_training_start(path=path, tot_cohort=c.tot_cohort, actor=c.alt_admin)
    with pytest.raises(ValidationError, match="Aún no completa"):
        services.trainer_training_complete(path=path)
    path.state = State.IN_PRACTICE
    path.save()
    not_taught = cohort_create(institution=c.alternativa, name="Ajeno", course=c.gin_course)
    with pytest.raises(ValidationError, match="facilitar el grupo"):
        services.trainer_practice_link(path=path, cohort=not_taught, actor=c.trainee)
    # A master trainer of another methodology, or one not supervising, cannot observe.
    other_master = MasterTrainerFactory(methodology="Get Ahead").user
    with pytest.raises(PermissionDenied):
        services.trainer_observation_record(path=path, observer=other_master, items={}, comments="", recommended=True)


def test_who_sees_which_paths(chain):
    c = chain
    path = TrainerPath.objects.create(trainer=c.trainee, track=c.track, institution=c.alternativa, supervisor=c.master)
    other_master = MasterTrainerFactory().user
    outsider_admin = MembershipFactory(role=Role.INSTITUTION_ADMIN).user
    participant = MembershipFactory(institution=c.alternativa, role=Role.PARTICIPANT).user
    for user in (c.trainee, c.master, c.alt_admin, c.ilo_admin):
        assert selectors.can_view_path(user=user, path=path)
        assert list(selectors.paths_visible_to(user=user)) == [path]
    for user in (other_master, outsider_admin, participant):
        assert not selectors.can_view_path(user=user, path=path)
        assert list(selectors.paths_visible_to(user=user)) == []
    _ = ProgrammeFactory
