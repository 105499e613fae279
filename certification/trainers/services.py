"""Writes on the trainer certification path (DOMAIN.md §3.1), one service per step:

postulante → en formación → en práctica → recomendado → certificado → (suspendido | revocado);
suspendido → certificado again when an approver reinstates (a new certificate that replaces the suspended one).
A suspension marks the certificate «Suspendido» (its bit in the issuer's suspension status list), not revoked.

Each step checks who may take it and from which state, records a ``PathEvent`` and notifies the trainer.
Nobody oversees their own path: the supervisor, the observer, whoever marks the training done and the approver
(also for suspending, revoking and reinstating) are always someone other than the trainer.
Certificates go through ``certification.services`` (issue and revoke); revoking a trainer never touches the
certificates their participants already hold.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import Certificate, CertificateProgramme
from certification.services import (
    certificate_issue,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from certification.source_keys import source_key_build
from courses.cohorts.models import Cohort
from courses.cohorts.selectors import cohort_courses
from courses.cohorts.services import cohort_member_add, notice_language, notification_send
from courses.models import Enrollment
from lms.accounts.models import ConsentRecord, Institution, User
from lms.accounts.services import consent_record

from . import selectors
from .models import MasterTrainer, PathEvent, PracticeObservation, TrainerPath, TrainerTrack

State = TrainerPath.State


def _move(path: TrainerPath, to_state: str, actor: User | None, note: str = "") -> TrainerPath:
    PathEvent.objects.create(path=path, from_state=path.state, to_state=to_state, actor=actor, note=note)
    path.state = to_state
    path.save()
    with notice_language(path.trainer):
        notification_send(
            user=path.trainer,
            title=_("Tu certificación %(track)s: %(state)s")
            % {"track": path.track.name, "state": path.get_state_display()},
            body=note,
            url=f"/facilitadores/{path.pk}/",
        )
    return path


def _require(path: TrainerPath, *states: str) -> None:
    if path.state not in states:
        raise ValidationError(
            _("Este paso no corresponde al estado actual (%(state)s).") % {"state": path.get_state_display()},
            code="state",
        )


def _refuse_own(path: TrainerPath, actor: User, message: str) -> None:
    """Nobody oversees their own certification, whatever other roles they hold (``selectors.is_own_path``): checked
    after the role, so that the refusal says why to the one person who holds it."""
    if selectors.is_own_path(user=actor, path=path):
        raise ValidationError(message, code="own_path")


def master_trainer_grant(*, user: User, methodology: str, active: bool = True) -> MasterTrainer:
    """Grant (or withdraw) master-trainer status for one methodology."""
    status, _created = MasterTrainer.objects.update_or_create(
        user=user, methodology=methodology, defaults={"active": active}
    )
    return status


@transaction.atomic
def trainer_nominate(
    *,
    trainer: User,
    track: TrainerTrack,
    institution: Institution,
    actor: User,
    supervisor: User | None = None,
    commitment_letter: bool = False,
) -> TrainerPath:
    """An institution admin nominates one of its people as applicant for one track (once per person and track)."""
    if not selectors.can_nominate(user=actor, institution=institution):
        raise PermissionDenied(_("Solo la administración de la institución puede postular."))
    if supervisor is not None and not selectors.is_master_trainer(user=supervisor, methodology=track.methodology):
        raise ValidationError(_("La persona supervisora debe ser master trainer de %(m)s.") % {"m": track.methodology})
    if supervisor is not None and supervisor.pk == trainer.pk:
        message = _("La o el master trainer que supervisa debe ser otra persona: nadie supervisa su propia práctica.")
        raise ValidationError({"supervisor": ValidationError(message, code="own_path")})
    path, created = TrainerPath.objects.get_or_create(
        trainer=trainer,
        track=track,
        defaults={"institution": institution, "supervisor": supervisor, "commitment_letter": commitment_letter},
    )
    if not created:
        raise ValidationError(_("Esta persona ya tiene una ruta de certificación en %(t)s.") % {"t": track.name})
    PathEvent.objects.create(path=path, to_state=State.APPLICANT, actor=actor, note=_("Postulación"))
    with notice_language(trainer):
        notification_send(
            user=trainer,
            title=_("Te postularon a la certificación de facilitadores %(track)s") % {"track": track.name},
            url=f"/facilitadores/{path.pk}/",
        )
    return path


@transaction.atomic
def trainer_training_start(*, path: TrainerPath, tot_cohort: Cohort, actor: User) -> TrainerPath:
    """The applicant joins a training-of-trainers cohort (of the track's ToT course, when one is set)."""
    _require(path, State.APPLICANT)
    if not (
        selectors.can_nominate(user=actor, institution=path.institution)
        or selectors.can_approve(user=actor, track=path.track)
    ):
        raise PermissionDenied
    if not selectors.cohort_fits_training(cohort=tot_cohort, track=path.track):
        if path.track.tot_course_id:
            raise ValidationError(_("Ese grupo no dicta el curso de formación de facilitadores de esta ruta."))
        raise ValidationError(_("Ese grupo no dicta un curso de la metodología %(m)s.") % {"m": path.track.methodology})
    cohort_member_add(cohort=tot_cohort, user=path.trainer)
    path.tot_cohort = tot_cohort
    return _move(path, State.IN_TRAINING, actor, _("Inscrita o inscrito en %(c)s") % {"c": tot_cohort.name})


def trainer_training_complete(*, path: TrainerPath, actor: User | None = None) -> TrainerPath:
    """Completing the training-of-trainers course moves the trainer to practice."""
    _require(path, State.IN_TRAINING)
    if (
        path.track.tot_course_id
        and not Enrollment.objects.filter(
            user=path.trainer, course_id=path.track.tot_course_id, completed_at__isnull=False
        ).exists()
    ):
        raise ValidationError(_("Aún no completa el curso de formación de facilitadores."))
    return _move(path, State.IN_PRACTICE, actor, _("Completó la formación de facilitadores"))


@transaction.atomic
def trainer_training_mark_complete(*, path: TrainerPath, actor: User) -> TrainerPath:
    """Record that the training of trainers was completed, for a track whose training is not a Ruta course (with
    one, completing the course does it): the supervising master trainer, the nominating institution's admins or
    the approvers may; the next step is the same as the course's (en práctica)."""
    _require(path, State.IN_TRAINING)
    if not selectors.can_mark_training_complete(user=actor, path=path):  # never the trainee (is_own_path)
        raise PermissionDenied
    if path.track.tot_course_id:
        raise ValidationError(_("La formación se completa al terminar el curso %(c)s.") % {"c": path.track.tot_course})
    return trainer_training_complete(path=path, actor=actor)


def trainer_paths_on_course_completed(*, enrollment) -> int:
    """A completed enrolment in a track's ToT course moves that person's paths in training to practice."""
    moved = 0
    for path in TrainerPath.objects.filter(
        trainer_id=enrollment.user_id, state=State.IN_TRAINING, track__tot_course_id=enrollment.course_id
    ).select_related("track", "trainer"):
        trainer_training_complete(path=path)
        moved += 1
    return moved


@transaction.atomic
def trainer_practice_link(*, path: TrainerPath, cohort: Cohort, actor: User) -> TrainerPath:
    """Link the practice cohort: one the trainer teaches, delivering the track's practice course when one is set."""
    _require(path, State.IN_PRACTICE)
    if actor.pk not in (path.trainer_id, path.supervisor_id) and not selectors.can_nominate(
        user=actor, institution=path.institution
    ):
        raise PermissionDenied
    if not cohort.trainer_links.filter(user=path.trainer).exists():
        raise ValidationError(_("La persona debe facilitar el grupo de práctica."))
    if path.track.practice_course_id and path.track.practice_course_id not in {c.pk for c in cohort_courses(cohort)}:
        raise ValidationError(_("El grupo de práctica debe dictar el curso %(c)s.") % {"c": path.track.practice_course})
    path.practice_cohort = cohort
    path.save(update_fields=["practice_cohort", "updated_at"])
    PathEvent.objects.create(
        path=path,
        from_state=path.state,
        to_state=path.state,
        actor=actor,
        note=_("Grupo de práctica: %(c)s") % {"c": cohort.name},
    )
    return path


@transaction.atomic
def trainer_observation_record(
    *, path: TrainerPath, observer: User, items: Mapping[str, bool], comments: str, recommended: bool
) -> PracticeObservation:
    """The supervising master trainer (of this methodology) fills the checklist once the practice cohort has
    enough completions; recommending moves the path to «recomendado», and needs every checklist item met
    (``selectors.checklist_unmet``; refused otherwise, nothing recorded).

    A path recommended on an observation that left items unmet (recorded before that rule) is observed again:
    recommending with the checklist met keeps it «recomendado» (now approvable), not recommending takes it back
    to «en práctica»."""
    if not selectors.may_observe_now(path=path):
        _require(path, State.IN_PRACTICE)
    if observer.pk != path.supervisor_id or not selectors.is_master_trainer(
        user=observer, methodology=path.track.methodology
    ):
        raise PermissionDenied(_("Solo la o el master trainer que supervisa puede observar la práctica."))
    _refuse_own(
        path,
        observer,
        _("No puedes observar ni recomendar tu propia práctica: debe hacerlo otra u otro master trainer."),
    )
    if not path.practice_cohort_id:
        raise ValidationError(_("Primero hay que vincular el grupo de práctica."))
    status = selectors.practice_status(path=path)
    if not status.met:
        raise ValidationError(
            _("El grupo de práctica necesita %(required)s participantes que completen el curso (van %(done)s).")
            % {"required": status.required, "done": status.completions}
        )
    checklist = {label: bool(items.get(label)) for label in path.track.checklist}
    unmet = selectors.checklist_unmet(items=checklist, checklist=path.track.checklist)
    if recommended and unmet:
        raise ValidationError(
            _(
                "Para recomendar la certificación, la práctica debe cumplir toda la lista de observación. "
                "No marcaste: %(items)s."
            )
            % {"items": "; ".join(unmet)},
            code="checklist_unmet",
        )
    observation = PracticeObservation.objects.create(
        path=path, observer=observer, items=checklist, comments=comments, recommended=recommended
    )
    if recommended:
        _move(path, State.RECOMMENDED, observer, comments)
    elif path.state == State.RECOMMENDED:
        _move(path, State.IN_PRACTICE, observer, comments or _("La práctica aún no cumple la lista de observación."))
    else:
        PathEvent.objects.create(
            path=path, from_state=path.state, to_state=path.state, actor=observer, note=comments or _("Observación")
        )
    return observation


def _programme_for(track: TrainerTrack) -> CertificateProgramme:
    if track.programme is not None:
        return track.programme
    programme, _created = CertificateProgramme.objects.get_or_create(
        slug=f"facilitador-{track.slug}"[:80],
        defaults={
            "name": _("Facilitador·a certificado·a — %(t)s") % {"t": track.name},
            "kind": CertificateProgramme.Kind.TRAINER_QUALIFICATION,
            "title": _("Facilitador·a certificado·a en %(t)s") % {"t": track.name},
            "reference": track.name,
            "auto_issue": False,
            "issuer": track.certifying_institution,
        },
    )
    track.programme = programme
    track.save(update_fields=["programme"])
    return programme


@transaction.atomic
def trainer_certify(*, path: TrainerPath, approver: User, render: bool = True) -> Certificate:
    """An authorised admin of the certifying institution approves a recommended trainer: Ruta issues the
    certified-trainer certificate (once per trainer and track) and the path becomes «certificado»."""
    _require(path, State.RECOMMENDED)
    if not selectors.can_approve(user=approver, track=path.track):
        raise PermissionDenied(_("Solo la OIT o la institución dueña de la metodología puede aprobar."))
    _refuse_own(
        path,
        approver,
        _("No puedes aprobar tu propia certificación: debe aprobarla otra persona de la institución certificadora."),
    )
    unmet = selectors.recommendation_unmet(path=path)
    if unmet:
        raise ValidationError(
            _(
                "No se puede aprobar: la observación de la práctica no cumple toda la lista (falta: %(items)s). "
                "La o el master trainer que supervisa debe observar la práctica de nuevo."
            )
            % {"items": "; ".join(unmet)},
            code="checklist_unmet",
        )
    certificate = _certify(path, approver, source_key_build("trainer", path.trainer_id, path.track.slug), render)
    _move(path, State.CERTIFIED, approver, _("Certificado %(code)s") % {"code": certificate.display_code})
    return certificate


def _certify(path: TrainerPath, actor: User, source_key: str, render: bool) -> Certificate:
    """Issue the certified-trainer certificate under ``source_key`` and attach it to the path."""
    supervisor = path.supervisor.printed_name if path.supervisor is not None else ""
    certificate = certificate_issue(
        holder=path.trainer,
        programme=_programme_for(path.track),
        source_key=source_key,
        achievement=_("Facilitador·a certificado·a en %(t)s") % {"t": path.track.name},
        trainer_name=supervisor,  # the chain: ILO → master trainer → sub-module
        issuer=path.track.certifying_institution,
        actor=actor,
        render=render,
    )
    path.certificate = certificate
    path.certified_at = timezone.now()
    path.status_reason = ""
    return certificate


@transaction.atomic
def trainer_certification_withdraw(
    *, path: TrainerPath, actor: User, reason: str, suspend: bool = False
) -> TrainerPath:
    """Suspend or revoke a certified trainer (an approver's decision, with a reason): their own certificate is
    revoked and the registry shows the status. Certificates already issued to their participants stay valid."""
    _require(path, State.CERTIFIED, State.SUSPENDED)
    if not selectors.can_approve(user=actor, track=path.track):
        raise PermissionDenied
    _refuse_own(path, actor, _("No puedes suspender ni revocar tu propia certificación: lo decide otra persona."))
    if not reason.strip():
        raise ValidationError(_("Escribe el motivo."))
    current = path.certificate
    if current is not None and current.revoked_at is None:
        if suspend and not current.suspended_at:
            # A suspension is its own status (and bit in the issuer's suspension list), not a revocation.
            certificate_suspend(certificate=current, actor=actor, reason=reason)
        elif not suspend:
            certificate_revoke(certificate=current, actor=actor, reason=reason)
    path.status_reason = reason
    return _move(path, State.SUSPENDED if suspend else State.REVOKED, actor, reason)


@transaction.atomic
def trainer_certification_reinstate(*, path: TrainerPath, actor: User, reason: str) -> Certificate:
    """Lift a suspension (an approver's decision, with a reason). The suspended certificate is replaced by a new
    one with a new code (``certificate_reissue``): its code now says «Reemplazado» and links to the new one, and
    the registry shows the trainer as certified again. A revocation is final and cannot be reinstated."""
    _require(path, State.SUSPENDED)
    if not selectors.can_approve(user=actor, track=path.track):
        raise PermissionDenied
    _refuse_own(path, actor, _("No puedes levantar la suspensión de tu propia certificación: lo decide otra persona."))
    if not reason.strip():
        raise ValidationError(_("Escribe el motivo."))
    suspended = path.certificate
    if suspended is None or suspended.revoked_at is not None or suspended.replaced_by_id:
        raise ValidationError(_("El certificado suspendido ya no está vigente; no se puede restablecer."))
    # Replaced, not un-suspended: a trainer credential that ended keeps its suspension bit for good
    # (certification/README.md), and the old code leads an employer to the current certificate.
    certificate = certificate_reissue(
        certificate=suspended, actor=actor, reason=reason.strip(), holder_name=suspended.holder_name
    )
    path.certificate = certificate
    path.status_reason = ""
    _move(path, State.CERTIFIED, actor, _("Restablecida: %(r)s. Certificado %(code)s") % {
        "r": reason.strip(), "code": certificate.display_code})  # fmt: skip
    return certificate


@transaction.atomic
def trainer_supervisor_change(*, path: TrainerPath, supervisor: User, actor: User, reason: str) -> TrainerPath:
    """Replace the path's supervising master trainer (one who left, was deactivated or is unavailable, or the
    trainer herself on a path nominated before that was refused), with a reason: an approver of the track or an
    admin of the nominating institution (``selectors.may_change_supervisor``), never the trainer; only until the
    practice is recommended (``selectors.supervisor_change_closed``). The new supervisor must be an active master
    trainer of the track's methodology and someone other than the trainer. The history records who changed it,
    from whom to whom and why (the state stays); the former supervisor keeps no access that came only from
    supervising, the new one finds the path among those they supervise. The trainer and the new supervisor are told.
    """
    if not selectors.may_change_supervisor(user=actor, path=path):
        if selectors.is_own_path(user=actor, path=path) and (
            selectors.can_approve(user=actor, track=path.track)
            or selectors.can_nominate(user=actor, institution=path.institution)
        ):
            raise ValidationError(
                _("No puedes cambiar la supervisión de tu propia ruta: lo decide otra persona."), code="own_path"
            )
        raise PermissionDenied(
            _(
                "Solo la institución certificadora o la administración de la institución que postula puede cambiar "
                "a la o el master trainer que supervisa."
            )
        )
    closed = selectors.supervisor_change_closed(path=path)
    if closed:
        raise ValidationError(closed, code="state")
    if supervisor.pk == path.trainer_id:
        message = _("La o el master trainer que supervisa debe ser otra persona: nadie supervisa su propia práctica.")
        raise ValidationError({"supervisor": ValidationError(message, code="own_path")})
    if not supervisor.is_active or not selectors.is_master_trainer(user=supervisor, methodology=path.track.methodology):
        message = _("La persona supervisora debe ser master trainer vigente de %(m)s.") % {"m": path.track.methodology}
        raise ValidationError({"supervisor": ValidationError(message, code="not_master")})
    if supervisor.pk == path.supervisor_id:
        message = _("%(name)s ya supervisa esta ruta.") % {"name": supervisor.printed_name}
        raise ValidationError({"supervisor": ValidationError(message, code="same")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("Escribe el motivo del cambio."), code="required")})
    previous = path.supervisor.printed_name if path.supervisor is not None else "—"
    path.supervisor = supervisor
    path.save(update_fields=["supervisor", "updated_at"])
    note = _("Cambio de master trainer que supervisa: %(old)s → %(new)s. Motivo: %(reason)s") % {
        "old": previous,
        "new": supervisor.printed_name,
        "reason": reason,
    }
    PathEvent.objects.create(path=path, from_state=path.state, to_state=path.state, actor=actor, note=note)
    url = f"/facilitadores/{path.pk}/"
    with notice_language(path.trainer):
        notification_send(
            user=path.trainer,
            title=_("Tu certificación %(track)s: ahora te supervisa %(name)s")
            % {"track": path.track.name, "name": supervisor.printed_name},
            url=url,
        )
    with notice_language(supervisor):
        notification_send(
            user=supervisor,
            title=_("Ahora supervisas la certificación %(track)s de %(name)s")
            % {"track": path.track.name, "name": path.trainer.printed_name},
            body=reason,
            url=url,
        )
    return path


def trainer_paths_on_account_deleted(*, user_id: int) -> int:
    """A trainer deleted her account: her paths leave the public registry (a withdrawal of her registry consent,
    appended like any other decision; the earlier records stay as the audit of what she agreed to). Her certificate
    is withdrawn by ``certification.services.certificates_withdraw_for_deleted_holder``. Idempotent; returns 1 when
    a withdrawal was recorded."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not TrainerPath.objects.filter(trainer=user).exists():
        return 0
    latest = ConsentRecord.objects.filter(user=user, purpose=ConsentRecord.Purpose.REGISTRY).first()
    if latest is None or not latest.granted:
        return 0
    consent_record(user=user, purpose=ConsentRecord.Purpose.REGISTRY, granted=False, text_version=latest.text_version)
    return 1
