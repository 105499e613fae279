"""Reads for competency certification: who may see or do what, units achieved, gap reports, body reports.

Must not import from lms.reports.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from lms.accounts.models import Institution, Membership, Role, User
from lms.accounts.permissions import AnyUser, has_role, institutions_with_role

from .models import (
    Application,
    CompetencyStandard,
    CompetencyUnit,
    ConflictOfInterest,
    KnowledgeAttempt,
    ObservationMark,
    ObservationRecord,
    RubricScore,
    UnitResult,
)

#: Roles of a certifying body's staff who assign evaluators and read reports.
BODY_STAFF_ROLES = (Role.INSTITUTION_ADMIN, Role.PROGRAMME_MANAGER)


# --- Permissions -----------------------------------------------------------------------------------------


def can_manage_body(user: AnyUser, body: Institution) -> bool:
    """The body's admins and programme managers assign evaluators, handle appeals and read its reports."""
    return has_role(user, BODY_STAFF_ROLES, body)


def bodies_managed_by(user: AnyUser) -> QuerySet[Institution]:
    return institutions_with_role(user, BODY_STAFF_ROLES)


def is_body_evaluator(user: AnyUser, body: Institution) -> bool:
    return has_role(user, Role.EVALUATOR, body)


def can_validate(user: AnyUser, application: Application) -> bool:
    """The second evaluator the body assigned, or the body's staff as supervisors; never the assessor."""
    if not user.is_authenticated or user.pk in (application.evaluator_id, application.candidate_id):
        return False
    body = application.certifying_body
    if application.validator_id == user.pk and is_body_evaluator(user, body):
        return True
    return can_manage_body(user, body)


def can_view_as_evaluator(user: AnyUser, application: Application) -> bool:
    """Evaluators see only the applications they assess, validate or review on appeal; body staff see all."""
    if not user.is_authenticated:
        return False
    if user.pk in (application.evaluator_id, application.validator_id):
        return True
    appeal = getattr(application, "appeal", None)
    if appeal is not None and appeal.reviewer_id == user.pk:
        return True
    return can_manage_body(user, application.certifying_body)


def trained_candidate(*, trainer: User, candidate: User) -> bool:
    """True if the person taught a cohort the candidate was in (an evaluator must not assess them)."""
    from courses.cohorts.models import CohortMember

    return CohortMember.objects.filter(user=candidate, cohort__trainer_links__user=trainer).exists()


def evaluator_ineligibility(*, evaluator: User, application: Application) -> str:
    """Why this person may not assess this application ('' when they may)."""
    if evaluator.pk == application.candidate_id:
        return _("Una persona no puede evaluarse a sí misma.")
    # A real membership is required: superusers pass has_role() but are not certified evaluators.
    if not evaluator.memberships.filter(
        role=Role.EVALUATOR, institution=application.certifying_body, institution__is_active=True
    ).exists():
        return _("La persona no es evaluadora certificada de esta entidad.")
    if ConflictOfInterest.objects.filter(evaluator=evaluator, candidate_id=application.candidate_id).exists():
        return _("La persona declaró un conflicto de interés con quien postula.")
    if trained_candidate(trainer=evaluator, candidate=application.candidate):
        return _("La persona fue facilitadora de quien postula en un grupo; no puede evaluarle.")
    return ""


def eligible_evaluators(*, application: Application) -> list[User]:
    """Evaluators of the body who may assess this candidate."""
    people = User.objects.filter(
        memberships__role=Role.EVALUATOR, memberships__institution=application.certifying_body, is_active=True
    ).distinct()
    return [
        p
        for p in people.order_by("first_name", "last_name")
        if not evaluator_ineligibility(evaluator=p, application=application)
    ]


def body_has_evaluators(*, body: Institution) -> bool:
    """Whether anyone active holds the evaluator role in the body (to explain an empty list of eligible people)."""
    return Membership.objects.filter(
        role=Role.EVALUATOR, institution=body, institution__is_active=True, user__is_active=True
    ).exists()


def eligible_evaluators_by_application(*, applications: list[Application]) -> dict[int, list[User]]:
    """``eligible_evaluators`` for many applications in four queries (the body's assignment page)."""
    from courses.cohorts.models import CohortMember

    if not applications:
        return {}
    bodies = {a.standard.certifying_body_id for a in applications}
    pairs = list(
        Membership.objects.filter(
            role=Role.EVALUATOR, institution_id__in=bodies, institution__is_active=True, user__is_active=True
        ).values_list("institution_id", "user_id")
    )
    people = {
        u.pk: u for u in User.objects.filter(pk__in={uid for _body, uid in pairs}).order_by("first_name", "last_name")
    }
    by_body: dict[int, set[int]] = {}
    for body_id, user_id in pairs:
        by_body.setdefault(body_id, set()).add(user_id)
    candidates = {a.candidate_id for a in applications}
    conflicts = set(
        ConflictOfInterest.objects.filter(evaluator_id__in=people, candidate_id__in=candidates).values_list(
            "evaluator_id", "candidate_id"
        )
    )
    trained = set(
        CohortMember.objects.filter(user_id__in=candidates, cohort__trainer_links__user_id__in=people).values_list(
            "cohort__trainer_links__user_id", "user_id"
        )
    )
    return {
        application.pk: [
            person
            for uid, person in people.items()
            if uid in by_body.get(application.standard.certifying_body_id, set())
            and uid != application.candidate_id
            and (uid, application.candidate_id) not in conflicts
            and (uid, application.candidate_id) not in trained
        ]
        for application in applications
    }


# --- Lists -----------------------------------------------------------------------------------------------


def applications_for_evaluator(*, user: User) -> QuerySet[Application]:
    """Applications this person assesses, validates or reviews on appeal (never anyone else's)."""
    return (
        Application.objects.filter(Q(evaluator=user) | Q(validator=user) | Q(appeal__reviewer=user))
        .select_related("candidate", "standard", "standard__certifying_body")
        .distinct()
        .order_by("scheduled_at", "created_at")
    )


def applications_to_validate(*, user: User) -> QuerySet[Application]:
    """Submitted results waiting for this person: as the assigned validator, or as staff of the body."""
    return (
        Application.objects.filter(status=Application.Status.SUBMITTED)
        .filter(Q(validator=user) | Q(standard__certifying_body__in=bodies_managed_by(user)))
        .exclude(evaluator=user)
        .exclude(candidate=user)
        .select_related("candidate", "standard", "evaluator")
        .distinct()
    )


def applications_for_body(*, body: Institution) -> QuerySet[Application]:
    return Application.objects.filter(standard__certifying_body=body).select_related(
        "candidate", "standard", "evaluator", "validator"
    )


def standards_open() -> QuerySet[CompetencyStandard]:
    return CompetencyStandard.objects.filter(status=CompetencyStandard.Status.PUBLISHED).select_related(
        "certifying_body"
    )


# --- Results ---------------------------------------------------------------------------------------------


def units_achieved(*, candidate: User, standard: CompetencyStandard) -> list[CompetencyUnit]:
    """Units of this standard version found competent in any validated (decided) application of the candidate."""
    return list(
        CompetencyUnit.objects.filter(
            standard=standard,
            results__verdict=UnitResult.Verdict.COMPETENT,
            results__application__candidate=candidate,
            results__application__status=Application.Status.DECIDED,
        )
        .distinct()
        .order_by("order", "id")
    )


@dataclass
class GapReport:
    achieved: list[CompetencyUnit]
    pending: list[tuple[CompetencyUnit, str, str]]  # unit, feedback, training link
    complete: bool


def gap_report(*, application: Application) -> GapReport:
    """Units achieved so far in this standard and, for each one left, the feedback and where to train."""
    achieved = units_achieved(candidate=application.candidate, standard=application.standard)
    achieved_ids = {u.pk for u in achieved}
    feedback = {r.unit_id: r.feedback for r in application.unit_results.all()}
    pending = [
        (u, feedback.get(u.pk, ""), u.gap_training_url)
        for u in application.standard.units.all()
        if u.pk not in achieved_ids
    ]
    return GapReport(achieved=achieved, pending=pending, complete=not pending)


@dataclass
class UnitEvidenceSummary:
    unit: CompetencyUnit
    knowledge: KnowledgeAttempt | None
    observation: ObservationRecord | None
    marks: list[ObservationMark] = field(default_factory=list)
    rubric: RubricScore | None = None
    evidence: list[Any] = field(default_factory=list)
    result: UnitResult | None = None
    attempts_used: int = 0

    @property
    def attempts_left(self) -> int:
        return max(self.unit.knowledge_max_attempts - self.attempts_used, 0)

    @property
    def can_take_test(self) -> bool:
        """Attempts remain and the unit's test is not passed yet (a pass is never put at risk by a retake)."""
        return self.attempts_left > 0 and not (self.knowledge is not None and self.knowledge.passed)

    @property
    def suggested(self) -> str:
        """What the instruments point to; the evaluator decides."""
        if self.knowledge is not None and self.knowledge.passed is False:
            return UnitResult.Verdict.NOT_YET
        if any(m.mark != ObservationMark.Mark.MET and m.criterion.is_critical for m in self.marks):
            return UnitResult.Verdict.NOT_YET
        if self.rubric is not None and not self.rubric.passed:
            return UnitResult.Verdict.NOT_YET
        if self.observation is None and self.rubric is None:
            return ""
        return UnitResult.Verdict.COMPETENT


def latest_observation(*, application: Application, unit) -> ObservationRecord | None:
    """The checklist that counts for a unit: the latest recorded (a later one corrects an earlier one)."""
    return application.observations.filter(unit=unit).order_by("-created_at", "-id").first()


def _attempt_rank(attempt: KnowledgeAttempt) -> tuple[bool, float]:
    return (bool(attempt.passed), attempt.score or 0.0)


def assessment_summary(*, application: Application) -> list[UnitEvidenceSummary]:
    """Per unit of the application: best knowledge attempt, latest checklist, rubric, evidence and verdict.

    The knowledge attempt that counts is the best one (a pass, then the highest score, then the latest), so no
    later attempt can undo a pass.
    """
    units = list(application.units.order_by("order", "id").prefetch_related("criteria", "rubric"))
    attempts: dict[int, KnowledgeAttempt] = {}
    used: dict[int, int] = {}
    for attempt in application.knowledge_attempts.exclude(submitted_at=None).order_by("submitted_at", "id"):
        best = attempts.get(attempt.unit_id)
        if best is None or _attempt_rank(attempt) >= _attempt_rank(best):
            attempts[attempt.unit_id] = attempt
        used[attempt.unit_id] = used.get(attempt.unit_id, 0) + 1
    observations: dict[int, ObservationRecord] = {}
    for observed in application.observations.order_by("created_at", "id").prefetch_related("marks__criterion"):
        observations[observed.unit_id] = observed
    rubrics = {r.unit_id: r for r in application.rubric_scores.all()}
    results = {r.unit_id: r for r in application.unit_results.all()}
    evidence: dict[int, list[Any]] = {}
    for item in application.evidence.all():
        evidence.setdefault(item.unit_id, []).append(item)
    out = []
    for unit in units:
        record = observations.get(unit.pk)
        out.append(
            UnitEvidenceSummary(
                unit=unit,
                knowledge=attempts.get(unit.pk),
                observation=record,
                marks=list(record.marks.all()) if record else [],
                rubric=rubrics.get(unit.pk),
                evidence=evidence.get(unit.pk, []),
                result=results.get(unit.pk),
                attempts_used=used.get(unit.pk, 0),
            )
        )
    return out


# --- Reports for the certifying body --------------------------------------------------------------------


@dataclass
class BodyReport:
    stages: list[tuple[str, str, int]]  # status, label, count
    results: list[tuple[str, int]]
    units: list[dict[str, Any]]
    decided: int
    days_median: float | None
    days_mean: float | None


def body_report(*, body: Institution) -> BodyReport:
    """Candidates per stage, pass rate per unit, and days from application to validated decision."""
    apps = Application.objects.filter(standard__certifying_body=body)
    counts = dict(apps.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    stages = [(s.value, str(s.label), counts.get(s.value, 0)) for s in Application.Status]
    decided = apps.filter(status=Application.Status.DECIDED)
    result_counts = dict(decided.values_list("result").annotate(n=Count("id")).values_list("result", "n"))
    results = [(str(r.label), result_counts.get(r.value, 0)) for r in Application.Result if r.value]
    rows = (
        UnitResult.objects.filter(
            application__standard__certifying_body=body, application__status=Application.Status.DECIDED
        )
        .values("unit__standard__title", "unit__standard__version", "unit__code", "unit__title")
        .annotate(
            total=Count("id"),
            competent=Count("id", filter=Q(verdict=UnitResult.Verdict.COMPETENT)),
        )
        .order_by("unit__standard__title", "unit__standard__version", "unit__code")
    )
    units = [
        {
            "standard": f"{r['unit__standard__title']} (v{r['unit__standard__version']})",
            "code": r["unit__code"],
            "title": r["unit__title"],
            "total": r["total"],
            "competent": r["competent"],
            "rate": round(100 * r["competent"] / r["total"]) if r["total"] else 0,
        }
        for r in rows
    ]
    days = [
        (a.decided_at - a.created_at).total_seconds() / 86400
        for a in decided.exclude(decided_at=None).only("created_at", "decided_at")
        if a.decided_at is not None
    ]
    return BodyReport(
        stages=stages,
        results=results,
        units=units,
        decided=decided.count(),
        days_median=round(statistics.median(days), 1) if days else None,
        days_mean=round(statistics.fmean(days), 1) if days else None,
    )
