"""Reads about activities: finding them in pages, who may answer or review them, and learners' results.

Pages are reached generically (``Page.specific`` and its StreamFields) and through duck-typed hooks
(``can_submit_activity``, ``can_grade_activity``), so this module never imports courses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from wagtail.blocks import StreamValue
from wagtail.blocks.list_block import ListValue
from wagtail.blocks.struct_block import StructValue
from wagtail.fields import StreamField
from wagtail.models import Page

from content.exceptions import ActivityNotFound
from content.models import Submission
from lms.accounts.permissions import signed_in_user

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.accounts.permissions import AnyUser


@dataclass(frozen=True)
class ActivityRef:
    """An authored activity found in a page: its usage id, StreamField block and value."""

    usage_id: str
    block: Any
    value: Any

    @property
    def block_type(self) -> str:
        return self.block.xblock_type

    @property
    def authored(self) -> dict[str, Any]:
        return self.value.xblock_fields()


@dataclass(frozen=True)
class ActivityResult:
    """One learner's standing on one activity, from their recorded submissions."""

    usage_id: str
    attempts_used: int = 0
    best_score: float | None = None
    last_score: float | None = None
    passed: bool = False
    completed: bool = False
    pending_review: bool = False
    last_submitted_at: datetime | None = None

    @property
    def score(self) -> float | None:
        """The score that counts: the best one (0..1), or None if nothing was scored yet."""
        return self.best_score


def _walk(value: Any) -> Iterator[tuple[str, Any, Any]]:
    if isinstance(value, StreamValue):
        for child in value:
            if getattr(child.block, "xblock_type", "") and child.id:
                yield str(child.id), child.block, child.value
            else:
                yield from _walk(child.value)
    elif isinstance(value, StructValue):
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, ListValue):
        for child in value:
            yield from _walk(child)


def page_activities(*, page: Page) -> dict[str, ActivityRef]:
    """Every activity block in the page's StreamFields (nested ones included), keyed by usage id."""
    found: dict[str, ActivityRef] = {}
    for model_field in page._meta.get_fields():
        if isinstance(model_field, StreamField):
            for usage_id, block, value in _walk(getattr(page, model_field.name)):
                found[usage_id] = ActivityRef(usage_id=usage_id, block=block, value=value)
    return found


def activity_get(*, page: Page, usage_id: str) -> ActivityRef:
    """The authored activity with this usage id in the page's live content, or ``ActivityNotFound``."""
    try:
        return page_activities(page=page)[str(usage_id)]
    except KeyError:
        raise ActivityNotFound() from None


def page_get_specific(*, page_id: int) -> Page:
    """The live page by id as its specific type, or ``ActivityNotFound``.

    Every answer reads its page, and a page changes only when it is saved, published, unpublished, moved or
    deleted: the live page is kept in the shared cache under the ``pages`` generation (``lms.pagecache``), which
    each of those changes moves on, as the course outline is. Each request gets its own copy."""
    from lms.pagecache import shared_value

    def load() -> Page:
        base = Page.objects.live().filter(pk=int(page_id)).first()
        if base is None:
            raise ActivityNotFound()  # nothing is kept for an id that names no live page
        return base.specific

    return shared_value(f"ruta:live-page:{int(page_id)}", load)


def activity_can_submit(*, user: AnyUser, page: Page) -> bool:
    """The page decides (``can_submit_activity(user)``, e.g. enrolment); without that hook, any logged-in user."""
    if not getattr(user, "is_authenticated", False):
        return False
    hook = getattr(page.specific, "can_submit_activity", None)
    return bool(hook(user)) if callable(hook) else True


def activity_can_grade(*, grader: AnyUser, learner: User, page: Page | None) -> bool:
    """The page decides (``can_grade_activity(grader, learner)``, e.g. cohort trainers); else superusers only."""
    if not getattr(grader, "is_authenticated", False):
        return False
    hook = getattr(page.specific, "can_grade_activity", None) if page is not None else None
    if callable(hook):
        return bool(hook(grader, learner))
    return bool(grader.is_superuser)


def activity_results_for_user(
    *, user: AnyUser, usage_ids: Iterable[str], package_ids: Iterable[str] | None = None
) -> dict[str, ActivityResult]:
    """Best and last score, pass, completion, attempts and pending review per activity (submissions + packages).
    ``package_ids``, when the caller knows which of ``usage_ids`` are imported packages, limits the packages'
    lookup to them (none: no lookup)."""
    ids = [str(usage_id) for usage_id in usage_ids]
    # Only the columns the results need, as tuples: a learner's answers and their JSON (answer, result) are not
    # loaded, so a course's recompute stays cheap however many attempts were made.
    rows: dict[str, list[tuple]] = {usage_id: [] for usage_id in ids}
    learner = signed_in_user(user)
    if learner is not None and ids:
        submissions = (
            Submission.objects.filter(user=learner, usage_id__in=ids)
            .order_by("created_at", "pk")
            .values_list("usage_id", "score", "passed", "completed", "status", "created_at")
        )
        for row in submissions:
            rows[row[0]].append(row)
    results = {}
    for usage_id, attempts in rows.items():
        if not attempts:
            results[usage_id] = ActivityResult(usage_id=usage_id)
            continue
        scores = [score for _, score, *_rest in attempts if score is not None]
        _, last_score, _, _, last_status, last_at = attempts[-1]
        results[usage_id] = ActivityResult(
            usage_id=usage_id,
            attempts_used=len(attempts),
            best_score=max(scores) if scores else None,
            last_score=last_score,
            passed=any(row[2] for row in attempts),
            completed=any(row[3] for row in attempts),
            pending_review=last_status == Submission.Status.PENDING,
            last_submitted_at=last_at,
        )
    _merge_package_attempts(user=user, results=results, package_ids=package_ids)
    return results


def _merge_package_attempts(
    *, user: AnyUser, results: dict[str, ActivityResult], package_ids: Iterable[str] | None
) -> None:
    """Imported SCORM/H5P players keep their CMI data in ``ScormAttempt``: report them like any activity."""
    from content.packages.models import ScormAttempt

    candidates = results if package_ids is None else [str(u) for u in package_ids if str(u) in results]
    missing = [usage_id for usage_id in candidates if results[usage_id].attempts_used == 0]
    learner = signed_in_user(user)
    if not missing or learner is None:
        return
    for attempt in ScormAttempt.objects.filter(user=learner, usage_id__in=missing).order_by("attempt_number"):
        passed = attempt.passed  # with a pass mark, completing the SCO without reaching it does not pass
        results[attempt.usage_id] = ActivityResult(
            usage_id=attempt.usage_id,
            attempts_used=attempt.attempt_number,
            best_score=attempt.score_scaled,
            last_score=attempt.score_scaled,
            passed=passed,
            completed=attempt.completed,
            pending_review=False,
            last_submitted_at=attempt.updated_at,
        )


def pending_submissions_for_grading(*, usage_ids: Iterable[str]) -> QuerySet[Submission]:
    """Free-text answers to these activities still waiting for a reviewer, oldest first."""
    return (
        Submission.objects.filter(usage_id__in=[str(u) for u in usage_ids], status=Submission.Status.PENDING)
        .select_related("user", "page")
        .order_by("created_at", "pk")
    )


def submissions_gradable_by(*, grader: Any, limit: int = 100) -> list[Submission]:
    """Pending free-text answers this person may review (by the pages' hook), oldest first, at most ``limit``."""
    if not getattr(grader, "is_authenticated", False):
        return []
    found: list[Submission] = []
    specific_pages: dict[int, Any] = {}
    pending = Submission.objects.filter(status=Submission.Status.PENDING).select_related("user", "page")
    for submission in pending.order_by("created_at", "pk").iterator(chunk_size=200):
        page = None
        if submission.page is not None:
            page_id = submission.page.pk
            if page_id not in specific_pages:
                specific_pages[page_id] = submission.page.specific
            page = specific_pages[page_id]
        if activity_can_grade(grader=grader, learner=submission.user, page=page):
            found.append(submission)
            if len(found) >= limit:
                break
    return found
