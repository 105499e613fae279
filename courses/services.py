"""Writes of the courses app: enrolment, lesson and course progress, course completion.

Must not import certification or reports: completion news goes up through ``courses.signals.course_completed``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CoursePage, Enrollment, LessonPage, LessonProgress
from .selectors import course_structure, lesson_course, prerequisites_missing
from .signals import course_completed


@dataclass(frozen=True)
class _Result:
    score: float  # 0..1
    passed: bool
    completed: bool


def _activity_results(*, user, activities: list[dict], pass_mark: float | None = None) -> dict[str, _Result]:
    """Best results per activity from content (content owns submissions and their scoring); ``activities`` as
    ``LessonPage.activities`` lists them. Imported packages are judged here, by the best their attempt reported
    (``ScormAttempt.passes``): a graded one against its mastery score, else ``pass_mark`` (the course's, 0..100)."""
    if not activities:
        return {}
    from content.packages.services import scorm_attempts_for_user
    from content.selectors import activity_results_for_user

    usage_ids = [a["id"] for a in activities]
    packages = [a for a in activities if a.get("type", "package") == "package"]  # untyped: ask
    results = {
        usage_id: _Result(score=float(result.best_score or 0), passed=result.passed, completed=result.completed)
        for usage_id, result in activity_results_for_user(user=user, usage_ids=usage_ids, package_ids=[]).items()
    }
    attempts = scorm_attempts_for_user(user=user, usage_ids=[a["id"] for a in packages])
    for activity in packages:
        attempt = attempts.get(activity["id"])
        if attempt is None:
            continue
        graded = bool(activity.get("graded"))
        mastery = activity.get("mastery")
        threshold = mastery if mastery is not None else (pass_mark / 100 if pass_mark is not None else None)
        results[activity["id"]] = _Result(
            score=float(attempt.best_score or 0),
            passed=attempt.passes(graded=graded, pass_mark=threshold),
            completed=attempt.completed,
        )
    return results


def enrollment_create(
    *,
    user,
    course: CoursePage,
    source: str = Enrollment.Source.SELF,
    check_prerequisites: bool = True,
) -> Enrollment:
    """Enrol a person once per course; self-enrolment needs an open course, and every enrolment its prerequisites."""
    existing = Enrollment.objects.filter(user=user, course=course).first()
    if existing is not None:
        if existing.status == Enrollment.Status.WITHDRAWN:
            existing.status = Enrollment.Status.COMPLETED if existing.completed_at else Enrollment.Status.ACTIVE
            existing.save(update_fields=["status"])
        return existing
    if source == Enrollment.Source.SELF and not course.open_enrollment:
        raise ValidationError(
            _(
                "Este curso no tiene inscripción abierta. Pide a tu institución o a la persona que facilita "
                "tu grupo que te inscriba."
            ),
            code="closed",
        )
    if check_prerequisites:
        missing = prerequisites_missing(course=course, user=user)
        if missing:
            raise ValidationError(
                _("Completa primero %(courses)s.") % {"courses": ", ".join(c.title for c in missing)},
                code="prerequisites",
            )
    try:
        with transaction.atomic():
            return Enrollment.objects.create(user=user, course=course, source=source)
    except IntegrityError:  # enrolled concurrently (double click): the first request won
        return Enrollment.objects.get(user=user, course=course)


def enrollment_withdraw(*, enrollment: Enrollment) -> Enrollment:
    """Withdraw an enrolment; its progress is kept and re-enrolling restores it."""
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.save(update_fields=["status"])
    return enrollment


def _lesson_done(lesson: LessonPage, results: dict[str, _Result]) -> bool:
    if lesson.completion_rule == LessonPage.CompletionRule.VIEWED or not lesson.activities:
        return True
    for activity in lesson.activities:
        result = results.get(activity["id"])
        if result is None:
            return False
        if (activity.get("graded") or activity.get("type") == "package") and not result.passed:
            # A package passes by its own rule (``ScormAttempt.passes``): a graded one only when it reported
            # "passed" or, reporting no success, a score that reaches its pass mark; a content one by completing
            # it, and never after it reported "failed" (also when a relaunch later wrote "completed" over it).
            return False
        if not activity.get("graded") and not (result.completed or result.passed):
            return False
    return True


def _weighted_score(activities: list[dict], results: dict[str, _Result]) -> float | None:
    """Weighted mean (0..100) of the graded activities' best scores; unattempted ones count as 0."""
    graded = [a for a in activities if a.get("graded")]
    total = sum(a.get("weight", 1) for a in graded)
    if not graded or not total:
        return None
    earned = sum(a.get("weight", 1) * results[a["id"]].score for a in graded if a["id"] in results)
    return round(100 * earned / total, 2)


#: a learner reloading the lesson they are on within this time writes nothing (where to continue is unchanged;
#: inactivity is judged in days)
VISIT_REFRESH = datetime.timedelta(minutes=5)


def lesson_view_record(*, user, lesson: LessonPage) -> None:
    """A learner opened a lesson: remember it as where to continue. The first visit, and a visit that completes a
    "viewed" lesson, go through ``progress_record``; a later visit changes nothing else (answers are recorded
    when they are sent), so it costs one read and one write instead of recomputing the course. The read brings
    the learner's enrolment and every lesson status of the course, which the page's outline then reuses
    (``lesson._ruta_learner_state``) instead of reading them again."""
    if not getattr(user, "is_authenticated", False):
        return
    course = lesson_course(lesson=lesson)
    if course is None:
        return
    rows = list(
        LessonProgress.objects.filter(enrollment__user=user, enrollment__course=course).select_related("enrollment")
    )
    progress = next((row for row in rows if row.lesson_id == lesson.pk), None)
    if progress is None or (
        progress.status != LessonProgress.Status.COMPLETED
        and lesson.completion_rule == LessonPage.CompletionRule.VIEWED
    ):
        progress_record(user=user, lesson_id=lesson.pk, viewed=True)
        return
    enrollment, now = progress.enrollment, timezone.now()
    recently_here = (
        enrollment.last_lesson_id == lesson.pk
        and enrollment.last_activity_at is not None
        and now - enrollment.last_activity_at < VISIT_REFRESH
    )
    if enrollment.status != Enrollment.Status.WITHDRAWN and not recently_here:  # a reload writes nothing
        Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson, last_activity_at=now)
        enrollment.last_lesson_id, enrollment.last_activity_at = lesson.pk, now
    lesson._ruta_learner_state = (user.pk, course.pk, enrollment, {row.lesson_id: row.status for row in rows})


def lesson_visit_unrecorded_for(*, lesson: LessonPage, user) -> int:
    """For how many more seconds a reload of ``lesson`` by ``user`` would write nothing (``lesson_view_record``
    found the visit recorded less than ``VISIT_REFRESH`` ago); 0 when unknown. Read from what that call kept."""
    state = getattr(lesson, "_ruta_learner_state", None)
    if state is None or state[0] != user.pk:
        return 0
    enrollment = state[2]
    if enrollment.last_lesson_id != lesson.pk or enrollment.last_activity_at is None:
        return 0
    left = VISIT_REFRESH - (timezone.now() - enrollment.last_activity_at)
    return max(0, int(left.total_seconds()))


def activity_answer_begin(*, lesson: LessonPage, user) -> Enrollment | None:
    """An answer on ``lesson`` begins, inside its transaction (``LessonPage.begin_activity_answer``, called by
    content): lock the learner's user row (one answer of theirs at a time, so two tabs cannot both take the last
    attempt) and their enrolment in the lesson's course (the progress the answer recomputes), in the one statement
    that decides whether they may answer. Returns that enrolment, or None: not signed in, not enrolled, withdrawn,
    prerequisites missing."""
    if not getattr(user, "is_authenticated", False):
        return None
    course = lesson_course(lesson=lesson)
    if course is None:
        return None
    enrollment = next(
        iter(
            Enrollment.objects.select_for_update(of=("self", "user"))
            .select_related("user")
            .filter(user=user, course=course)
            .exclude(status=Enrollment.Status.WITHDRAWN)
            .order_by()[:1]  # one per (user, course)
        ),
        None,
    )
    allowed = enrollment is not None and not prerequisites_missing(course=course, user=user)
    memo = getattr(lesson, "_ruta_can_submit", {})
    lesson._ruta_can_submit = {**memo, user.pk: allowed}  # the activity shown after the answer asks again
    return enrollment if allowed else None


def progress_record(
    *,
    user,
    lesson_id: int | None,
    viewed: bool = False,
    lesson: LessonPage | None = None,
    enrollment: Enrollment | None = None,
) -> Enrollment | None:
    """Update lesson and course progress after a view or a scored activity; complete the course once when
    all required lessons are done and the weighted score of graded activities reaches the pass mark.

    ``lesson``, when the caller holds the page already (an answer being recorded), saves reading it again; the
    learner's enrolment and lesson statuses found here are kept on it (``_ruta_learner_state``) for the progress
    marks the answer's response shows. ``enrollment``, when the caller locked the learner's enrolment in the
    lesson's course in the current transaction (``activity_answer_begin``), saves locking it again.

    The enrolment row is written only when what it records changed: its progress or score, or where to continue
    (another lesson, or the last activity recorded more than ``VISIT_REFRESH`` ago), as a lesson view is."""
    if lesson_id is None or not getattr(user, "is_authenticated", False):
        return None
    if not (isinstance(lesson, LessonPage) and lesson.pk == lesson_id and lesson.live):
        lesson = LessonPage.objects.live().defer("body").filter(pk=lesson_id).first()
    if lesson is None:
        return None
    course = lesson_course(lesson=lesson)  # shared cache, dropped when any page changes
    if course is None:
        return None
    now = timezone.now()
    # Inside an answer's transaction no savepoint is needed: an error here rolls the whole answer back anyway.
    with transaction.atomic(savepoint=False):
        locked = (
            isinstance(enrollment, Enrollment) and enrollment.user_id == user.pk and enrollment.course_id == course.pk
        )
        if not locked:
            enrollment = Enrollment.objects.select_for_update().filter(user=user, course=course).first()
        if enrollment is None or enrollment.status == Enrollment.Status.WITHDRAWN:
            return None
        recently_here = (
            enrollment.last_lesson_id == lesson.pk
            and enrollment.last_activity_at is not None
            and now - enrollment.last_activity_at < VISIT_REFRESH
        )
        standing = (enrollment.progress, enrollment.score)
        enrollment.last_lesson = lesson
        rows = {row.lesson_id: row for row in LessonProgress.objects.filter(enrollment=enrollment)}
        progress = rows.get(lesson.pk)
        if viewed and progress is not None and progress.status == LessonProgress.Status.COMPLETED:
            # Revisiting a finished lesson changes nothing but where to continue.
            Enrollment.objects.filter(pk=enrollment.pk).update(last_lesson=lesson, last_activity_at=now)
            return enrollment

        lessons = course_structure(course=course).lessons  # shared cache, dropped when any page changes
        all_activities = [a for item in lessons for a in item.activities]
        results = _activity_results(user=user, activities=all_activities, pass_mark=course.pass_mark)

        done = _lesson_done(lesson, results)
        lesson_score = _weighted_score(lesson.activities, results)
        if progress is None:
            progress = LessonProgress(enrollment=enrollment, lesson=lesson)
        before = (progress.status, progress.score)
        progress.score = lesson_score
        if done and progress.status != LessonProgress.Status.COMPLETED:
            progress.status = LessonProgress.Status.COMPLETED
            progress.completed_at = now
        if progress.pk is None or (progress.status, progress.score) != before:  # another try, same result: no write
            progress.save()
        rows[lesson.pk] = progress

        completed_ids = {pk for pk, row in rows.items() if row.status == LessonProgress.Status.COMPLETED}
        required = [item.pk for item in lessons if item.required] or [item.pk for item in lessons]
        required_done = sum(1 for pk in required if pk in completed_ids)
        enrollment.progress = round(100 * required_done / len(required)) if required else 100
        enrollment.score = _weighted_score(all_activities, results)
        if not recently_here or (enrollment.progress, enrollment.score) != standing:
            enrollment.last_activity_at = now
            enrollment.save(update_fields=["last_lesson", "last_activity_at", "progress", "score"])

        passed = enrollment.score is None or enrollment.score >= course.pass_mark
        if required_done == len(required) and passed:
            # The conditional update is the guard: of any number of concurrent calls, one flips completed_at.
            flipped = Enrollment.objects.filter(pk=enrollment.pk, completed_at__isnull=True).update(
                completed_at=now, status=Enrollment.Status.COMPLETED
            )
            if flipped:
                enrollment.completed_at = now
                enrollment.status = Enrollment.Status.COMPLETED
                course_completed.send(sender=Enrollment, enrollment=enrollment)
            else:
                enrollment.refresh_from_db(fields=["completed_at", "status"])
    lesson._ruta_learner_state = (user.pk, course.pk, enrollment, {pk: row.status for pk, row in rows.items()})
    return enrollment


def offline_download_record(*, user, course: CoursePage) -> None:
    """The learner downloaded ``course`` (or one of its modules) to study offline: their trainers see it."""
    Enrollment.objects.filter(user=user, course=course).update(offline_downloaded_at=timezone.now())


def offline_sync_record(*, user, lesson: LessonPage) -> None:
    """Lessons the learner read offline reached Ruta (the course's service worker replays them): the trainers see
    when the learner last synced."""
    course = lesson_course(lesson=lesson)
    if course is not None:
        Enrollment.objects.filter(user=user, course=course).update(offline_synced_at=timezone.now())
