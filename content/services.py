"""Writes of the activity engine: recording answers (idempotently) and reviewers' grades.

``activity_submit`` builds a ``RutaRuntime`` whose ``publish`` hands events to ``_recorder``, which stores a
``Submission`` and sends ``content.signals.activity_scored``. Never imports courses or certification.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from content import signals
from content.exceptions import GradingError, InvalidAnswer, SubmissionConflict
from content.models import KeptAnswer, Submission, XBlockState
from content.packages.models import ScormAttempt
from content.selectors import activity_can_grade, activity_can_submit, activity_get
from content.xblocks.kvs import DjangoKeyValueStore
from content.xblocks.runtime import RutaRuntime

if TYPE_CHECKING:
    from lms.accounts.models import User


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise InvalidAnswer(_("El envío no es válido. Vuelve a cargar la página.")) from None


def _existing(*, user: User, submission_id: uuid.UUID, usage_id: str) -> Submission | None:
    submission = Submission.objects.filter(user=user, submission_id=submission_id).first()
    if submission is not None and submission.usage_id != str(usage_id):
        raise SubmissionConflict()
    return submission


def _send_scored(
    submission: Submission, *, weight: float, page: Page | None = None, answer_context: Any = None
) -> None:
    signals.activity_scored.send(
        sender=Submission,
        user=submission.user,
        usage_id=submission.usage_id,
        page_id=submission.page_id,
        page=page,  # the page already in hand (its receivers need not read it again), or None
        answer_context=answer_context,  # what the page's begin_activity_answer returned for this answer, or None
        score=submission.score if submission.score is not None else 1.0,
        passed=submission.passed,
        completed=submission.completed,
        attempt=submission,
        weight=weight,
    )


def _recorder(
    *, user: User, page: Page, submission_id: uuid.UUID, recorded: list[Submission], answer_context: Any = None
):
    def record(*, block: Any, event_type: str, data: dict[str, Any]) -> None:
        if event_type == "pending_review":
            status, score, passed, completed = Submission.Status.PENDING, None, False, False
        elif event_type == "completion":
            status, score, passed, completed = Submission.Status.COMPLETED, None, True, True
        elif event_type == "grade":
            value, maximum = data.get("value") or 0.0, data.get("max_value") or 1.0
            status, score = Submission.Status.GRADED, max(0.0, min(1.0, value / maximum))
            passed, completed = bool(data.get("passed")), True
        else:
            return  # other events (e.g. analytics) are not attempts
        submission = Submission.objects.create(
            user=user,
            page=page,
            usage_id=block.usage_id,
            block_type=block.kind,
            submission_id=submission_id,
            attempt_number=data.get("attempt") or block.attempts,
            answer=data.get("answer") or {},
            status=status,
            score=score,
            passed=passed,
            completed=completed,
            result=block.last_result,
        )
        recorded.append(submission)
        if status != Submission.Status.PENDING:
            weight = float(block.weight) if block.has_score else 0.0
            _send_scored(submission, weight=weight, page=page, answer_context=answer_context)

    return record


def activity_submit(
    *,
    user: User,
    page: Page,
    usage_id: str,
    answer: Mapping[str, Any],
    submission_id: Any,
    kvs: DjangoKeyValueStore | None = None,
) -> Submission:
    """Record one answer once per (user, submission id): a repeat returns the stored result; past the limit, refuse.

    ``kvs``, an empty store of ``user``'s activity state the caller supplies, holds that state afterwards as this
    answer left it (the caller shows the activity again without reading it back); it is emptied when the answer
    was not recorded."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(_("Inicia sesión para responder esta actividad."))
    submission_uuid = _uuid(submission_id)
    usage_id = str(usage_id)
    page = page.specific
    recorded: list[Submission] = []
    # A new answer is the common case, so it is not looked up first: a repeat (a phone resending what it queued,
    # or two tabs at once) stops at the unique (user, submission id) row, or at a refusal for what the first
    # copy changed (the last attempt taken, the enrolment ended since), and then gets the stored result.
    begin = getattr(page, "begin_activity_answer", None)
    try:
        if not callable(begin) and not activity_can_submit(user=user, page=page):
            raise PermissionDenied(_("No puedes responder esta actividad."))
        with transaction.atomic():
            # One learner's submissions run one at a time, so two tabs cannot both take the last attempt: their
            # user row is locked first. A page with the hook locks it together with whatever its own receivers
            # will write, in the statement that decides whether this learner may answer, and gets back what it
            # returned (opaque here) with the news of this answer.
            if callable(begin):
                answer_context = begin(user)
                if answer_context is None:
                    raise PermissionDenied(_("No puedes responder esta actividad."))
            else:
                list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))
                answer_context = None
            activity = activity_get(page=page, usage_id=usage_id)
            record = _recorder(
                user=user, page=page, submission_id=submission_uuid, recorded=recorded, answer_context=answer_context
            )
            runtime = RutaRuntime(user=user, page_id=page.pk, recorder=record, kvs=kvs)
            xblock = runtime.activity(usage_id=usage_id, block_type=activity.block_type, authored=activity.authored)
            xblock.submit_answer(answer)
            xblock.save()
    except BaseException as error:
        if kvs is not None:
            kvs.forget()  # what it holds was rolled back
        if not isinstance(error, IntegrityError | PermissionDenied | ValidationError):
            raise
        existing = _existing(user=user, submission_id=submission_uuid, usage_id=usage_id)
        if existing is None:
            raise
        return existing
    return recorded[0]


def _rubric_verdict(rubric: list[dict[str, Any]], rubric_scores: Mapping[Any, Any]) -> tuple[float, list[dict]]:
    total = maximum = 0
    lines = []
    for index, criterion in enumerate(rubric):
        allowed = {int(level["points"]): level["label"] for level in criterion["levels"]}
        raw = rubric_scores.get(str(index), rubric_scores.get(index))
        try:
            points = int(raw)
        except (TypeError, ValueError):
            raise GradingError(_("Elige un nivel para cada criterio de la rúbrica.")) from None
        if points not in allowed:
            raise GradingError(_("Elige un nivel para cada criterio de la rúbrica."))
        top = max(allowed)
        total += points
        maximum += top
        lines.append({"criterion": criterion["criterion"], "level": allowed[points], "points": points, "max": top})
    if maximum == 0:
        raise GradingError(_("La rúbrica de esta actividad no tiene puntos."))
    return total / maximum, lines


def submission_grade(
    *, grader: Any, submission: Submission, rubric_scores: Mapping[Any, Any], feedback: str
) -> Submission:
    """Grade a pending free-text answer once, with the activity's rubric, if the page lets this person review it."""
    page = submission.page.specific if submission.page is not None else None
    if not activity_can_grade(grader=grader, learner=submission.user, page=page):
        raise PermissionDenied(_("No puedes revisar esta respuesta."))
    if page is None:
        raise GradingError(_("La página de esta actividad ya no existe."))
    activity = activity_get(page=page, usage_id=submission.usage_id)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if not locked.is_pending:
            raise GradingError(_("Esta respuesta ya fue revisada."))
        runtime = RutaRuntime(user=locked.user, page_id=page.pk)
        xblock = runtime.activity(usage_id=locked.usage_id, block_type=activity.block_type, authored=activity.authored)
        score, lines = _rubric_verdict(xblock.rubric, rubric_scores)
        feedback = (feedback or "").strip()
        locked.result = xblock.apply_grade(score=score, rubric=lines, feedback=feedback)
        xblock.save()
        locked.status = Submission.Status.GRADED
        locked.score = score
        locked.passed = locked.result["passed"]
        locked.completed = True
        locked.grader = grader
        locked.graded_at = timezone.now()
        locked.rubric_scores = {str(k): v for k, v in rubric_scores.items()}
        locked.grader_feedback = feedback
        locked.save()
        _send_scored(locked, weight=float(xblock.weight))
    return locked


def learner_answers_export(*, user: User) -> dict[str, Any]:
    """A person's own activity answers, kept answers, stored activity state and SCORM runs, for their data export."""
    rows = Submission.objects.filter(user=user).select_related("page").order_by("created_at", "pk")
    return {
        "activity_submissions": [
            {
                "page": row.page.title if row.page else None,
                "activity": row.usage_id,
                "type": row.block_type,
                "attempt": row.attempt_number,
                "submitted_at": row.created_at.isoformat(),
                "status": row.status,
                "score": row.score,
                "passed": row.passed,
                "answer": row.answer,
                "reviewer_feedback": row.grader_feedback,
            }
            for row in rows
        ],
        # Answers sent to an activity or lesson that had been removed meanwhile (kept for the trainers to see).
        "kept_answers": [
            {
                "page": row.page_title,
                "path": row.path,
                "activity": row.usage_id,
                "reason": row.reason,
                "received_at": row.received_at.isoformat(),
                "answer": row.answer,
            }
            for row in KeptAnswer.objects.filter(user=user).order_by("received_at", "pk")
        ],
        # What activities remember between visits (drafts, choices, preferences), as stored.
        "activity_state": [
            {
                "scope": row.scope,
                "activity": row.block_scope_id,
                "field": row.field_name,
                "value": row.value,
                "modified_at": row.modified.isoformat(),
            }
            for row in XBlockState.objects.filter(user=user).order_by("pk")
        ],
        "scorm_attempts": [
            {
                "page": row.page.title if row.page else None,
                "package": row.package.title,
                "activity": row.usage_id,
                "attempt": row.attempt_number,
                "completion_status": row.completion_status,
                "success_status": row.success_status,
                "score_scaled": row.score_scaled,
                "total_seconds": row.total_seconds,
                "location": row.location,
                "suspend_data": row.suspend_data,
                "interactions": row.interactions,
                "cmi": row.cmi,
            }
            for row in ScormAttempt.objects.filter(user=user).select_related("page", "package").order_by("pk")
        ],
    }


def learner_answers_erase(*, user_id: int) -> None:
    """Forget what a deleted account wrote: stored state and answer texts go; scores stay for aggregate reports."""
    XBlockState.objects.filter(user_id=user_id).delete()
    Submission.objects.filter(user_id=user_id).update(answer={}, result={}, grader_feedback="")
    # Like a submission: the row (that an answer arrived) stays, the text the person typed goes.
    KeptAnswer.objects.filter(user_id=user_id).update(answer={})
    # A SCO's run-time data holds the learner's name (cmi.core.student_name) and whatever they typed.
    ScormAttempt.objects.filter(user_id=user_id).update(cmi={}, suspend_data="", interactions=[], location="")


#: An answer to a removed activity is kept as sent, within these bounds (anything beyond is refused as before: 404).
KEPT_ANSWER_MAX_BYTES = 20_000
KEPT_ANSWERS_PER_LEARNER = 200


def answer_keep_for_removed_activity(
    *, user: User, page_id: int, usage_id: str, answer: Mapping[str, Any], submission_id: Any, path: str = ""
) -> Literal["kept", "recorded"] | None:
    """Keep an answer whose activity (or lesson) was removed after the learner answered it, e.g. offline.

    Nothing the learner did is lost: the answer is stored as sent (once per submission id) for their trainers to
    see; it is not graded. None when it cannot be an answer the learner was shown: a page that never existed (nor
    was deleted), an activity an existing page never had in any revision, a live page the learner may not answer
    on, an oversized answer, or too many kept answers already. "recorded" when the answer arrived before the
    removal (a replay: it is already counted), "kept" once it is kept.
    """
    import json

    from wagtail.models import PageLogEntry, Revision

    submission_uuid = _uuid(submission_id)
    if Submission.objects.filter(user=user, submission_id=submission_uuid).exists():
        return "recorded"
    if KeptAnswer.objects.filter(user=user, submission_id=submission_uuid).exists():
        return "kept"
    page = Page.objects.filter(pk=page_id).first()
    if page is not None and page.live:
        reason = KeptAnswer.Reason.ACTIVITY_REMOVED
        if not activity_can_submit(user=user, page=page.specific):
            return None
    elif page is not None:
        reason = KeptAnswer.Reason.LESSON_REMOVED
    else:
        deletion = PageLogEntry.objects.filter(page_id=page_id, action="wagtail.delete").first()
        if deletion is None:
            return None
        reason = KeptAnswer.Reason.LESSON_REMOVED
    # The activity must have been in one of the page's revisions (usage ids are the StreamField block ids). A
    # deleted page's revisions went with it: then only the size and count bounds below apply.
    # Block ids are UUIDs: anything else (a word that occurs in every revision, "value", "type") names none.
    try:
        usage_id = str(uuid.UUID(str(usage_id)))
    except ValueError:
        return None
    revisions = Revision.objects.filter(object_id=str(page_id), base_content_type__model="page")
    if page is not None and not revisions.filter(content__icontains=usage_id).exists():
        return None
    stored = {str(key): value for key, value in answer.items()}
    if len(json.dumps(stored, ensure_ascii=False).encode()) > KEPT_ANSWER_MAX_BYTES:
        return None
    if KeptAnswer.objects.filter(user=user).count() >= KEPT_ANSWERS_PER_LEARNER:
        return None
    try:
        with transaction.atomic():
            KeptAnswer.objects.create(
                user=user,
                page_id=page_id,
                page_title=page.title if page is not None else deletion.label[:255],
                path=path[:500],
                usage_id=str(usage_id)[:64],
                submission_id=submission_uuid,
                answer=stored,
                reason=reason,
            )
    except IntegrityError:  # the same answer arrived twice at once: the other request kept it
        pass
    return "kept"
