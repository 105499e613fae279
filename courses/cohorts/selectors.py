"""Reads about cohorts: who may see or manage what, the trainer's roster, pending grading, attendance and exports.

``trainer_name_for_enrollment`` is the contract certification uses to print the trainer's name on a
participant's certificate; ``can_grade`` is the hook content's grading asks (through courses' LessonPage).
Every roster read runs a fixed number of queries whatever the number of participants.
Must not import certification or reports.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from content.models import KeptAnswer, Submission
from content.packages.models import ScormAttempt
from courses.models import CoursePage, Enrollment, LessonPage
from lms.accounts.models import ConsentRecord, Institution, Role, User
from lms.accounts.permissions import has_role, institutions_with_role, staff_anywhere_ids
from lms.accounts.selectors import consent_granted_user_ids

from .models import Attendance, Cohort, CohortInvitation, CohortMember, CohortTrainer, LiveSession, Notification

#: Roles that may create cohorts in their institution.
COHORT_CREATOR_ROLES = (Role.TRAINER, Role.MASTER_TRAINER, Role.INSTITUTION_ADMIN)


# --- Permissions ---------------------------------------------------------------------------------------


def cohorts_for_staff(*, user) -> QuerySet[Cohort]:
    """Cohorts a person may manage: those they teach, and every cohort of an institution they administer."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Cohort.objects.none()
    if user.is_superuser:
        return Cohort.objects.all()
    admin_of = institutions_with_role(user, Role.INSTITUTION_ADMIN)
    return Cohort.objects.filter(Q(trainer_links__user=user) | Q(institution__in=admin_of)).distinct()


def can_manage_cohort(*, user, cohort: Cohort) -> bool:
    """Trainers of the cohort, admins of its institution and superusers manage it; nobody else sees it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if CohortTrainer.objects.filter(cohort=cohort, user=user).exists():
        return True
    return has_role(user, Role.INSTITUTION_ADMIN, cohort.institution)


def institutions_for_new_cohort(*, user) -> QuerySet[Institution]:
    """Institutions where the person may open a cohort (trainer, master trainer or admin there)."""
    return institutions_with_role(user, COHORT_CREATOR_ROLES)


#: Roles that review the free-text answers of people who study a course on their own (no cohort).
SELF_PACED_REVIEWER_ROLES = (Role.TRAINER, Role.MASTER_TRAINER, Role.INSTITUTION_ADMIN)


def _learner_cohorts_for_course(learner, course_id: int) -> list[Cohort]:
    cohorts = Cohort.objects.filter(members__user=learner).filter(Q(course_id=course_id) | Q(programme__isnull=False))
    return [c for c in cohorts if c.course_id == course_id or course_id in {x.pk for x in cohort_courses(c)}]


def can_grade(grader, learner, course) -> bool:
    """A trainer grades learners of the cohorts they teach on that course; an institution admin those of
    their institution's cohorts. A learner in no cohort of the course studies on their own: the trainers and
    admins of the institution that offers the course review them. Nobody grades themselves."""
    if not getattr(grader, "is_authenticated", False) or not grader.is_active or grader == learner:
        return False
    if grader.is_superuser:
        return True
    course_id = getattr(course, "pk", course)
    cohorts = _learner_cohorts_for_course(learner, course_id)
    if not cohorts:
        institution_id = (
            course.institution_id
            if isinstance(course, CoursePage)
            else CoursePage.objects.filter(pk=course_id).values_list("institution_id", flat=True).first()
        )
        return institution_id is not None and has_role(
            grader, SELF_PACED_REVIEWER_ROLES, Institution(pk=institution_id)
        )
    admin_of = set(institutions_with_role(grader, Role.INSTITUTION_ADMIN).values_list("pk", flat=True))
    teaching = set(CohortTrainer.objects.filter(user=grader).values_list("cohort_id", flat=True))
    return any(c.pk in teaching or c.institution_id in admin_of for c in cohorts)


# --- Contract for certification --------------------------------------------------------------------------


def trainer_name_for_enrollment(enrollment: Any) -> str:
    """The printed name of the lead trainer of the learner's most recent cohort delivering this course ('' when
    none). Certification decides whether to print it (e.g. only when that trainer is certified)."""
    user_id = getattr(enrollment, "user_id", None)
    course_id = getattr(enrollment, "course_id", None)
    if not user_id or not course_id:
        return ""
    cohorts = list(
        Cohort.objects.filter(members__user_id=user_id)
        .filter(Q(course_id=course_id) | Q(programme__isnull=False))
        .order_by("-starts_on", "-id")
    )
    for cohort in cohorts:
        if cohort.course_id == course_id or course_id in {c.pk for c in cohort_courses(cohort)}:
            link = CohortTrainer.objects.filter(cohort=cohort).select_related("user").first()
            if link is not None:
                return link.user.printed_name
    return ""


# --- Cohort content --------------------------------------------------------------------------------------


def cohort_courses(cohort: Cohort) -> list[CoursePage]:
    """The courses a cohort delivers: its course, or the live courses of its learning path in order."""
    if cohort.course is not None:
        return [cohort.course]
    if cohort.programme_id:
        return list(CoursePage.objects.live().child_of(cohort.programme).order_by("path"))
    return []


@dataclass
class ActivityColumn:
    usage_id: str
    label: str
    graded: bool
    lesson_id: int
    kind: str = ""  # the block type: "package" for an imported SCORM/H5P player


def cohort_activities(cohort: Cohort) -> list[ActivityColumn]:
    """The activities of the cohort's course(s), in course order, labelled by lesson (one query per course)."""
    columns: list[ActivityColumn] = []
    for course in cohort_courses(cohort):
        lessons = LessonPage.objects.live().descendant_of(course).defer("body").order_by("path")
        for lesson in lessons:
            for index, activity in enumerate(lesson.activities, start=1):
                label = lesson.title if len(lesson.activities) == 1 else f"{lesson.title} ({index})"
                columns.append(
                    ActivityColumn(
                        activity["id"], label, bool(activity.get("graded")), lesson.pk, str(activity.get("type", ""))
                    )
                )
    return columns


# --- Roster ----------------------------------------------------------------------------------------------


@dataclass
class RosterEntry:
    """One participant as their trainer sees them (never sensitive profile fields)."""

    user: User
    progress: int = 0
    completed: bool = False
    last_activity_at: datetime | None = None
    scores: dict[str, float | None] = field(default_factory=dict)  # usage id → best score 0..100
    failed_attempts: int = 0
    pending: int = 0
    attended: int = 0
    stuck_reasons: list[str] = field(default_factory=list)
    offline_downloaded_at: datetime | None = None  # latest download of one of the group's courses to the phone
    offline_synced_at: datetime | None = None  # latest report of lessons read offline
    kept_answers: int = 0  # answers that arrived for activities removed from the course meanwhile (kept, ungraded)

    @property
    def is_stuck(self) -> bool:
        return bool(self.stuck_reasons)


def _failed_attempts_threshold() -> int:
    return int(getattr(settings, "RUTA_STUCK_FAILED_ATTEMPTS", 2))


def cohort_roster(*, cohort: Cohort, now: datetime | None = None) -> list[RosterEntry]:
    """Every member with progress %, last activity, best score per activity, attendance and why they may be stuck.

    Stuck: no activity for ``cohort.stuck_after_days`` days (counted from joining when never active), or
    ``RUTA_STUCK_FAILED_ATTEMPTS`` failed attempts on an activity they have not passed yet.
    """
    from django.utils.translation import gettext as _

    now = now or timezone.now()
    members = list(
        CohortMember.objects.filter(cohort=cohort)
        .select_related("user")
        .only(
            "joined_at",
            "user__id",
            "user__first_name",
            "user__last_name",
            "user__username",
            "user__email",
            "user__phone",
        )
    )
    user_ids = [m.user_id for m in members]
    courses = cohort_courses(cohort)
    course_ids = [c.pk for c in courses]
    enrollments: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in Enrollment.objects.filter(course_id__in=course_ids, user_id__in=user_ids).only(
        "user_id",
        "course_id",
        "progress",
        "completed_at",
        "last_activity_at",
        "offline_downloaded_at",
        "offline_synced_at",
    ):
        enrollments[enrollment.user_id].append(enrollment)
    activities = cohort_activities(cohort)
    usage_ids = [a.usage_id for a in activities]
    best: dict[tuple[int, str], float | None] = {}
    passed: set[tuple[int, str]] = set()
    failed: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    pending: dict[int, int] = defaultdict(int)
    last_submission: dict[int, datetime] = {}
    for sub in Submission.objects.filter(user_id__in=user_ids, usage_id__in=usage_ids).only(
        "user_id", "usage_id", "status", "score", "passed", "created_at"
    ):
        key = (sub.user_id, sub.usage_id)
        if sub.status == Submission.Status.PENDING:
            pending[sub.user_id] += 1
        elif sub.score is not None:
            best[key] = max(best.get(key) or 0, round(100 * sub.score, 1))
        if sub.passed:
            passed.add(key)
        elif sub.status == Submission.Status.GRADED:
            failed[sub.user_id][sub.usage_id] += 1
        if sub.user_id not in last_submission or sub.created_at > last_submission[sub.user_id]:
            last_submission[sub.user_id] = sub.created_at
    # Imported SCORM/H5P packages keep their score on the learner's attempt: the best it reported, graded or not.
    package_ids = [a.usage_id for a in activities if a.kind == "package"]
    if package_ids and user_ids:
        for user_id, usage_id, best_scaled, last_scaled in ScormAttempt.objects.filter(
            user_id__in=user_ids, usage_id__in=package_ids
        ).values_list("user_id", "usage_id", "best_score_scaled", "score_scaled"):
            reported = [s for s in (best_scaled, last_scaled) if s is not None]
            if reported:
                key = (user_id, usage_id)
                best[key] = max(best.get(key) or 0, round(100 * max(reported), 1))
    attended = dict(
        Attendance.objects.filter(session__cohort=cohort, user_id__in=user_ids, status=Attendance.Status.PRESENT)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    kept: dict[int, int] = {}
    if courses:
        where = Q()
        for course in courses:
            where |= Q(path__startswith=course.url)
        kept = dict(
            KeptAnswer.objects.filter(where, user_id__in=user_ids)
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
    threshold = _failed_attempts_threshold()
    idle_limit = now - timedelta(days=cohort.stuck_after_days)
    roster = []
    for member in members:
        own = enrollments.get(member.user_id, [])
        entry = RosterEntry(user=member.user)
        if own:
            entry.progress = round(sum(e.progress for e in own) / max(len(courses), 1))
            entry.completed = len(own) == len(courses) and all(e.completed_at for e in own)
        stamps = [e.last_activity_at for e in own if e.last_activity_at]
        if member.user_id in last_submission:
            stamps.append(last_submission[member.user_id])
        entry.last_activity_at = max(stamps) if stamps else None
        downloads = [e.offline_downloaded_at for e in own if e.offline_downloaded_at]
        entry.offline_downloaded_at = max(downloads) if downloads else None
        syncs = [e.offline_synced_at for e in own if e.offline_synced_at]
        entry.offline_synced_at = max(syncs) if syncs else None
        entry.scores = {u: best.get((member.user_id, u)) for u in usage_ids}
        entry.failed_attempts = sum(
            n for usage, n in failed.get(member.user_id, {}).items() if (member.user_id, usage) not in passed
        )
        entry.pending = pending.get(member.user_id, 0)
        entry.attended = attended.get(member.user_id, 0)
        entry.kept_answers = kept.get(member.user_id, 0)
        if not entry.completed:
            reference = entry.last_activity_at or member.joined_at
            if reference < idle_limit:
                days = (now - reference).days
                entry.stuck_reasons.append(_("Sin actividad hace %(days)s días") % {"days": days})
            stuck_on = [
                usage
                for usage, n in failed.get(member.user_id, {}).items()
                if n >= threshold and (member.user_id, usage) not in passed
            ]
            if stuck_on:
                entry.stuck_reasons.append(
                    _("%(n)s intentos fallidos en una actividad")
                    % {"n": max(failed[member.user_id][u] for u in stuck_on)}
                )
        roster.append(entry)
    return roster


@dataclass
class CohortSummary:
    cohort: Cohort
    members: int = 0
    completed: int = 0
    stuck: int = 0
    pending: int = 0
    average_progress: int = 0


def cohort_summary(*, cohort: Cohort, roster: list[RosterEntry] | None = None) -> CohortSummary:
    """Headline figures for the dashboard, from the roster."""
    roster = cohort_roster(cohort=cohort) if roster is None else roster
    summary = CohortSummary(cohort=cohort, members=len(roster))
    summary.completed = sum(1 for r in roster if r.completed)
    summary.stuck = sum(1 for r in roster if r.is_stuck)
    summary.pending = sum(r.pending for r in roster)
    summary.average_progress = round(sum(r.progress for r in roster) / len(roster)) if roster else 0
    return summary


def cohort_completions(*, cohort: Cohort) -> int:
    """How many members completed every course the cohort delivers."""
    courses = cohort_courses(cohort)
    if not courses:
        return 0
    member_ids = CohortMember.objects.filter(cohort=cohort).values("user_id")
    done = (
        Enrollment.objects.filter(course__in=courses, user_id__in=member_ids, completed_at__isnull=False)
        .values("user_id")
        .annotate(n=Count("course_id", distinct=True))
        .filter(n=len(courses))
    )
    return done.count()


def cohort_list_for_staff(*, user) -> list[CohortSummary]:
    """The cohorts a person manages with member counts (one query)."""
    cohorts = (
        cohorts_for_staff(user=user)
        .select_related("institution", "course", "programme")
        .annotate(n_members=Count("members", distinct=True))
        .order_by("-starts_on", "-id")
    )
    return [CohortSummary(cohort=c, members=c.n_members) for c in cohorts]


def cohorts_for_participant(*, user) -> QuerySet[Cohort]:
    """The cohorts a person takes part in."""
    if not getattr(user, "is_authenticated", False):
        return Cohort.objects.none()
    return Cohort.objects.filter(members__user=user).select_related("institution", "course", "programme")


# --- Grading ----------------------------------------------------------------------------------------------


def pending_submissions(*, cohort: Cohort) -> QuerySet[Submission]:
    """Free-text answers of the cohort's members on its activities waiting for a trainer's grade, oldest first."""
    usage_ids = [a.usage_id for a in cohort_activities(cohort)]
    return (
        Submission.objects.filter(
            status=Submission.Status.PENDING,
            usage_id__in=usage_ids,
            user__cohort_memberships__cohort=cohort,
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )


@dataclass
class SelfPacedAnswer:
    """A free-text answer waiting for review from someone who studies the course on their own."""

    submission: Submission
    course: CoursePage


def self_paced_reviewer(*, user) -> bool:
    """Whether the person reviews self-paced learners' answers for some institution."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or institutions_with_role(user, SELF_PACED_REVIEWER_ROLES).exists()


def self_paced_pending(*, reviewer) -> list[SelfPacedAnswer]:
    """Pending free-text answers, oldest first, of learners in no cohort of a course that the reviewer's
    institution offers (trainers, master trainers and admins there review them). Queries: fixed per course."""
    if not getattr(reviewer, "is_authenticated", False) or not reviewer.is_active:
        return []
    if reviewer.is_superuser:
        courses = list(CoursePage.objects.filter(institution__isnull=False))
    else:
        institutions = institutions_with_role(reviewer, SELF_PACED_REVIEWER_ROLES)
        courses = list(CoursePage.objects.filter(institution__in=institutions))
    if not courses:
        return []
    course_of_lesson: dict[int, CoursePage] = {}
    for course in courses:
        for lesson_id in LessonPage.objects.descendant_of(course).values_list("pk", flat=True):
            course_of_lesson[lesson_id] = course
    pending = (
        Submission.objects.filter(status=Submission.Status.PENDING, page_id__in=list(course_of_lesson))
        .exclude(user=reviewer)
        .select_related("user")
        .order_by("created_at", "pk")
    )
    in_cohorts = {
        (user_id, course_id)
        for user_id, course_id in CohortMember.objects.filter(cohort__course__in=courses).values_list(
            "user_id", "cohort__course_id"
        )
    }
    programme_members = set(
        CohortMember.objects.filter(cohort__programme__isnull=False).values_list("user_id", flat=True)
    )
    answers = []
    for submission in pending[:500]:
        if submission.page_id is None:  # excluded by the filter; tells the type checker
            continue
        course = course_of_lesson[submission.page_id]
        if (submission.user_id, course.pk) in in_cohorts:
            continue
        if submission.user_id in programme_members and _learner_cohorts_for_course(submission.user, course.pk):
            continue
        answers.append(SelfPacedAnswer(submission=submission, course=course))
    return answers


def self_paced_submission_get(*, reviewer, submission_id: int) -> Submission | None:
    """A pending or graded free-text answer the reviewer may review as a self-paced answer (None otherwise)."""
    submission = Submission.objects.select_related("user", "page").filter(pk=submission_id).first()
    if submission is None or submission.page is None:
        return None
    course = CoursePage.objects.ancestor_of(submission.page).first()
    if course is None or _learner_cohorts_for_course(submission.user, course.pk):
        return None
    return submission if can_grade(reviewer, submission.user, course) else None


def submission_for_cohort(*, cohort: Cohort, submission_id: int) -> Submission | None:
    """A submission of a member of this cohort on one of its activities (None otherwise)."""
    usage_ids = [a.usage_id for a in cohort_activities(cohort)]
    return (
        Submission.objects.filter(pk=submission_id, usage_id__in=usage_ids, user__cohort_memberships__cohort=cohort)
        .select_related("user", "page")
        .first()
    )


# --- Sessions and attendance -------------------------------------------------------------------------------


def session_attendance(*, session: LiveSession) -> list[tuple[User, str]]:
    """Every member of the session's cohort with their recorded status ('' when not marked yet)."""
    marks = dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))
    members = (
        CohortMember.objects.filter(cohort=session.cohort)
        .select_related("user")
        .only("user__id", "user__first_name", "user__last_name", "user__username")
    )
    return [(m.user, marks.get(m.user_id, "")) for m in members]


def cohort_sessions(*, cohort: Cohort) -> QuerySet[LiveSession]:
    """Sessions with how many were present."""
    return cohort.sessions.annotate(
        present=Count("attendance", filter=Q(attendance__status=Attendance.Status.PRESENT))
    ).order_by("starts_at", "id")


def sessions_for_participant(*, user, now: datetime | None = None) -> list[tuple[LiveSession, str]]:
    """A participant's sessions (past month and upcoming) with their own attendance status ('' when unmarked)."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = now or timezone.now()
    sessions = list(
        LiveSession.objects.filter(cohort__members__user=user, starts_at__gte=now - timedelta(days=30))
        .select_related("cohort")
        .order_by("starts_at", "id")[:50]
    )
    marks = dict(Attendance.objects.filter(user=user, session__in=sessions).values_list("session_id", "status"))
    return [(session, marks.get(session.pk, "")) for session in sessions]


# --- Exports -----------------------------------------------------------------------------------------------


def contact_visible_user_ids(*, cohort: Cohort, user_ids: list[int] | None = None) -> set[int]:
    """The cohort's own participants whose phone and e-mail its team may see: those whose consent to share them
    with their cohorts' teams is in force, never anyone with a staff role anywhere (nor Django staff/superusers)."""
    members = CohortMember.objects.filter(cohort=cohort)
    if user_ids is not None:
        members = members.filter(user_id__in=user_ids)
    ids = list(members.values_list("user_id", flat=True))
    granted = consent_granted_user_ids(user_ids=ids, purpose=ConsentRecord.Purpose.COHORT_CONTACT)
    return granted - staff_anywhere_ids(granted)


def cohort_invitations(*, cohort: Cohort) -> list[CohortInvitation]:
    """Invitations the cohort's team sent that are not accepted (pending or declined), shown with what the team
    typed only: ``typed_name`` and ``typed_contact``, never the account's own details."""
    return list(
        CohortInvitation.objects.filter(cohort=cohort)
        .exclude(status=CohortInvitation.Status.ACCEPTED)
        .only("typed_name", "typed_contact", "status", "created_at", "cohort_id")
        .order_by("status", "-created_at", "-id")
    )


def invitations_for(*, user) -> QuerySet[CohortInvitation]:
    """A person's pending invitations to cohorts, newest first."""
    if not getattr(user, "is_authenticated", False):
        return CohortInvitation.objects.none()
    return (
        CohortInvitation.objects.filter(user=user, status=CohortInvitation.Status.PENDING)
        .select_related("cohort", "cohort__institution", "cohort__course", "cohort__programme", "invited_by")
        .order_by("-created_at", "-id")
    )


def roster_export_rows(*, cohort: Cohort) -> tuple[list[str], list[list[object]]]:
    """Roster as a table: name, contact, progress, last activity, stuck (never sensitive profile fields).

    Phone and e-mail only for participants in ``contact_visible_user_ids`` (their consent, never staff)."""
    from django.utils.translation import gettext as _

    headers = [
        _("Nombres"),
        _("Apellidos"),
        _("Usuario"),
        _("Teléfono"),
        _("Correo"),
        _("Avance (%)"),
        _("Completó"),
        _("Última actividad"),
        _("Asistencias"),
        _("Necesita apoyo"),
    ]
    rows = []
    shared = contact_visible_user_ids(cohort=cohort)
    for r in cohort_roster(cohort=cohort):
        contact = r.user.pk in shared
        rows.append(
            [
                r.user.first_name,
                r.user.last_name,
                r.user.username,
                (r.user.phone or "") if contact else "",
                r.user.email if contact else "",
                r.progress,
                _("Sí") if r.completed else _("No"),
                timezone.localtime(r.last_activity_at).strftime("%Y-%m-%d %H:%M") if r.last_activity_at else "",
                r.attended,
                "; ".join(r.stuck_reasons),
            ]
        )
    return headers, rows


def grades_export_rows(*, cohort: Cohort) -> tuple[list[str], list[list[object]]]:
    """Best score (0–100) per participant and activity."""
    from django.utils.translation import gettext as _

    activities = cohort_activities(cohort)
    headers = [_("Nombres"), _("Apellidos"), _("Usuario"), *[a.label for a in activities], _("Avance (%)")]
    rows: list[list[object]] = [
        [
            r.user.first_name,
            r.user.last_name,
            r.user.username,
            *[("" if r.scores.get(a.usage_id) is None else r.scores[a.usage_id]) for a in activities],
            r.progress,
        ]
        for r in cohort_roster(cohort=cohort)
    ]
    return headers, rows


def attendance_export_rows(*, cohort: Cohort) -> tuple[list[str], list[list[object]]]:
    """One column per session with P (present), A (absent) or J (excused)."""
    from django.utils.translation import gettext as _

    sessions = list(cohort.sessions.order_by("starts_at", "id"))
    marks = {
        (a.session_id, a.user_id): a.status
        for a in Attendance.objects.filter(session__cohort=cohort).only("session_id", "user_id", "status")
    }
    letters: dict[str, str] = {
        Attendance.Status.PRESENT: "P",
        Attendance.Status.ABSENT: "A",
        Attendance.Status.EXCUSED: "J",
    }
    headers = [
        _("Nombres"),
        _("Apellidos"),
        _("Usuario"),
        *[f"{timezone.localtime(s.starts_at):%Y-%m-%d} {s.title}" for s in sessions],
        _("Total presentes"),
    ]
    rows = []
    for member in CohortMember.objects.filter(cohort=cohort).select_related("user"):
        cells = [letters.get(marks.get((s.pk, member.user_id), ""), "") for s in sessions]
        rows.append(
            [
                member.user.first_name,
                member.user.last_name,
                member.user.username,
                *cells,
                sum(1 for c in cells if c == "P"),
            ]
        )
    return headers, rows


# --- Notifications ------------------------------------------------------------------------------------------


def notifications_for(*, user) -> QuerySet[Notification]:
    """A person's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def unread_notification_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def participant_data_export(*, user) -> dict[str, Any]:
    """A person's cohorts (as participant or trainer), attendance, notifications and invitations, for their export.

    Only the person's own rows: who marked an attendance or sent an invitation is someone else's data and stays out.
    """

    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

    return {
        "cohorts": [
            {
                "cohort": member.cohort.name,
                "institution": member.cohort.institution.name,
                "source": member.source,
                "joined_at": iso(member.joined_at),
            }
            for member in CohortMember.objects.filter(user=user).select_related("cohort__institution").order_by("pk")
        ],
        "cohorts_as_trainer": [
            {"cohort": link.cohort.name, "lead": link.lead, "added_at": iso(link.added_at)}
            for link in CohortTrainer.objects.filter(user=user).select_related("cohort").order_by("pk")
        ],
        "attendance": [
            {
                "cohort": row.session.cohort.name,
                "session": row.session.title,
                "starts_at": iso(row.session.starts_at),
                "status": row.status,
                "method": row.method,
                "marked_at": iso(row.marked_at),
            }
            for row in Attendance.objects.filter(user=user).select_related("session__cohort").order_by("pk")
        ],
        "notifications": [
            {
                "title": row.title,
                "body": row.body,
                "url": row.url,
                "created_at": iso(row.created_at),
                "read_at": iso(row.read_at),
                "emailed_at": iso(row.emailed_at),
            }
            for row in Notification.objects.filter(user=user).order_by("created_at", "pk")
        ],
        "cohort_invitations": [
            {
                "cohort": row.cohort.name,
                "typed_name": row.typed_name,
                "typed_contact": row.typed_contact,
                "status": row.status,
                "created_at": iso(row.created_at),
                "decided_at": iso(row.decided_at),
            }
            for row in CohortInvitation.objects.filter(user=user).select_related("cohort").order_by("pk")
        ],
    }
