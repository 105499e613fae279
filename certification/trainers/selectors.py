"""Reads about the trainer certification path: who may see or decide what, practice progress, the public registry.

Privacy: only names, methodology, institution and status leave this module for public pages, and only for people
whose latest ``ConsentRecord.Purpose.REGISTRY`` decision is a grant.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from courses.cohorts.models import Cohort
from courses.cohorts.selectors import cohort_completions, cohort_courses
from lms.accounts.models import ConsentRecord, Role, User
from lms.accounts.permissions import has_role, institutions_with_role

from .models import MasterTrainer, PracticeObservation, TrainerPath, TrainerTrack

APPROVER_ROLES = (Role.INSTITUTION_ADMIN, Role.PROGRAMME_MANAGER)


def is_master_trainer(*, user, methodology: str) -> bool:
    """Master trainer is a status per methodology."""
    if not getattr(user, "is_authenticated", False):
        return False
    return MasterTrainer.objects.filter(user=user, methodology__iexact=methodology, active=True).exists()


def can_nominate(*, user, institution) -> bool:
    """An institution's admins nominate its staff as trainer applicants."""
    return has_role(user, Role.INSTITUTION_ADMIN, institution)


def can_approve(*, user, track: TrainerTrack) -> bool:
    """Only admins or programme managers of the track's certifying institution (the ILO or the methodology owner)."""
    return has_role(user, APPROVER_ROLES, track.certifying_institution)


def is_own_path(*, user, path: TrainerPath) -> bool:
    """Whether ``user`` is the path's trainer: nobody oversees their own certification (supervises, observes, marks
    training done, approves, suspends, revokes or reinstates it), whatever roles they also hold."""
    return getattr(user, "pk", None) is not None and path.trainer_id == user.pk


def can_approve_path(*, user, path: TrainerPath) -> bool:
    """An approver of the path's track (``can_approve``) who is not its trainer: the decisions on a certification
    (approve, suspend, revoke, reinstate) are always someone else's."""
    return not is_own_path(user=user, path=path) and can_approve(user=user, track=path.track)


def can_observe(*, user, path: TrainerPath) -> bool:
    """The path's supervising master trainer of its methodology, never the trainer observing their own practice."""
    if not getattr(user, "is_authenticated", False) or is_own_path(user=user, path=path):
        return False
    return path.supervisor_id == user.pk and is_master_trainer(user=user, methodology=path.track.methodology)


def can_view_path(*, user, path: TrainerPath) -> bool:
    """The trainer, their supervising master trainer, the nominating institution's admins and the approvers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or path.trainer_id == user.pk or path.supervisor_id == user.pk:
        return True
    return can_nominate(user=user, institution=path.institution) or can_approve(user=user, track=path.track)


def can_mark_training_complete(*, user, path: TrainerPath) -> bool:
    """Who may record that a trainee completed training of trainers held outside Ruta (a track with no training
    course): the supervising master trainer of that methodology, the nominating institution's admins, the
    approvers; never the trainee themselves."""
    if not getattr(user, "is_authenticated", False) or is_own_path(user=user, path=path):
        return False
    if can_observe(user=user, path=path):
        return True
    return can_nominate(user=user, institution=path.institution) or can_approve(user=user, track=path.track)


#: While a path may still change its supervising master trainer: until the practice is recommended. From then on
#: the recommendation stands on that master trainer's word and the certificate names them (the chain).
SUPERVISOR_CHANGE_STATES = (TrainerPath.State.APPLICANT, TrainerPath.State.IN_TRAINING, TrainerPath.State.IN_PRACTICE)


def may_change_supervisor(*, user, path: TrainerPath) -> bool:
    """Who may replace a path's supervising master trainer (one who left, was deactivated, is unavailable, or is
    the trainer herself on a path nominated before that was refused): the approvers of the track
    (``can_approve``) and the nominating institution's admins (``can_nominate``, who nominated and chose the
    supervisor); never the path's trainer (``is_own_path``). Whatever the path's state: see
    ``supervisor_change_closed``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or is_own_path(user=user, path=path):
        return False
    return can_approve(user=user, track=path.track) or can_nominate(user=user, institution=path.institution)


def supervisor_change_closed(*, path: TrainerPath) -> str:
    """Why the path's supervisor can no longer change (a Spanish message), or «» while it can."""
    if path.state in SUPERVISOR_CHANGE_STATES:
        return ""
    return _(
        "Ya no se puede cambiar la supervisión: la ruta está «%(state)s» y su práctica ya fue recomendada; "
        "la o el master trainer que la supervisó queda en el historial y en el certificado."
    ) % {"state": path.get_state_display()}


def can_change_supervisor(*, user, path: TrainerPath) -> bool:
    """Whether the path page offers ``user`` «Cambiar master trainer que supervisa» now."""
    return may_change_supervisor(user=user, path=path) and not supervisor_change_closed(path=path)


def supervisor_candidates(*, path: TrainerPath) -> QuerySet[User]:
    """The people who may take over a path's supervision: active accounts with an active master-trainer status in
    the track's methodology, never the path's trainer nor its current supervisor; by name."""
    masters = MasterTrainer.objects.filter(methodology__iexact=path.track.methodology, active=True)
    return (
        User.objects.filter(is_active=True, pk__in=masters.values("user_id"))
        .exclude(pk=path.trainer_id)
        .exclude(pk=path.supervisor_id or 0)
        .order_by("first_name", "last_name", "pk")
    )


def training_cohorts(*, track: TrainerTrack) -> QuerySet[Cohort]:
    """The cohorts a trainee may join as training of trainers: those of the track's training course, or, when the
    track has none, those delivering a course of the track's methodology (never another methodology's groups)."""
    if track.tot_course_id:
        return Cohort.objects.filter(course_id=track.tot_course_id).order_by("name")
    return Cohort.objects.filter(course__methodology__iexact=track.methodology).order_by("name")


def cohort_fits_training(*, cohort: Cohort, track: TrainerTrack) -> bool:
    """Whether ``cohort`` delivers the track's training course (or, without one, a course of its methodology)."""
    courses = cohort_courses(cohort)
    if track.tot_course_id:
        return track.tot_course_id in {course.pk for course in courses}
    methodology = track.methodology.strip().casefold()
    return bool(methodology) and any(course.methodology.strip().casefold() == methodology for course in courses)


def paths_visible_to(*, user) -> QuerySet[TrainerPath]:
    """Every path a person may see (their own, those they supervise, their institution's, those they approve)."""
    qs = TrainerPath.objects.select_related("trainer", "track", "institution", "supervisor")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    admin_of = institutions_with_role(user, Role.INSTITUTION_ADMIN)
    approver_of = institutions_with_role(user, APPROVER_ROLES)
    return qs.filter(
        Q(trainer=user)
        | Q(supervisor=user)
        | Q(institution__in=admin_of)
        | Q(track__certifying_institution__in=approver_of)
    ).distinct()


#: Paths still moving come before finished ones; within each, the path's order along the chain.
_STATE_ORDER = {state: index for index, state in enumerate(TrainerPath.State.values)}
_ENDED = (TrainerPath.State.CERTIFIED, TrainerPath.State.SUSPENDED, TrainerPath.State.REVOKED)


def paths_with_pending_actions(*, user, paths: list[TrainerPath]) -> list[tuple[TrainerPath, str]]:
    """Each path with the step ``user`` may take on it now («» if none), the paths needing ``user`` first, then
    those still moving, then certified, suspended and revoked ones; by name within each. A fixed number of
    queries, however many paths."""
    admin_of = set(institutions_with_role(user, Role.INSTITUTION_ADMIN).values_list("pk", flat=True))
    approver_of = set(institutions_with_role(user, APPROVER_ROLES).values_list("pk", flat=True))
    master_of = {
        m.casefold() for m in MasterTrainer.objects.filter(user=user, active=True).values_list("methodology", flat=True)
    }
    unsupported = _recommended_on_unmet_checklist([p.pk for p in paths if p.state == TrainerPath.State.RECOMMENDED])

    def pending(path: TrainerPath) -> str:
        own = path.trainer_id == user.pk  # nobody oversees their own path (``is_own_path``)
        manages = path.institution_id in admin_of or path.track.certifying_institution_id in approver_of
        supervises = not own and path.supervisor_id == user.pk and path.track.methodology.casefold() in master_of
        approves = not own and path.track.certifying_institution_id in approver_of
        state = path.state
        if state == TrainerPath.State.APPLICANT and manages:
            return _("Inscribir en la formación")
        if (
            state == TrainerPath.State.IN_TRAINING
            and not path.track.tot_course_id
            and not own
            and (manages or supervises)
        ):
            return _("Marcar formación completada")
        if state == TrainerPath.State.IN_PRACTICE and not path.practice_cohort_id:
            if user.pk in (path.trainer_id, path.supervisor_id):
                return _("Vincular el grupo de práctica")
        elif state == TrainerPath.State.IN_PRACTICE and supervises:
            return _("Observar la práctica")
        if state == TrainerPath.State.RECOMMENDED and path.pk in unsupported:
            return _("Observar la práctica de nuevo") if supervises else ""
        if state == TrainerPath.State.RECOMMENDED and approves:
            return _("Aprobar la certificación")
        return ""

    rows = [(path, pending(path)) for path in paths]
    rows.sort(
        key=lambda row: (
            not row[1],
            row[0].state in _ENDED,
            _STATE_ORDER.get(row[0].state, 99),
            row[0].trainer.printed_name.casefold(),
        )
    )
    return rows


def practice_completions(*, path: TrainerPath) -> int:
    """How many participants of the linked practice cohort completed its course(s)."""
    return cohort_completions(cohort=path.practice_cohort) if path.practice_cohort is not None else 0


@dataclass
class PracticeStatus:
    completions: int
    required: int

    @property
    def met(self) -> bool:
        return self.completions >= self.required


def practice_status(*, path: TrainerPath) -> PracticeStatus:
    return PracticeStatus(practice_completions(path=path), path.track.min_practice_completions)


def checklist_unmet(*, items: Mapping[str, bool], checklist: Iterable[str]) -> list[str]:
    """The items of ``checklist`` not ticked in ``items``. A recommendation needs **every** item of the track's
    observation checklist met (DOMAIN §3.1: «a master trainer approves the practice»; the checklist is what
    approving it means, and no track marks items optional)."""
    return [label for label in checklist if not items.get(label)]


def recommendation_unmet(*, path: TrainerPath) -> list[str]:
    """The checklist items that the path's latest observation left unmet ([] when all were met, or when the path
    has no observation on Ruta: a recommendation recorded outside it, as in the demo). A recommended path with
    unmet items (recorded before the rule) is not approved: its master trainer observes the practice again."""
    latest = path.observations.order_by("-created_at", "-id").first()
    if latest is None:
        return []
    return checklist_unmet(items=latest.items, checklist=list(latest.items))


def _recommended_on_unmet_checklist(path_ids: list[int]) -> set[int]:
    """Of these recommended paths, those whose latest observation left checklist items unmet (one query)."""
    seen: set[int] = set()
    unmet: set[int] = set()
    rows = PracticeObservation.objects.filter(path_id__in=path_ids).order_by("path_id", "-created_at", "-id")
    for path_id, items in rows.values_list("path_id", "items"):
        if path_id not in seen:
            seen.add(path_id)
            if checklist_unmet(items=items, checklist=list(items)):
                unmet.add(path_id)
    return unmet


def may_observe_now(*, path: TrainerPath) -> bool:
    """Whether the path is at the observation step: in practice, or recommended on an observation that did not
    meet the checklist (the master trainer records it again, and it is not approved until then)."""
    if path.state == TrainerPath.State.IN_PRACTICE:
        return True
    return path.state == TrainerPath.State.RECOMMENDED and bool(recommendation_unmet(path=path))


def _registry_consent() -> Subquery:
    latest = ConsentRecord.objects.filter(user=OuterRef("trainer"), purpose=ConsentRecord.Purpose.REGISTRY).order_by(
        "-created_at", "-id"
    )
    return Subquery(latest.values("granted")[:1])


REGISTRY_STATES = (TrainerPath.State.CERTIFIED, TrainerPath.State.SUSPENDED, TrainerPath.State.REVOKED)


def registry_list(*, methodology: str = "", query: str = "") -> QuerySet[TrainerPath]:
    """The public registry: certified (and suspended or revoked) trainers who opted in, by name; never someone who
    deleted (or asked to delete) her account, whatever consent record remains."""
    qs = (
        TrainerPath.objects.filter(state__in=REGISTRY_STATES, trainer__deletion_requested_at__isnull=True)
        .annotate(listed=_registry_consent())
        .filter(listed=True)
        .select_related("trainer", "track", "institution", "certificate")
        .order_by("trainer__last_name", "trainer__first_name", "track__name")
    )
    if methodology:
        qs = qs.filter(track__methodology__iexact=methodology)
    if query:
        qs = qs.filter(Q(trainer__first_name__icontains=query) | Q(trainer__last_name__icontains=query))
    return qs


def registry_methodologies() -> list[str]:
    return sorted(set(TrainerTrack.objects.filter(is_active=True).values_list("methodology", flat=True)))
