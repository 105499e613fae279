"""Writes for competency certification: standards, applications, instruments, verdicts, validation, appeals.

Every step of an application writes an ``AuditEvent`` in the same transaction, and the person who must act next
(or the candidate, when something changes for them) gets an in-app notice, e-mailed when they have an address.
Notices never carry a verdict or a score: they say that something happened and link to the page behind login.
Must not import from lms.reports.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import Institution, User
from lms.files import private_storage, storage_walk

from . import knowledge, selectors, uploads
from .models import (
    Appeal,
    Application,
    ApplicationDocument,
    AuditEvent,
    BankQuestion,
    CompetencyStandard,
    CompetencyUnit,
    ConflictOfInterest,
    Evidence,
    KnowledgeAttempt,
    ObservationMark,
    ObservationRecord,
    PerformanceCriterion,
    RubricCriterion,
    RubricScore,
    UnitResult,
)

Status = Application.Status
#: Self-assessment answers per unit (orientation only: they never decide a verdict).
SELF_LEVELS = ("puedo", "con_ayuda", "aun_no")


def audit_log(*, application: Application, actor: User | None, action: str, **detail: Any) -> AuditEvent:
    """Append one event (who, what, when) to an application's audit trail."""
    return AuditEvent.objects.create(application=application, actor=actor, action=action, detail=detail)


# --- Standards -------------------------------------------------------------------------------------------


@transaction.atomic
def _notify(user: User | None, title: Callable[[], str], url_name: str, pk: int) -> None:
    """``title`` is written when called, in the reader's language (not the sender's)."""
    from django.urls import reverse

    from courses.cohorts.services import notice_language, notification_send

    if user is not None:
        with notice_language(user):
            notification_send(user=user, title=title(), url=reverse(url_name, args=[pk]))


def standard_new_version(*, standard: CompetencyStandard) -> CompetencyStandard:
    """Copy a standard (units, criteria, bank, rubric) into a new draft version; past assessments keep theirs."""
    latest = CompetencyStandard.objects.filter(code=standard.code).order_by("-version").first()
    new = CompetencyStandard.objects.create(
        certifying_body=standard.certifying_body,
        code=standard.code,
        version=(latest.version if latest else standard.version) + 1,
        title=standard.title,
        occupation=standard.occupation,
        description=standard.description,
        training_url=standard.training_url,
        status=CompetencyStandard.Status.DRAFT,
        previous_version=standard,
    )
    for unit in standard.units.prefetch_related("criteria", "questions", "rubric"):
        copy = CompetencyUnit.objects.create(
            standard=new,
            code=unit.code,
            order=unit.order,
            title=unit.title,
            is_socioemotional=unit.is_socioemotional,
            required_knowledge=list(unit.required_knowledge),
            evidence_requirements=list(unit.evidence_requirements),
            question_count=unit.question_count,
            pass_threshold=unit.pass_threshold,
            knowledge_max_attempts=unit.knowledge_max_attempts,
            rubric_threshold=unit.rubric_threshold,
            training_url=unit.training_url,
        )
        PerformanceCriterion.objects.bulk_create(
            PerformanceCriterion(unit=copy, order=c.order, text=c.text, is_critical=c.is_critical)
            for c in unit.criteria.all()
        )
        BankQuestion.objects.bulk_create(
            BankQuestion(unit=copy, block_type=q.block_type, value=q.value, is_active=q.is_active)
            for q in unit.questions.all()
        )
        RubricCriterion.objects.bulk_create(
            RubricCriterion(unit=copy, order=r.order, title=r.title, levels=r.levels, weight=r.weight)
            for r in unit.rubric.all()
        )
    return new


@transaction.atomic
def standard_publish(*, standard: CompetencyStandard) -> CompetencyStandard:
    """Publish a version; the previously published version of the same code is retired (its data untouched)."""
    if not standard.units.exists():
        raise ValidationError(_("Una norma sin unidades de competencia no puede publicarse."))
    CompetencyStandard.objects.filter(code=standard.code, status=CompetencyStandard.Status.PUBLISHED).exclude(
        pk=standard.pk
    ).update(status=CompetencyStandard.Status.RETIRED)
    standard.status = CompetencyStandard.Status.PUBLISHED
    standard.save(update_fields=["status"])
    return standard


# --- Applications ----------------------------------------------------------------------------------------


def _attach_documents(
    *, application: Application, checked: list[tuple[UploadedFile, str, str, bool]], stored: list[str]
) -> None:
    """Save already-checked documents, noting each stored name in ``stored`` so a failed write can remove them."""
    for upload, content_type, ext, _photo in checked:
        doc = ApplicationDocument(
            application=application,
            original_name=uploads.display_name(upload.name or ""),
            content_type=content_type,
            size=upload.size or 0,
        )
        doc.file.save(uploads.safe_name(upload.name or "", ext), upload, save=False)
        stored.append(doc.file.name or "")
        doc.save()


def application_create(
    *,
    candidate: User,
    standard: CompetencyStandard,
    experience: str,
    experience_years: int = 0,
    documents: Iterable[UploadedFile] = (),
    previous: Application | None = None,
    self_assessment: Mapping[str, str] | None = None,
) -> Application:
    """Open an application for the units the candidate has not yet achieved; one open application per standard.

    Every document is checked before any is stored, and if the application cannot be written the documents already
    stored are removed (no file is kept that no row points to)."""
    checked = uploads.validate_uploads(documents)
    with uploads.removed_if_write_fails(private_storage()) as stored:
        return _application_create(
            candidate=candidate,
            standard=standard,
            experience=experience,
            experience_years=experience_years,
            checked=checked,
            stored=stored,
            previous=previous,
            self_assessment=self_assessment,
        )


@transaction.atomic
def _application_create(
    *,
    candidate: User,
    standard: CompetencyStandard,
    experience: str,
    experience_years: int,
    checked: list[tuple[UploadedFile, str, str, bool]],
    stored: list[str],
    previous: Application | None,
    self_assessment: Mapping[str, str] | None,
) -> Application:
    if previous is None and standard.status != CompetencyStandard.Status.PUBLISHED:
        raise ValidationError(_("Esta norma no está vigente; no recibe postulaciones."))
    open_exists = (
        Application.objects.filter(candidate=candidate, standard__code=standard.code)
        .exclude(status__in=[Status.DECIDED, Status.WITHDRAWN])
        .exists()
    )
    if open_exists:
        raise ValidationError(_("Ya tienes una postulación en curso para esta norma."))
    achieved = {u.pk for u in selectors.units_achieved(candidate=candidate, standard=standard)}
    pending = [u for u in standard.units.all() if u.pk not in achieved]
    if not pending:
        raise ValidationError(_("Ya lograste todas las unidades de esta norma."))
    if not experience.strip():
        raise ValidationError(_("Cuéntanos brevemente tu experiencia en esta ocupación."))
    codes = {u.code for u in pending}
    answers = {code: level for code, level in (self_assessment or {}).items() if code in codes and level in SELF_LEVELS}
    application = Application.objects.create(
        candidate=candidate,
        standard=standard,
        experience=experience.strip(),
        experience_years=experience_years,
        previous=previous,
        self_assessment=answers,
    )
    application.units.set(pending)
    _attach_documents(application=application, checked=checked, stored=stored)
    audit_log(
        application=application,
        actor=candidate,
        action="applied",
        units=[u.code for u in pending],
        previous=previous.pk if previous else None,
    )
    return application


def application_reassess(*, application: Application, candidate: User, experience: str = "") -> Application:
    """Apply again, on the same standard version, for the units still not achieved after a decision."""
    if application.candidate_id != candidate.pk:
        raise PermissionDenied
    if application.status != Status.DECIDED:
        raise ValidationError(_("Solo puedes volver a postular cuando el resultado anterior esté validado."))
    return application_create(
        candidate=candidate,
        standard=application.standard,
        experience=experience or application.experience,
        experience_years=application.experience_years,
        previous=application,
    )


@transaction.atomic
def application_withdraw(*, application: Application, candidate: User) -> Application:
    """The candidate may withdraw until the result is sent for validation; the record and its trail stay."""
    if application.candidate_id != candidate.pk:
        raise PermissionDenied
    if application.status not in (Status.APPLIED, Status.ASSIGNED, Status.SCHEDULED):
        raise ValidationError(_("En esta etapa ya no puedes retirar tu postulación."))
    application.status = Status.WITHDRAWN
    application.save(update_fields=["status"])
    audit_log(application=application, actor=candidate, action="withdrawn")
    return application


@transaction.atomic
def evaluator_assign(*, application: Application, evaluator: User, actor: User) -> Application:
    """Assign a certified evaluator of the body who did not train the candidate and declared no conflict.

    The evaluator hears of it, and so does the candidate (whose page promised to tell them) when the person changes.
    """
    if not selectors.can_manage_body(actor, application.certifying_body):
        raise PermissionDenied
    if application.status not in (Status.APPLIED, Status.ASSIGNED, Status.SCHEDULED):
        raise ValidationError(_("Esta postulación ya no admite cambio de evaluador o evaluadora."))
    if evaluator.pk == application.validator_id:
        raise ValidationError(_("Quien valida no puede ser quien evalúa."))
    reason = selectors.evaluator_ineligibility(evaluator=evaluator, application=application)
    if reason:
        raise ValidationError(reason)
    changed = application.evaluator_id != evaluator.pk
    application.evaluator = evaluator
    application.status = Status.ASSIGNED
    application.save(update_fields=["evaluator", "status"])
    audit_log(application=application, actor=actor, action="evaluator_assigned", evaluator=evaluator.pk)
    _notify(
        evaluator,
        lambda: _("Te asignaron una evaluación de competencias: %(s)s") % {"s": application.standard.title},
        "competency:assessment",
        application.pk,
    )
    if changed:
        _notify(
            application.candidate,
            lambda: (
                _("Ya tienes evaluador o evaluadora para %(s)s. Te avisaremos la fecha y el lugar de tu evaluación.")
                % {"s": application.standard.title}
            ),
            "competency:application_detail",
            application.pk,
        )
    return application


@transaction.atomic
def validator_assign(*, application: Application, validator: User, actor: User) -> Application:
    """The body names a second evaluator to validate: eligible for this candidate and not the assessor."""
    if not selectors.can_manage_body(actor, application.certifying_body):
        raise PermissionDenied
    if application.status not in (Status.APPLIED, Status.ASSIGNED, Status.SCHEDULED, Status.SUBMITTED):
        raise ValidationError(_("Esta postulación ya no admite cambio de quien valida."))
    if validator.pk == application.evaluator_id:
        raise ValidationError(_("Quien valida no puede ser quien evalúa."))
    reason = selectors.evaluator_ineligibility(evaluator=validator, application=application)
    if reason:
        raise ValidationError(reason)
    application.validator = validator
    application.save(update_fields=["validator"])
    audit_log(application=application, actor=actor, action="validator_assigned", validator=validator.pk)
    _notify(
        validator,
        lambda: _("Te pidieron validar una evaluación de competencias: %(s)s") % {"s": application.standard.title},
        "competency:validate",
        application.pk,
    )
    return application


@transaction.atomic
def assessment_schedule(
    *, application: Application, evaluator: User, scheduled_at: datetime, location: str
) -> Application:
    """The assigned evaluator sets date and place of the on-site assessment."""
    _require_evaluator(application, evaluator)
    if not application.can_be_recorded:
        raise ValidationError(_("Esta evaluación ya no puede reprogramarse."))
    application.scheduled_at = scheduled_at
    application.location = location.strip()
    application.status = Status.SCHEDULED
    application.save(update_fields=["scheduled_at", "location", "status"])
    audit_log(
        application=application,
        actor=evaluator,
        action="scheduled",
        scheduled_at=scheduled_at.isoformat(),
        location=application.location,
    )
    from django.utils.formats import date_format

    _notify(
        application.candidate,
        lambda: (
            _("Tu evaluación de %(s)s es el %(d)s en %(l)s")
            % {
                "s": application.standard.title,
                "d": date_format(timezone.localtime(scheduled_at), "DATETIME_FORMAT"),
                "l": application.location,
            }
        ),
        "competency:application_detail",
        application.pk,
    )
    return application


def _require_evaluator(application: Application, user: User) -> None:
    if application.evaluator_id != user.pk:
        raise PermissionDenied(_("Solo la persona asignada puede registrar esta evaluación."))


def _require_unit(application: Application, unit: CompetencyUnit) -> None:
    if not application.units.filter(pk=unit.pk).exists():
        raise ValidationError(_("Esta unidad no forma parte de la postulación."))


def _require_recordable(application: Application) -> None:
    if not application.can_be_recorded:
        raise ValidationError(_("La evaluación ya fue enviada; no se pueden registrar más resultados."))


# --- Knowledge test --------------------------------------------------------------------------------------


def knowledge_draw(*, unit: CompetencyUnit, seed: str) -> list[int]:
    """The questions a seed draws from the unit's active bank: same seed and bank, same questions, same order."""
    bank = sorted(unit.questions.filter(is_active=True).values_list("pk", flat=True))
    count = min(unit.question_count, len(bank))
    return random.Random(seed).sample(bank, count)  # noqa: S311 - a draw, not a secret


@transaction.atomic
def knowledge_attempt_start(
    *, application: Application, unit: CompetencyUnit, candidate: User, seed: str | None = None
) -> KnowledgeAttempt:
    """Start (or resume the unfinished) knowledge test of a unit, recording the questions drawn; never after a pass."""
    if application.candidate_id != candidate.pk:
        raise PermissionDenied
    _require_unit(application, unit)
    _require_recordable(application)
    attempts = KnowledgeAttempt.objects.filter(application=application, unit=unit)
    if attempts.filter(passed=True).exclude(submitted_at=None).exists():
        raise ValidationError(_("Ya aprobaste la prueba de esta unidad; tu resultado queda registrado."))
    open_attempt = attempts.filter(submitted_at=None).first()
    if open_attempt:
        return open_attempt
    done = KnowledgeAttempt.objects.filter(application=application, unit=unit).exclude(submitted_at=None).count()
    if done >= unit.knowledge_max_attempts:
        raise ValidationError(_("Ya usaste todos los intentos de la prueba de esta unidad."))
    seed = seed or secrets.token_hex(16)
    question_ids = knowledge_draw(unit=unit, seed=seed)
    if not question_ids:
        raise ValidationError(_("Esta unidad aún no tiene preguntas en su banco."))
    attempt = KnowledgeAttempt.objects.create(application=application, unit=unit, seed=seed, question_ids=question_ids)
    audit_log(application=application, actor=candidate, action="knowledge_started", unit=unit.code, seed=seed)
    return attempt


@transaction.atomic
def knowledge_attempt_submit(
    *, attempt: KnowledgeAttempt, candidate: User, answers: Mapping[str, Any]
) -> KnowledgeAttempt:
    """Grade the drawn questions with the activity definitions; passing needs the unit's threshold. Idempotent."""
    attempt = KnowledgeAttempt.objects.select_for_update().select_related("unit", "application").get(pk=attempt.pk)
    if attempt.application.candidate_id != candidate.pk:
        raise PermissionDenied
    if attempt.submitted_at is not None:
        return attempt
    questions = {q.pk: q for q in BankQuestion.objects.filter(pk__in=attempt.question_ids)}
    total = 0.0
    kept: dict[str, Any] = {}
    for qid in attempt.question_ids:
        answer = answers.get(str(qid))
        kept[str(qid)] = answer
        total += knowledge.grade(questions[qid].block_type, questions[qid].value, answer, key=str(qid))
    attempt.answers = kept
    attempt.score = round(100 * total / len(attempt.question_ids), 1) if attempt.question_ids else 0.0
    attempt.passed = attempt.score >= attempt.unit.pass_threshold
    attempt.submitted_at = timezone.now()
    attempt.save(update_fields=["answers", "score", "passed", "submitted_at"])
    audit_log(
        application=attempt.application,
        actor=candidate,
        action="knowledge_submitted",
        unit=attempt.unit.code,
        score=attempt.score,
        passed=attempt.passed,
    )
    return attempt


# --- Observation checklist -------------------------------------------------------------------------------


def observation_record(
    *,
    application: Application,
    unit: CompetencyUnit,
    evaluator: User,
    submission_id: uuid.UUID | str,
    marks: Mapping[int, tuple[str, str]],
    notes: str = "",
    observed_at: datetime | None = None,
    corrects: str | None = None,
) -> tuple[ObservationRecord, bool]:
    """Record a checklist once per client submission id: a retried submission returns the first record.

    The latest checklist of a unit is the one that counts; a later one corrects it. ``corrects`` says which
    record the form was filled in against ("" for a unit without one); when given, a checklist sent from a
    form that no longer matches the unit's latest record (a second blank form, a stale copy on another phone)
    is refused instead of silently replacing a record its evaluator never saw.
    """
    submission_id = uuid.UUID(str(submission_id))
    existing = ObservationRecord.objects.filter(submission_id=submission_id).first()
    if existing:
        if existing.application_id != application.pk or existing.evaluator_id != evaluator.pk:
            raise PermissionDenied
        return existing, False
    _require_evaluator(application, evaluator)
    _require_unit(application, unit)
    _require_recordable(application)
    criteria = {c.pk: c for c in unit.criteria.all()}
    missing = set(criteria) - set(marks)
    if missing:
        raise ValidationError(_("Marca cada criterio: cumple, no cumple o no observado."))
    valid_marks = set(ObservationMark.Mark.values)
    try:
        with transaction.atomic():
            Application.objects.select_for_update().filter(pk=application.pk).first()  # one record at a time
            latest = (
                ObservationRecord.objects.filter(application=application, unit=unit)
                .order_by("-created_at", "-id")
                .first()
            )
            if corrects is not None and corrects.strip() != (str(latest.submission_id) if latest else ""):
                raise ValidationError(
                    _("Esta unidad ya tiene una lista de cotejo registrada. Ábrela para verla o corregirla.")
                )
            record = ObservationRecord.objects.create(
                application=application,
                unit=unit,
                evaluator=evaluator,
                submission_id=submission_id,
                notes=notes.strip(),
                observed_at=observed_at or timezone.now(),
            )
            rows = []
            for criterion_id, (mark, note) in marks.items():
                if criterion_id not in criteria or mark not in valid_marks:
                    raise ValidationError(_("La lista de cotejo tiene un criterio o una marca no válida."))
                rows.append(
                    ObservationMark(record=record, criterion=criteria[criterion_id], mark=mark, note=note[:500])
                )
            ObservationMark.objects.bulk_create(rows)
            audit_log(
                application=application,
                actor=evaluator,
                action="observation_recorded",
                unit=unit.code,
                submission_id=str(submission_id),
                corrects=str(latest.submission_id) if latest else "",
                met=sum(1 for r in rows if r.mark == ObservationMark.Mark.MET),
                total=len(rows),
            )
    except IntegrityError:
        # The same submission arrived twice at once: the other request won; return its record.
        return ObservationRecord.objects.get(submission_id=submission_id), False
    return record, True


# --- Evidence and rubric ---------------------------------------------------------------------------------


def evidence_add(
    *,
    application: Application,
    unit: CompetencyUnit,
    actor: User,
    title: str,
    upload: UploadedFile | None = None,
    url: str = "",
) -> Evidence:
    """Attach a photo/PDF (type sniffed, size limited) or an https link to a unit, by the candidate or evaluator.

    Each person may store at most ``uploads.MAX_FILES_PER_APPLICATION`` files and ``MAX_MB_PER_APPLICATION`` MB on
    one application; the file is checked before it is stored and removed again if the evidence cannot be written."""
    with uploads.removed_if_write_fails(private_storage()) as stored:
        return _evidence_add(
            application=application, unit=unit, actor=actor, title=title, upload=upload, url=url, stored=stored
        )


@transaction.atomic
def _evidence_add(
    *,
    application: Application,
    unit: CompetencyUnit,
    actor: User,
    title: str,
    upload: UploadedFile | None,
    url: str,
    stored: list[str],
) -> Evidence:
    if actor.pk not in (application.candidate_id, application.evaluator_id):
        raise PermissionDenied
    _require_unit(application, unit)
    if actor.pk == application.evaluator_id:
        _require_recordable(application)
    elif application.status not in (Status.APPLIED, Status.ASSIGNED, Status.SCHEDULED, Status.APPEALED):
        raise ValidationError(_("En esta etapa ya no se pueden agregar evidencias."))
    if bool(upload) == bool(url):
        raise ValidationError(_("Sube un archivo o escribe un enlace (uno de los dos)."))
    evidence = Evidence(application=application, unit=unit, uploaded_by=actor, title=title.strip()[:200])
    if upload:
        # One upload at a time per application, so two at once cannot both slip under the limit.
        Application.objects.select_for_update().filter(pk=application.pk).first()
        so_far = (
            Evidence.objects.filter(application=application, uploaded_by=actor)
            .exclude(kind=Evidence.Kind.LINK)
            .aggregate(count=Count("id"), size=Sum("size"))
        )
        ((_upload, content_type, ext, photo),) = uploads.validate_uploads(
            [upload], count_before=so_far["count"], bytes_before=so_far["size"] or 0
        )
        evidence.kind = Evidence.Kind.PHOTO if photo else Evidence.Kind.FILE
        evidence.content_type = content_type
        evidence.size = upload.size or 0
        evidence.original_name = uploads.display_name(upload.name or "")
        evidence.file.save(uploads.safe_name(upload.name or "", ext), upload, save=False)
        stored.append(evidence.file.name or "")
    else:
        if not url.lower().startswith("https://"):
            raise ValidationError(_("El enlace debe empezar con https://"))
        evidence.kind = Evidence.Kind.LINK
        evidence.url = url
    evidence.save()
    audit_log(application=application, actor=actor, action="evidence_added", unit=unit.code, kind=evidence.kind)
    return evidence


@transaction.atomic
def rubric_score(
    *,
    application: Application,
    unit: CompetencyUnit,
    evaluator: User,
    levels: Mapping[int, int],
    comment: str = "",
) -> RubricScore:
    """Grade a unit's evidence: weighted share of the top level; passing needs the unit's rubric threshold."""
    _require_evaluator(application, evaluator)
    _require_unit(application, unit)
    _require_recordable(application)
    criteria = list(unit.rubric.all())
    if not criteria:
        raise ValidationError(_("Esta unidad no tiene rúbrica."))
    got = 0.0
    best = 0.0
    kept: dict[str, int] = {}
    for criterion in criteria:
        level = levels.get(criterion.pk)
        if level is None or not 0 <= int(level) <= criterion.max_level:
            raise ValidationError(_("Elige un nivel para cada aspecto de la rúbrica."))
        kept[str(criterion.pk)] = int(level)
        got += criterion.weight * int(level) / criterion.max_level
        best += criterion.weight
    percent = round(100 * got / best, 1)
    score, _created = RubricScore.objects.update_or_create(
        application=application,
        unit=unit,
        defaults={
            "evaluator": evaluator,
            "levels": kept,
            "percent": percent,
            "passed": percent >= unit.rubric_threshold,
            "comment": comment.strip(),
        },
    )
    audit_log(application=application, actor=evaluator, action="rubric_scored", unit=unit.code, percent=percent)
    return score


# --- Verdicts, validation, certificate -------------------------------------------------------------------


@transaction.atomic
def unit_verdict_record(
    *, application: Application, unit: CompetencyUnit, evaluator: User, verdict: str, feedback: str = ""
) -> UnitResult:
    """The evaluator's verdict on a unit; 'not yet competent' needs feedback the candidate can act on."""
    _require_evaluator(application, evaluator)
    _require_unit(application, unit)
    _require_recordable(application)
    if verdict not in UnitResult.Verdict.values:
        raise ValidationError(_("Elige competente o aún no competente."))
    if verdict == UnitResult.Verdict.NOT_YET and not feedback.strip():
        raise ValidationError(_("Explica qué le falta a la persona para lograr la unidad."))
    result, _created = UnitResult.objects.update_or_create(
        application=application,
        unit=unit,
        defaults={"verdict": verdict, "feedback": feedback.strip(), "decided_by": evaluator},
    )
    audit_log(application=application, actor=evaluator, action="unit_verdict", unit=unit.code, verdict=verdict)
    return result


@transaction.atomic
def assessment_submit(*, application: Application, evaluator: User, overall_feedback: str = "") -> Application:
    """Send the verdicts for validation; every unit of the application needs a verdict first."""
    _require_evaluator(application, evaluator)
    _require_recordable(application)
    decided = set(application.unit_results.values_list("unit_id", flat=True))
    if set(application.units.values_list("pk", flat=True)) - decided:
        raise ValidationError(_("Falta el dictamen de alguna unidad."))
    application.overall_feedback = overall_feedback.strip()
    application.status = Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["overall_feedback", "status", "submitted_at"])
    audit_log(application=application, actor=evaluator, action="submitted")
    _notify(
        application.validator,
        lambda: _("Hay resultados por validar: %(s)s") % {"s": application.standard.title},
        "competency:validate",
        application.pk,
    )
    return application


def _overall(application: Application) -> str:
    verdicts = set(application.unit_results.values_list("verdict", flat=True))
    if verdicts == {UnitResult.Verdict.COMPETENT}:
        return Application.Result.COMPETENT
    return Application.Result.NOT_YET


@transaction.atomic
def assessment_validate(*, application: Application, validator: User, approve: bool, comment: str = "") -> Application:
    """A second evaluator or the body's staff (never the assessor) confirms the verdicts, or returns them."""
    if not selectors.can_validate(validator, application):
        raise PermissionDenied
    if application.status != Status.SUBMITTED:
        raise ValidationError(_("No hay resultados por validar en esta postulación."))
    application.validator = validator
    if not approve:
        if not comment.strip():
            raise ValidationError(_("Explica qué debe revisar la persona evaluadora."))
        application.status = Status.SCHEDULED
        application.save(update_fields=["validator", "status"])
        audit_log(application=application, actor=validator, action="returned", comment=comment.strip())
        _notify(
            application.evaluator,
            lambda: _("Te devolvieron una evaluación para revisar: %(s)s") % {"s": application.standard.title},
            "competency:assessment",
            application.pk,
        )
        return application
    application.status = Status.DECIDED
    application.result = _overall(application)
    application.decided_at = timezone.now()
    application.save(update_fields=["validator", "status", "result", "decided_at"])
    audit_log(application=application, actor=validator, action="validated", result=application.result)
    competency_certificate_issue(application=application)
    _notify(
        application.candidate,
        lambda: _("Ya está el resultado de tu evaluación de %(s)s") % {"s": application.standard.title},
        "competency:application_detail",
        application.pk,
    )
    return application


def competency_certificate_issue(*, application: Application) -> Any | None:
    """Issue (through certification's service) the certificate listing every unit achieved so far, if any."""
    from . import certificates

    achieved = selectors.units_achieved(candidate=application.candidate, standard=application.standard)
    if not achieved:
        return None
    certificate = certificates.issue(application=application, units=achieved)
    if certificate is not None:
        audit_log(
            application=application,
            actor=None,
            action="certificate_issued",
            units=[u.code for u in achieved],
            certificate=str(getattr(certificate, "pk", "")),
        )
    return certificate


# --- Appeals ---------------------------------------------------------------------------------------------


@transaction.atomic
def appeal_create(*, application: Application, candidate: User, reason: str) -> Appeal:
    """The candidate may appeal a validated decision once, giving a reason."""
    if application.candidate_id != candidate.pk:
        raise PermissionDenied
    if application.status != Status.DECIDED:
        raise ValidationError(_("Solo se puede apelar un resultado validado."))
    if Appeal.objects.filter(application=application).exists():
        raise ValidationError(_("Ya apelaste este resultado; la apelación se puede presentar una sola vez."))
    if not reason.strip():
        raise ValidationError(_("Explica el motivo de tu apelación."))
    appeal = Appeal.objects.create(application=application, reason=reason.strip())
    application.status = Status.APPEALED
    application.save(update_fields=["status"])
    audit_log(application=application, actor=candidate, action="appealed")
    return appeal


@transaction.atomic
def appeal_assign(*, appeal: Appeal, reviewer: User, actor: User) -> Appeal:
    """The body assigns an eligible evaluator who took no part in the decision to review the appeal."""
    application = appeal.application
    if not selectors.can_manage_body(actor, application.certifying_body):
        raise PermissionDenied
    if reviewer.pk in (application.evaluator_id, application.validator_id):
        raise ValidationError(_("Revisa la apelación alguien que no participó en la decisión."))
    reason = selectors.evaluator_ineligibility(evaluator=reviewer, application=application)
    if reason:
        raise ValidationError(reason)
    appeal.reviewer = reviewer
    appeal.save(update_fields=["reviewer"])
    audit_log(application=application, actor=actor, action="appeal_assigned", reviewer=reviewer.pk)
    _notify(reviewer, lambda: _("Te asignaron una apelación para revisar"), "competency:appeal_review", application.pk)
    return appeal


@transaction.atomic
def appeal_resolve(
    *, appeal: Appeal, reviewer: User, response: str, changed_verdicts: Mapping[int, str] | None = None
) -> Appeal:
    """The reviewer answers the appeal; changing any unit's verdict upholds it and re-issues the certificate."""
    application = appeal.application
    if appeal.reviewer_id != reviewer.pk:
        raise PermissionDenied
    if appeal.outcome:
        raise ValidationError(_("Esta apelación ya fue resuelta."))
    if not response.strip():
        raise ValidationError(_("Escribe la respuesta a la apelación."))
    changed = []
    for result in application.unit_results.select_related("unit"):
        new = (changed_verdicts or {}).get(result.unit_id)
        if new and new != result.verdict:
            if new not in UnitResult.Verdict.values:
                raise ValidationError(_("Elige competente o aún no competente."))
            result.verdict = new
            result.feedback = response.strip()
            result.decided_by = reviewer
            result.save(update_fields=["verdict", "feedback", "decided_by", "updated_at"])
            changed.append(result.unit.code)
    appeal.outcome = Appeal.Outcome.UPHELD if changed else Appeal.Outcome.REJECTED
    appeal.response = response.strip()
    appeal.resolved_at = timezone.now()
    appeal.save(update_fields=["outcome", "response", "resolved_at"])
    application.status = Status.DECIDED
    application.result = _overall(application)
    application.save(update_fields=["status", "result"])
    audit_log(application=application, actor=reviewer, action="appeal_resolved", outcome=appeal.outcome, units=changed)
    if changed:
        certificate = competency_certificate_issue(application=application)
        if certificate is not None:
            _decision_certificate_replace(application=application, new=certificate, reviewer=reviewer)
    _notify(
        application.candidate,
        lambda: _("Respondieron tu apelación sobre %(s)s") % {"s": application.standard.title},
        "competency:application_detail",
        application.pk,
    )
    return appeal


def _decision_certificate_replace(*, application: Application, new: Any, reviewer: User) -> None:
    """After an upheld appeal, the certificate issued at the decision (e.g. «2 de 3» units) is replaced by the new
    one, as a re-issue is: its code says «Reemplazado» and points to the new code (``Certificate.replaced_by``, a
    ``reissued`` event with the reason). A revoked or already replaced one is left as it is."""
    from certification.models import Certificate, CertificateEvent
    from certification.source_keys import source_key_build

    old = (
        Certificate.objects.select_for_update()
        .filter(source_key=source_key_build("competency", "application", application.pk), holder=application.candidate)
        .exclude(pk=new.pk)
        .first()
    )
    if old is None or old.revoked_at is not None or old.replaced_by_id:
        return
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    CertificateEvent.objects.create(
        certificate=old,
        action=CertificateEvent.Action.REISSUED,
        actor=reviewer,
        reason=_("Apelación aceptada: certificado %(code)s") % {"code": new.display_code},
    )


# --- Evaluators ------------------------------------------------------------------------------------------


def conflict_declare(*, evaluator: User, candidate: User, reason: str) -> ConflictOfInterest:
    """An evaluator declares a conflict of interest with a person; they can no longer be assigned to them."""
    if not reason.strip():
        raise ValidationError(_("Indica el motivo del conflicto de interés."))
    conflict, _created = ConflictOfInterest.objects.update_or_create(
        evaluator=evaluator, candidate=candidate, defaults={"reason": reason.strip()[:250]}
    )
    return conflict


@transaction.atomic
def standard_load(
    *, certifying_body: Institution, data: Mapping[str, Any], training_url: str = "", publish: bool = True
) -> CompetencyStandard:
    """Create a standard version from plain data (as in ``lms.demo.standards_data``); an existing one is kept."""
    existing = CompetencyStandard.objects.filter(code=data["code"], version=data.get("version", 1)).first()
    if existing:
        return existing
    standard = CompetencyStandard.objects.create(
        certifying_body=certifying_body,
        code=data["code"],
        version=data.get("version", 1),
        title=data["title"],
        occupation=data.get("occupation", ""),
        description=data.get("description", ""),
        training_url=training_url,
    )
    for order, spec in enumerate(data["units"]):
        unit = CompetencyUnit.objects.create(
            standard=standard,
            code=spec["code"],
            order=order,
            title=spec["title"],
            is_socioemotional=spec.get("socioemotional", False),
            required_knowledge=list(spec.get("knowledge", [])),
            evidence_requirements=list(spec.get("evidence", [])),
            question_count=spec.get("question_count", 5),
            pass_threshold=spec.get("pass_threshold", 70),
            rubric_threshold=spec.get("rubric_threshold", 60),
        )
        PerformanceCriterion.objects.bulk_create(
            PerformanceCriterion(unit=unit, order=i, text=text) for i, text in enumerate(spec["criteria"])
        )
        BankQuestion.objects.bulk_create(
            BankQuestion(unit=unit, block_type=q["type"], value=knowledge.validate(q["type"], q["value"]))
            for q in spec.get("questions", [])
        )
        RubricCriterion.objects.bulk_create(
            RubricCriterion(
                unit=unit,
                order=i,
                title=r["title"],
                levels=list(r.get("levels", ["No logrado", "En proceso", "Logrado", "Destacado"])),
                weight=r.get("weight", 1),
            )
            for i, r in enumerate(spec.get("rubric", []))
        )
    if publish:
        standard_publish(standard=standard)
    return standard


# --- Personal data ---------------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _download_url(name: str, pk: int) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.RUTA_BASE_URL + reverse(f"competency:{name}", args=[pk])


def _answer_shown(view: knowledge.QuestionView, answer: Any) -> Any:
    """The candidate's answer in the words she saw: choice labels for choice questions, her text otherwise."""
    labels = dict(view.choices)
    if view.block_type in ("single_choice", "true_false"):
        return labels.get(str(answer), answer) if answer not in (None, "") else None
    if view.block_type == "multiple_choice":
        return [labels.get(str(a), a) for a in (answer or [])]
    return answer


def _knowledge_attempt_export(attempt: KnowledgeAttempt, questions: Mapping[int, BankQuestion]) -> dict[str, Any]:
    """One sitting: the questions drawn, as the test page showed them (choices in the attempt's order), and what
    she answered. A question since removed from the bank is listed by number only; correct answers never are."""
    rows = []
    for number, qid in enumerate(attempt.question_ids, start=1):
        answer = attempt.answers.get(str(qid)) if attempt.answers else None
        question = questions.get(qid)
        if question is None:
            rows.append({"number": number, "question": None, "answer": answer})
            continue
        view = knowledge.question_view(question, number=number, seed=attempt.seed)
        rows.append(
            {
                "number": number,
                "type": view.block_type,
                "question": view.prompt,
                "choices": [label for _value, label in view.choices],
                "rows": view.rows,
                "answer": _answer_shown(view, answer),
            }
        )
    return {
        "unit": attempt.unit.code,
        "started_at": _iso(attempt.started_at),
        "submitted_at": _iso(attempt.submitted_at),
        "score": attempt.score,
        "passed": attempt.passed,
        "questions": rows,
    }


def candidate_data_export(*, user: User) -> dict[str, Any]:
    """The person's own applications and everything in them for their data export.

    Included: what she gave (experience, self-assessment, documents, evidence, test answers, appeal), what was
    arranged with her (date and place of the assessment) and what was decided and written to her (verdicts and
    feedback per unit, the general feedback, rubric levels and comments, observation checklist marks, the appeal's
    answer), with the application's history (what happened when, never who). Left out: the evaluator's working
    notes on the observation checklist (``ObservationRecord.notes``, ``ObservationMark.note``: written for the
    validator, not to her, and never shown on her pages), staff identities, conflict-of-interest declarations
    (the evaluator's) and the test's correct answers. Files are listed (name, type, size, date) with the link she
    downloads them from while signed in; their bytes are not inlined.
    """
    from django.db.models import Prefetch

    applications = list(
        Application.objects.filter(candidate=user)
        .select_related("standard", "appeal")
        .prefetch_related(
            Prefetch("unit_results", queryset=UnitResult.objects.select_related("unit")),
            Prefetch("knowledge_attempts", queryset=KnowledgeAttempt.objects.select_related("unit")),
            Prefetch("evidence", queryset=Evidence.objects.select_related("unit")),
            Prefetch("documents", queryset=ApplicationDocument.objects.order_by("uploaded_at", "pk")),
            Prefetch("rubric_scores", queryset=RubricScore.objects.select_related("unit").order_by("unit_id")),
            Prefetch(
                "observations",
                queryset=ObservationRecord.objects.select_related("unit").prefetch_related(
                    Prefetch("marks", queryset=ObservationMark.objects.select_related("criterion").order_by("pk"))
                ),
            ),
            Prefetch("audit", queryset=AuditEvent.objects.order_by("created_at", "pk")),
        )
    )
    question_ids = {qid for a in applications for attempt in a.knowledge_attempts.all() for qid in attempt.question_ids}
    questions = {q.pk: q for q in BankQuestion.objects.filter(pk__in=question_ids)} if question_ids else {}
    rubric_ids = {int(k) for a in applications for s in a.rubric_scores.all() for k in s.levels if str(k).isdigit()}
    rubric_titles = (
        dict(RubricCriterion.objects.filter(pk__in=rubric_ids).values_list("pk", "title")) if rubric_ids else {}
    )
    rows = []
    for application in applications:
        appeal = application.appeal if hasattr(application, "appeal") else None
        rows.append(
            {
                "standard": f"{application.standard.code} v{application.standard.version}",
                "title": application.standard.title,
                "status": application.status,
                "result": application.result,
                "experience": application.experience,
                "experience_years": application.experience_years,
                "self_assessment": application.self_assessment,
                "applied_at": application.created_at.isoformat(),
                "scheduled_at": _iso(application.scheduled_at),
                "location": application.location,
                "submitted_at": _iso(application.submitted_at),
                "decided_at": _iso(application.decided_at),
                "overall_feedback": application.overall_feedback,
                "documents": [
                    {
                        "name": d.original_name,
                        "type": d.content_type,
                        "size": d.size,
                        "uploaded_at": _iso(d.uploaded_at),
                        "download_url": _download_url("document_download", d.pk) if d.file else None,
                    }
                    for d in application.documents.all()
                ],
                "units": [
                    {"unit": r.unit.code, "verdict": r.verdict, "feedback": r.feedback}
                    for r in application.unit_results.all()
                ],
                "knowledge_tests": [
                    _knowledge_attempt_export(a, questions)
                    for a in sorted(application.knowledge_attempts.all(), key=lambda a: (a.started_at, a.pk))
                ],
                "evidence": [
                    {
                        "unit": e.unit.code,
                        "title": e.title,
                        "kind": e.kind,
                        "url": e.url,
                        "file": e.original_name,
                        "type": e.content_type,
                        "size": e.size,
                        "uploaded_at": _iso(e.uploaded_at),
                        "uploaded_by_you": e.uploaded_by_id == user.pk,
                        "download_url": _download_url("evidence_download", e.pk) if e.file else None,
                    }
                    for e in application.evidence.all()
                ],
                "rubric_scores": [
                    {
                        "unit": s.unit.code,
                        "levels": [
                            {"criterion": rubric_titles.get(int(k)) if str(k).isdigit() else k, "level": v}
                            for k, v in s.levels.items()
                        ],
                        "percent": s.percent,
                        "passed": s.passed,
                        "comment": s.comment,
                    }
                    for s in application.rubric_scores.all()
                ],
                "observations": [
                    {
                        "unit": o.unit.code,
                        "observed_at": _iso(o.observed_at or o.created_at),
                        "marks": [{"criterion": m.criterion.text, "mark": m.mark} for m in o.marks.all()],
                    }
                    for o in application.observations.all()
                ],
                "appeal": (
                    {
                        "reason": appeal.reason,
                        "outcome": appeal.outcome,
                        "response": appeal.response,
                        "created_at": _iso(appeal.created_at),
                        "resolved_at": _iso(appeal.resolved_at),
                    }
                    if appeal is not None
                    else None
                ),
                "history": [{"event": str(e.label), "at": _iso(e.created_at)} for e in application.audit.all()],
            }
        )
    return {"competency_applications": rows} if rows else {}


@transaction.atomic
def candidate_data_erase(*, user_id: int) -> None:
    """After account deletion: remove uploaded files and free text; verdicts stay (certificates rely on them)."""
    applications = Application.objects.filter(candidate_id=user_id)
    files: list[tuple[Any, str]] = []
    for model in (Evidence, ApplicationDocument):
        items = model.objects.filter(application__in=applications)
        files += [(item.file.storage, item.file.name) for item in items if item.file and item.file.name]
        items.delete()

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    # Files go only once the rows are gone for good (a rolled-back deletion keeps them).
    transaction.on_commit(delete_files)
    KnowledgeAttempt.objects.filter(application__in=applications).update(answers={})
    applications.update(experience="")
    Appeal.objects.filter(application__in=applications).update(reason="")
    ConflictOfInterest.objects.filter(candidate_id=user_id).delete()


# --- Certificates in the body's name (story 30: revoke or reissue from the body's own pages) ----------------


def _issued_by_body(certificate: Any, body: Institution) -> Any:
    """The certificate if ``body`` issued it (in its name or its programme's); otherwise PermissionDenied.

    Trainer certificates are decided on the training-of-trainers path (suspension, revocation, reinstatement keep
    the public registry in step), never from here.
    """
    from certification.models import CertificateProgramme
    from certification.selectors import certificate_issued_by

    if not certificate_issued_by(certificate=certificate, institution=body):
        raise PermissionDenied
    if certificate.programme.kind == CertificateProgramme.Kind.TRAINER_QUALIFICATION:
        raise ValidationError(_("Los certificados de facilitador·a se suspenden o revocan en su ruta de formación."))
    return certificate


def _tell_holder(certificate: Any, title: Callable[[], str]) -> None:
    """An in-app notice (e-mailed when they have an address) that leads to «Mis certificados»; never the reason.
    ``title`` is written when called, in the holder's language."""
    from django.urls import reverse

    from courses.cohorts.services import notice_language, notification_send

    with notice_language(certificate.holder):
        notification_send(user=certificate.holder, title=title(), url=reverse("certification:my_certificates"))


def body_certificate_revoke(*, body: Institution, certificate: Any, actor: User, reason: str) -> Any:
    """The body revokes a certificate issued in its name, with a reason for its own record; the holder is told.

    The certificate stays and says «Revocado» on the verification page, the API and the offline verifier.
    """
    from certification.services import CertificateRuleError, certificate_revoke

    _issued_by_body(certificate, body)
    if not reason.strip():
        raise ValidationError(_("Escribe el motivo."))
    try:
        with transaction.atomic():
            revoked = certificate_revoke(certificate=certificate, actor=actor, reason=reason.strip())
            _tell_holder(
                revoked,
                lambda: _("%(issuer)s revocó tu certificado %(code)s.") % {
                    "issuer": revoked.issuer_name, "code": revoked.display_code},
            )  # fmt: skip
    except CertificateRuleError as error:
        raise ValidationError(str(error)) from error
    return revoked


def body_certificate_reissue(*, body: Institution, certificate: Any, actor: User, reason: str, holder_name: str) -> Any:
    """The body replaces a certificate issued in its name (e.g. a corrected name) by a new one with a new code;
    the old code says «Reemplazado» and leads to the new one. The holder is told."""
    from certification.services import CertificateRuleError, certificate_reissue

    _issued_by_body(certificate, body)
    if not reason.strip():
        raise ValidationError(_("Escribe el motivo."))
    if not holder_name.strip():
        raise ValidationError(_("Escribe el nombre tal como debe imprimirse."))
    try:
        with transaction.atomic():
            new = certificate_reissue(
                certificate=certificate, actor=actor, reason=reason.strip(), holder_name=holder_name.strip()
            )
            _tell_holder(
                new,
                lambda: _("%(issuer)s reemplazó tu certificado %(old)s por uno nuevo: %(code)s.") % {
                    "issuer": new.issuer_name, "old": certificate.display_code, "code": new.display_code},
            )  # fmt: skip
    except CertificateRuleError as error:
        raise ValidationError(str(error)) from error
    return new


#: Folders of the private storage that hold candidates' uploads (``upload_to`` of the two file fields).
UPLOAD_FOLDERS = ("competency/documents", "competency/evidence")


def competency_orphan_files_delete(*, older_than: datetime | None = None, dry_run: bool = False) -> list[str]:
    """Delete candidates' uploaded files that no application document or evidence row points to.

    Such files are personal documents nobody can see, download with their data or delete with their account:
    they were left by refused or failed uploads before those were cleaned up as they happen
    (``uploads.removed_if_write_fails``), or by a row deleted without its file. Only files older than
    ``older_than`` (default: a day ago) go, so an upload whose row is still being written is never touched.
    Returns the names deleted (or, with ``dry_run``, that would be).
    """
    storage = private_storage()
    cutoff = older_than or timezone.now() - timedelta(days=1)
    kept = set(ApplicationDocument.objects.exclude(file="").values_list("file", flat=True))
    kept |= set(Evidence.objects.exclude(file="").values_list("file", flat=True))
    orphans: list[str] = []
    for folder in UPLOAD_FOLDERS:
        for name in storage_walk(storage, folder):
            if name in kept:
                continue
            try:
                modified = storage.get_modified_time(name)
            except (OSError, NotImplementedError):
                continue
            if modified < cutoff:
                orphans.append(name)
    if not dry_run:
        uploads.delete_stored(storage, orphans)
    return orphans
