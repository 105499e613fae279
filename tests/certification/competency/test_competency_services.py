"""Competency services against the real database: standards, instruments, process, certificate."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification.competency import selectors, services
from certification.competency.models import (
    Application,
    AuditEvent,
    CompetencyStandard,
    KnowledgeAttempt,
    ObservationMark,
    ObservationRecord,
    UnitResult,
)
from certification.models import Certificate
from tests.lms.accounts.factories import UserFactory

from .factories import QuestionFactory, body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def standard():
    return make_standard(units=2, criteria=2, questions=5)


@pytest.fixture
def body(standard):
    return standard.certifying_body


@pytest.fixture
def admin(body):
    return body_admin_of(body)


@pytest.fixture
def evaluator(body):
    return evaluator_of(body)


@pytest.fixture
def candidate():
    return UserFactory()


def apply(candidate, standard):
    return services.application_create(candidate=candidate, standard=standard, experience="Vendo hace 4 años.")


def assigned(candidate, standard, admin, evaluator):
    application = apply(candidate, standard)
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Mercado de Surquillo"
    )
    return application


def checklist(application, unit, evaluator, mark="met", submission_id=None):
    marks = {c.pk: (mark, "") for c in unit.criteria.all()}
    return services.observation_record(
        application=application,
        unit=unit,
        evaluator=evaluator,
        submission_id=submission_id or uuid.uuid4(),
        marks=marks,
        notes="Observado en el puesto.",
    )


def decide(application, evaluator, verdicts, validator):
    for unit in application.units.all():
        verdict = verdicts[unit.code]
        services.unit_verdict_record(
            application=application,
            unit=unit,
            evaluator=evaluator,
            verdict=verdict,
            feedback="" if verdict == "competent" else "Practica el cierre de la venta.",
        )
    services.assessment_submit(application=application, evaluator=evaluator)
    if application.validator_id != validator.pk:
        admin = body_admin_of(application.certifying_body)
        services.validator_assign(application=application, validator=validator, actor=admin)
    return services.assessment_validate(application=application, validator=validator, approve=True)


# --- Standards and versions ---------------------------------------------------------------------------


def test_new_version_copies_units_and_leaves_past_assessments_alone(standard, candidate, admin, evaluator):
    application = assigned(candidate, standard, admin, evaluator)
    v2 = services.standard_new_version(standard=standard)
    assert v2.version == 2 and v2.status == CompetencyStandard.Status.DRAFT
    assert [u.code for u in v2.units.all()] == [u.code for u in standard.units.all()]
    assert v2.units.first().criteria.count() == 2 and v2.units.first().questions.count() == 5

    unit = v2.units.first()
    unit.title = "Título cambiado en la versión 2"
    unit.save()
    services.standard_publish(standard=v2)

    standard.refresh_from_db()
    assert standard.status == CompetencyStandard.Status.RETIRED
    assert application.standard_id == standard.pk
    assert "cambiado" not in application.units.first().title
    # A retired version no longer takes new applications.
    with pytest.raises(ValidationError):
        apply(UserFactory(), standard)


def test_a_standard_without_units_cannot_be_published(body):
    draft = CompetencyStandard.objects.create(certifying_body=body, code="X", title="Vacía", occupation="X")
    with pytest.raises(ValidationError):
        services.standard_publish(standard=draft)


# --- Knowledge test -----------------------------------------------------------------------------------


def test_draw_is_random_per_seed_and_reproducible(standard):
    unit = standard.units.first()
    QuestionFactory.create_batch(10, unit=unit)
    first = services.knowledge_draw(unit=unit, seed="a")
    assert len(first) == unit.question_count == 3
    assert services.knowledge_draw(unit=unit, seed="a") == first
    draws = {tuple(services.knowledge_draw(unit=unit, seed=str(i))) for i in range(20)}
    assert len(draws) > 5
    assert set().union(*draws) <= set(unit.questions.values_list("pk", flat=True))


def test_attempt_records_draw_and_grades_with_threshold(standard, candidate, admin, evaluator):
    application = assigned(candidate, standard, admin, evaluator)
    unit = standard.units.first()
    attempt = services.knowledge_attempt_start(application=application, unit=unit, candidate=candidate, seed="s1")
    assert attempt.question_ids == services.knowledge_draw(unit=unit, seed="s1")
    # Resuming returns the same unfinished attempt (same questions).
    again = services.knowledge_attempt_start(application=application, unit=unit, candidate=candidate)
    assert again.pk == attempt.pk

    # Two of three right (option 0 is correct) = 66.7 % < 70 %.
    answers = {str(q): "0" for q in attempt.question_ids[:2]} | {str(attempt.question_ids[2]): "1"}
    graded = services.knowledge_attempt_submit(attempt=attempt, candidate=candidate, answers=answers)
    assert graded.score == pytest.approx(66.7) and graded.passed is False
    # Submitting again changes nothing.
    right = {str(q): "0" for q in attempt.question_ids}
    assert services.knowledge_attempt_submit(attempt=attempt, candidate=candidate, answers=right).score == 66.7

    second = services.knowledge_attempt_start(application=application, unit=unit, candidate=candidate)
    assert second.pk != attempt.pk
    graded = services.knowledge_attempt_submit(
        attempt=second, candidate=candidate, answers={str(q): "0" for q in second.question_ids}
    )
    assert graded.passed is True and graded.score == 100
    assert KnowledgeAttempt.objects.filter(application=application).count() == 2
    with pytest.raises(ValidationError):  # two attempts per unit by default
        services.knowledge_attempt_start(application=application, unit=unit, candidate=candidate)


def test_someone_else_cannot_take_the_test(standard, candidate, admin, evaluator):
    application = assigned(candidate, standard, admin, evaluator)
    with pytest.raises(PermissionDenied):
        services.knowledge_attempt_start(application=application, unit=standard.units.first(), candidate=evaluator)


# --- Observation checklist ----------------------------------------------------------------------------


def test_checklist_retry_with_same_submission_id_is_recorded_once(standard, candidate, admin, evaluator):
    application = assigned(candidate, standard, admin, evaluator)
    unit = standard.units.first()
    sid = uuid.uuid4()
    record, created = checklist(application, unit, evaluator, submission_id=sid)
    assert created
    again, created_again = checklist(application, unit, evaluator, mark="not_met", submission_id=sid)
    assert not created_again and again.pk == record.pk
    assert ObservationRecord.objects.count() == 1
    assert set(ObservationMark.objects.values_list("mark", flat=True)) == {"met"}
    assert AuditEvent.objects.filter(action="observation_recorded").count() == 1


def test_checklist_needs_every_criterion_and_the_assigned_evaluator(standard, candidate, admin, evaluator):
    application = assigned(candidate, standard, admin, evaluator)
    unit = standard.units.first()
    first = unit.criteria.first()
    with pytest.raises(ValidationError):
        services.observation_record(
            application=application,
            unit=unit,
            evaluator=evaluator,
            submission_id=uuid.uuid4(),
            marks={first.pk: ("met", "")},
        )
    other = evaluator_of(standard.certifying_body)
    with pytest.raises(PermissionDenied):
        checklist(application, unit, other)
    record, _ = checklist(application, unit, evaluator, mark="not_observed")
    summary = selectors.assessment_summary(application=application)[0]
    assert summary.observation == record and summary.suggested == UnitResult.Verdict.NOT_YET


# --- Evidence and rubric ------------------------------------------------------------------------------


def test_evidence_accepts_photos_and_https_links_only(standard, candidate, admin, evaluator):
    application = assigned(candidate, standard, admin, evaluator)
    unit = standard.units.first()
    photo = services.evidence_add(
        application=application,
        unit=unit,
        actor=candidate,
        title="Mi vitrina",
        upload=SimpleUploadedFile("vitrina.png", PNG, content_type="image/png"),
    )
    assert photo.kind == "photo" and photo.content_type == "image/png" and photo.file.name.endswith(".png")
    assert "vitrina" not in photo.file.name  # stored under a random name
    link = services.evidence_add(
        application=application,
        unit=unit,
        actor=candidate,
        title="Repositorio",
        url="https://github.com/ejemplo/tienda",
    )
    assert link.kind == "link"
    for name, data in [
        ("pagina.html", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("foto.png", b"<html>disfrazado de png</html>"),
    ]:
        with pytest.raises(ValidationError):
            services.evidence_add(
                application=application,
                unit=unit,
                actor=candidate,
                title="x",
                upload=SimpleUploadedFile(name, data, content_type="image/png"),
            )
    with pytest.raises(ValidationError):
        services.evidence_add(application=application, unit=unit, actor=candidate, title="x", url="javascript:1")
    with pytest.raises(PermissionDenied):
        services.evidence_add(application=application, unit=unit, actor=UserFactory(), title="x", url="https://a.pe")


def test_evidence_over_the_size_limit_is_refused(settings, standard, candidate, admin, evaluator):
    settings.RUTA_COMPETENCY_MAX_UPLOAD_MB = 1
    application = assigned(candidate, standard, admin, evaluator)
    big = SimpleUploadedFile("grande.png", PNG + b"\x00" * (1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError):
        services.evidence_add(
            application=application, unit=standard.units.first(), actor=candidate, title="x", upload=big
        )


def test_rubric_weighted_percentage_and_threshold(standard, candidate, admin, evaluator):
    application = assigned(candidate, standard, admin, evaluator)
    unit = standard.units.first()
    first, second = unit.rubric.all()
    second.weight = 3
    second.save()
    score = services.rubric_score(
        application=application, unit=unit, evaluator=evaluator, levels={first.pk: 2, second.pk: 1}
    )
    # (1×2/2 + 3×1/2) / 4 = 62.5 %
    assert score.percent == 62.5 and score.passed is True
    score = services.rubric_score(
        application=application, unit=unit, evaluator=evaluator, levels={first.pk: 0, second.pk: 1}
    )
    assert score.percent == 37.5 and score.passed is False
    with pytest.raises(ValidationError):
        services.rubric_score(application=application, unit=unit, evaluator=evaluator, levels={first.pk: 9})


# --- Evaluators ---------------------------------------------------------------------------------------


def test_only_eligible_evaluators_can_be_assigned(standard, candidate, admin, evaluator):
    from tests.courses.cohorts.factories import CohortFactory, CohortMemberFactory, CohortTrainerFactory

    application = apply(candidate, standard)
    outsider = UserFactory()
    with pytest.raises(ValidationError):
        services.evaluator_assign(application=application, evaluator=outsider, actor=admin)

    services.conflict_declare(evaluator=evaluator, candidate=candidate, reason="Es mi vecina.")
    with pytest.raises(ValidationError, match="conflicto"):
        services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)

    trainer = evaluator_of(standard.certifying_body)
    cohort = CohortFactory(name="Ventas 2025-I")
    CohortTrainerFactory(cohort=cohort, user=trainer)
    CohortMemberFactory(cohort=cohort, user=candidate)
    with pytest.raises(ValidationError, match="facilitadora"):
        services.evaluator_assign(application=application, evaluator=trainer, actor=admin)

    fine = evaluator_of(standard.certifying_body)
    assert selectors.eligible_evaluators(application=application) == [fine]
    with pytest.raises(PermissionDenied):
        services.evaluator_assign(application=application, evaluator=fine, actor=fine)
    services.evaluator_assign(application=application, evaluator=fine, actor=admin)
    assert application.status == Application.Status.ASSIGNED


def test_evaluator_lists_only_their_assigned_candidates(standard, admin, evaluator):
    mine = assigned(UserFactory(), standard, admin, evaluator)
    other_evaluator = evaluator_of(standard.certifying_body)
    theirs = assigned(UserFactory(), standard, admin, other_evaluator)
    assert list(selectors.applications_for_evaluator(user=evaluator)) == [mine]
    assert selectors.can_view_as_evaluator(evaluator, mine)
    assert not selectors.can_view_as_evaluator(evaluator, theirs)


# --- The whole process --------------------------------------------------------------------------------


def test_full_process_validation_certificate_and_audit(standard, candidate, admin, evaluator):
    application = assigned(candidate, standard, admin, evaluator)
    for unit in standard.units.all():
        checklist(application, unit, evaluator)
    validator = evaluator_of(standard.certifying_body)
    codes = {u.code: "competent" for u in standard.units.all()}

    # The assessor cannot validate their own verdicts.
    for unit in application.units.all():
        services.unit_verdict_record(application=application, unit=unit, evaluator=evaluator, verdict="competent")
    services.assessment_submit(application=application, evaluator=evaluator)
    with pytest.raises(PermissionDenied):
        services.assessment_validate(application=application, validator=evaluator, approve=True)
    # Another evaluator of the body who was not assigned to validate cannot either.
    with pytest.raises(PermissionDenied):
        services.assessment_validate(application=application, validator=validator, approve=True)
    with pytest.raises(ValidationError):
        services.validator_assign(application=application, validator=evaluator, actor=admin)
    services.validator_assign(application=application, validator=validator, actor=admin)
    # Returned for review, then re-submitted and validated.
    services.assessment_validate(application=application, validator=validator, approve=False, comment="Adjunta fotos.")
    assert application.status == Application.Status.SCHEDULED
    services.assessment_submit(application=application, evaluator=evaluator)
    services.assessment_validate(application=application, validator=validator, approve=True)
    application.refresh_from_db()
    assert application.status == Application.Status.DECIDED and application.result == "competent"

    certificate = Certificate.objects.get(holder=candidate)
    assert certificate.issuer == standard.certifying_body
    assert certificate.competency_units == [f"{u.code} · {u.title}" for u in standard.units.all()]
    assert codes  # every unit listed
    actions = list(application.audit.values_list("action", flat=True))
    assert actions[:3] == ["applied", "evaluator_assigned", "scheduled"]
    assert {"observation_recorded", "unit_verdict", "submitted", "returned", "validated", "certificate_issued"} <= set(
        actions
    )
    assert all(e.created_at for e in application.audit.all())


def test_partial_then_complete_certification(standard, candidate, admin, evaluator):
    first_unit, second_unit = standard.units.all()
    validator = evaluator_of(standard.certifying_body)
    application = assigned(candidate, standard, admin, evaluator)
    decide(application, evaluator, {first_unit.code: "competent", second_unit.code: "not_yet"}, validator)
    assert application.result == "not_yet"

    report = selectors.gap_report(application=application)
    assert report.achieved == [first_unit] and not report.complete
    assert report.pending[0][0] == second_unit
    assert report.pending[0][1] == "Practica el cierre de la venta."
    assert report.pending[0][2] == standard.training_url
    partial = Certificate.objects.get(holder=candidate)
    assert partial.competency_units == [f"{first_unit.code} · {first_unit.title}"]
    assert "1 de 2" in partial.achievement

    later = services.application_reassess(application=application, candidate=candidate)
    assert list(later.units.all()) == [second_unit]
    services.evaluator_assign(application=later, evaluator=evaluator, actor=admin)
    decide(later, evaluator, {second_unit.code: "competent"}, validator)
    assert selectors.gap_report(application=later).complete
    complete = Certificate.objects.filter(holder=candidate).exclude(pk=partial.pk).get()
    assert len(complete.competency_units) == 2
    assert "1 de 2" not in complete.achievement


def test_appeal_once_and_upheld_appeal_issues_certificate(standard, candidate, admin, evaluator):
    first_unit, second_unit = standard.units.all()
    validator = evaluator_of(standard.certifying_body)
    application = assigned(candidate, standard, admin, evaluator)
    decide(application, evaluator, {first_unit.code: "competent", second_unit.code: "not_yet"}, validator)

    with pytest.raises(PermissionDenied):
        services.appeal_create(application=application, candidate=evaluator, reason="x")
    appeal = services.appeal_create(application=application, candidate=candidate, reason="No se observó el cierre.")
    assert application.status == Application.Status.APPEALED
    with pytest.raises(ValidationError):
        services.appeal_create(application=application, candidate=candidate, reason="Otra vez")

    with pytest.raises(ValidationError):  # took part in the decision
        services.appeal_assign(appeal=appeal, reviewer=validator, actor=admin)
    reviewer = evaluator_of(standard.certifying_body)
    services.appeal_assign(appeal=appeal, reviewer=reviewer, actor=admin)
    assert selectors.can_view_as_evaluator(reviewer, application)
    services.appeal_resolve(
        appeal=appeal,
        reviewer=reviewer,
        response="Revisado el video: cumple.",
        changed_verdicts={second_unit.pk: "competent"},
    )
    application.refresh_from_db()
    assert appeal.outcome == "upheld" and application.result == "competent"
    assert application.status == Application.Status.DECIDED
    newest = Certificate.objects.filter(holder=candidate).order_by("-id").first()
    assert len(newest.competency_units) == 2
    with pytest.raises(ValidationError):  # once only, even after it is resolved
        services.appeal_create(application=application, candidate=candidate, reason="Y otra")


def test_one_open_application_per_standard(standard, candidate):
    apply(candidate, standard)
    with pytest.raises(ValidationError):
        apply(candidate, standard)


def test_body_report_counts_stages_rates_and_days(standard, admin, evaluator):
    first_unit, second_unit = standard.units.all()
    validator = evaluator_of(standard.certifying_body)
    decided = assigned(UserFactory(), standard, admin, evaluator)
    decide(decided, evaluator, {first_unit.code: "competent", second_unit.code: "not_yet"}, validator)
    waiting = apply(UserFactory(), standard)
    report = selectors.body_report(body=standard.certifying_body)
    stages = {s: n for s, _label, n in report.stages}
    assert stages["applied"] == 1 and stages["decided"] == 1
    rates = {row["code"]: row["rate"] for row in report.units}
    assert rates == {first_unit.code: 100, second_unit.code: 0}

    # Days from application to decision, on known dates: 1.5, 10.5 and 4 days → median 4, mean 5.3.
    # A candidate still waiting (applied long ago) does not count.
    others = [assigned(UserFactory(), standard, admin, evaluator) for _ in range(2)]
    for application in others:
        decide(application, evaluator, {first_unit.code: "competent", second_unit.code: "competent"}, validator)
    applied_on = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    for application, days in zip([decided, *others], (1.5, 10.5, 4), strict=True):
        Application.objects.filter(pk=application.pk).update(
            created_at=applied_on, decided_at=applied_on + datetime.timedelta(days=days)
        )
    Application.objects.filter(pk=waiting.pk).update(created_at=applied_on - datetime.timedelta(days=90))
    report = selectors.body_report(body=standard.certifying_body)
    assert report.decided == 3
    assert (report.days_median, report.days_mean) == (4.0, 5.3)


def test_candidate_withdraws_then_applies_again(standard, candidate, admin, evaluator):
    application = assigned(candidate, standard, admin, evaluator)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(application=application, candidate=evaluator)
    services.application_withdraw(application=application, candidate=candidate)
    assert application.status == Application.Status.WITHDRAWN
    assert application.audit.filter(action="withdrawn", actor=candidate).exists()
    assert apply(candidate, standard).pk != application.pk


def test_each_person_hears_when_it_is_their_turn_and_no_notice_carries_a_verdict(
    standard, candidate, admin, evaluator, client, django_capture_on_commit_callbacks
):
    from courses.cohorts.models import Notification

    def notices(user):
        return list(Notification.objects.filter(user=user).order_by("pk"))

    first_unit, second_unit = standard.units.all()
    validator = evaluator_of(standard.certifying_body)
    with django_capture_on_commit_callbacks(execute=True):
        application = assigned(candidate, standard, admin, evaluator)
    (assignment,) = notices(evaluator)
    assert standard.title in assignment.title and assignment.url.endswith(f"/evaluacion/{application.pk}/")
    assignment_for_candidate, schedule = notices(candidate)
    assert assignment_for_candidate.url.endswith(f"/mis-postulaciones/{application.pk}/")
    assert "Mercado de Surquillo" in schedule.title and schedule.url.endswith(f"/mis-postulaciones/{application.pk}/")

    decide(application, evaluator, {first_unit.code: "competent", second_unit.code: "not_yet"}, validator)
    assert any("validar" in n.title for n in notices(validator))
    result = notices(candidate)[-1]
    assert "resultado" in result.title
    for notice in notices(candidate):  # a verdict is read behind login, never in a notice or an e-mail
        assert "competente" not in (notice.title + notice.body).lower()

    appeal = services.appeal_create(application=application, candidate=candidate, reason="No se observó el cierre.")
    reviewer = evaluator_of(standard.certifying_body)
    services.appeal_assign(appeal=appeal, reviewer=reviewer, actor=admin)
    (review,) = notices(reviewer)
    client.force_login(reviewer)
    assert client.get(review.url).status_code == 200  # the link opens the appeal review
    services.appeal_resolve(appeal=appeal, reviewer=reviewer, response="Se mantiene.")
    assert "apelación" in notices(candidate)[-1].title
