"""Writes for certificates: issue (the one way, idempotent on a source key), sign, revoke, re-issue, render,
bulk issue and expiry reminders. Every issuer — courses' completion signal, staff, trainers, competency —
calls ``certificate_issue``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import Institution, User

from . import signing
from .codes import code_generate
from .models import (
    BulkIssueJob,
    Certificate,
    CertificateEvent,
    CertificateNotice,
    CertificateProgramme,
    SigningKey,
)
from .source_keys import source_key_build, source_key_origin

logger = logging.getLogger(__name__)


class CertificateRuleError(ValueError):
    """The request breaks a certification rule (e.g. revoking a certificate twice)."""


# --- Public fields and signatures ---------------------------------------------------------------------------


def certificate_public_fields(*, certificate: Certificate) -> dict[str, Any]:
    """The fields the signature covers (and the QR carries): short keys, empty values left out."""
    fields: dict[str, Any] = {
        "v": signing.PAYLOAD_VERSION,
        "c": certificate.code,
        "n": certificate.holder_name,
        "a": certificate.achievement,
        "i": certificate.issuer_name,
        "d": certificate.issued_on.isoformat(),
        "k": certificate.kid,
    }
    if certificate.hours:
        fields["h"] = int(certificate.hours)
    if certificate.competency_units:
        fields["u"] = [str(unit) for unit in certificate.competency_units]
    if certificate.trainer_name:
        fields["t"] = certificate.trainer_name
    if certificate.expires_on:
        fields["e"] = certificate.expires_on.isoformat()
    return fields


def certificate_payload(*, certificate: Certificate) -> bytes:
    """The canonical bytes the signature covers (see README: sorted compact JSON, UTF-8)."""
    return signing.signable_json(certificate_public_fields(certificate=certificate))


def signing_key_register(*, pair: signing.SigningKeyPair) -> None:
    """Record a signing key's public half the first time it signs, so it stays verifiable after rotation."""
    SigningKey.objects.get_or_create(
        kid=pair.kid, defaults={"public_key": signing.b64url_encode(signing.raw_public_bytes(pair.public_key))}
    )


def public_key_get(*, kid: str):
    """The public key for ``kid``: from the configured key files, else from the recorded keys (None if unknown)."""
    pair = signing.keyring().keys.get(kid)
    if pair is not None:
        return pair.public_key
    row = SigningKey.objects.filter(kid=kid).first()
    if row is None:
        return None
    return signing.public_key_from_raw(signing.b64url_decode(row.public_key))


def public_keys_list() -> list[tuple[str, Any]]:
    """Every public key that ever signed plus the configured ones, active key first: the one source of both the
    JWKS and the issuer profiles' verification methods."""
    ring = signing.keyring()
    keys = {ring.active.kid: ring.active.public_key}
    for kid, pair in ring.keys.items():
        keys.setdefault(kid, pair.public_key)
    for row in SigningKey.objects.all():
        if row.kid not in keys:
            keys[row.kid] = signing.public_key_from_raw(signing.b64url_decode(row.public_key))
    return list(keys.items())


def jwks_get() -> dict[str, list[dict[str, str]]]:
    """Every public key that ever signed plus the configured ones, as a JWK Set (active key first)."""
    return {"keys": [signing.public_jwk(public_key, kid) for kid, public_key in public_keys_list()]}


def issuer_profile_get(*, institution: Institution) -> dict[str, Any]:
    """The institution's OB 3.0 issuer profile listing Ruta's keys as its verification methods."""
    from .openbadges import issuer_profile_build

    signing_key_register(pair=signing.keyring().active)
    return issuer_profile_build(institution=institution, keys=public_keys_list())


def certificate_signature_valid(*, certificate: Certificate) -> bool:
    """True when the stored signature matches the certificate's current public fields under its key id."""
    public_key = public_key_get(kid=certificate.kid)
    if public_key is None:
        return False
    try:
        signature = signing.b64url_decode(certificate.signature)
    except ValueError:
        return False
    return signing.verify(certificate_payload(certificate=certificate), signature, public_key)


def _sign(certificate: Certificate) -> None:
    pair = signing.keyring().active
    signing_key_register(pair=pair)
    certificate.kid = pair.kid
    certificate.signature = signing.b64url_encode(signing.sign(certificate_payload(certificate=certificate), pair))


def certificate_verify_url(*, certificate: Certificate) -> str:
    return settings.RUTA_BASE_URL + reverse("certification:verify", args=[certificate.code])


def certificate_qr_url(*, certificate: Certificate) -> str:
    """The URL the QR carries: the verification page, with the signed public fields in the fragment."""
    fragment = signing.qr_fragment(
        certificate_public_fields(certificate=certificate), signing.b64url_decode(certificate.signature)
    )
    return f"{certificate_verify_url(certificate=certificate)}#{fragment}"


# --- Issuing ------------------------------------------------------------------------------------------------


def _latest(certificate: Certificate) -> Certificate:
    for _hop in range(50):
        replacement = certificate.replaced_by if certificate.replaced_by_id else None
        if replacement is None:
            break
        certificate = replacement
    return certificate


#: The largest ``Certificate.status_index`` the database holds (a PositiveIntegerField).
STATUS_INDEX_MAX = 2**31 - 1


def status_index_allocate() -> int:
    """A random free position in the status lists (herd privacy: neighbours in a list are unrelated people).

    Lists stay at most a quarter full; a collision with a concurrent issue fails the insert, which retries.
    """
    import secrets

    from .statuslist import LIST_SIZE

    space = LIST_SIZE * (1 + Certificate.objects.count() // (LIST_SIZE // 4))
    index = secrets.randbelow(space)
    for _attempt in range(20):
        if not Certificate.objects.filter(status_index=index).exists():
            break
        index = secrets.randbelow(space)
    return index


def _holder_salt() -> str:
    import secrets

    return secrets.token_hex(16)


def certificate_issue(
    *,
    holder: User,
    programme: CertificateProgramme,
    source_key: str,
    achievement: str = "",
    hours: int | None = None,
    competency_units: Iterable[str] = (),
    trainer_name: str = "",
    issuer: Institution | None = None,
    issued_on: datetime.date | None = None,
    actor: User | None = None,
    render: bool = True,
) -> Certificate:
    """Issue one signed certificate per ``source_key``; a repeated call (retry, second signal) returns the first.

    ``source_key`` names what earned it (``enrollment:42``, ``trainer:7:IMESUN-GIN``; built by
    ``source_keys.source_key_build``).
    Empty ``achievement``/``hours``/``issuer`` fall back to the programme's. If the first certificate was
    re-issued, the current replacement is returned. The PDF is rendered by a task after commit.
    """
    existing = Certificate.objects.filter(source_key=source_key).select_related("replaced_by").first()
    if existing is not None:
        return _latest(existing)
    issuer = issuer or programme.issuer
    issued_on = issued_on or timezone.localdate()
    issuer_names = [issuer.name] + [i.name for i in programme.co_issuers.exclude(pk=issuer.pk)]
    for _attempt in range(3):
        certificate = Certificate(
            code=code_generate(),
            source_key=source_key,
            programme=programme,
            holder=holder,
            holder_name=holder.certificate_name,  # never the username
            achievement=achievement or programme.title,
            hours=hours if hours is not None else programme.hours,
            competency_units=[str(unit) for unit in competency_units],
            trainer_name=trainer_name,
            issuer=issuer,
            issuer_name=" · ".join(issuer_names),
            issued_on=issued_on,
            expires_on=programme.expiry_for(issued_on),
            status_index=status_index_allocate(),
            holder_salt=_holder_salt(),
        )
        _sign(certificate)
        try:
            with transaction.atomic():
                certificate.save(force_insert=True)
                CertificateEvent.objects.create(
                    certificate=certificate, action=CertificateEvent.Action.ISSUED, actor=actor
                )
        except IntegrityError:
            # Another worker issued for the same source meanwhile (or, vanishingly rarely, the code collided).
            existing = Certificate.objects.filter(source_key=source_key).first()
            if existing is not None:
                return _latest(existing)
            continue
        if render:
            _render_after_commit(certificate)
        return certificate
    raise IntegrityError("could not allocate a unique certificate code")


def _render_after_commit(certificate: Certificate) -> None:
    from .tasks import certificate_render_pdf_task

    # robust: a rendering failure must not turn the learner's completed lesson into an error page; the PDF is
    # rendered on demand at download time if the task did not store it.
    certificate_pk = certificate.pk
    transaction.on_commit(lambda: certificate_render_pdf_task.delay(certificate_pk), robust=True)


def programme_for_enrollment(*, enrollment: Any) -> CertificateProgramme | None:
    """The active auto-issuing programme attached to the enrolment's course whose rule the enrolment meets."""
    programmes = (
        CertificateProgramme.objects.filter(
            course_id=getattr(enrollment, "course_id", None), is_active=True, auto_issue=True
        )
        .exclude(kind=CertificateProgramme.Kind.LEARNING_PATH)
        .order_by("pk")
    )
    score = getattr(enrollment, "score", None)
    for programme in programmes:
        if programme.min_score is None:
            return programme
        if score is not None and float(score) >= programme.min_score:
            return programme
    return None


def certificate_issue_for_enrollment(
    *, enrollment: Any, programme: CertificateProgramme | None = None, actor: User | None = None
) -> Certificate | None:
    """Issue the course certificate for a completed enrolment when a programme's rule holds (one per enrolment).

    The cohort's trainer is printed only if certified (a current trainer-qualification certificate).
    """
    programme = programme or programme_for_enrollment(enrollment=enrollment)
    if programme is None:
        return None
    from courses.cohorts.selectors import trainer_name_for_enrollment

    from .selectors import trainer_is_certified

    # Only a trainer who holds a current trainer-qualification certificate is printed as certified.
    trainer = trainer_name_for_enrollment(enrollment) or ""
    if trainer and not trainer_is_certified(name=trainer):
        trainer = ""
    return certificate_issue(
        holder=enrollment.user,
        programme=programme,
        source_key=source_key_build("enrollment", enrollment.pk),
        trainer_name=trainer,
        actor=actor,
    )


def certificates_issue_for_learning_paths(*, enrollment: Any) -> list[Certificate]:
    """Issue each learning-path certificate whose path (a page above the course) the learner has now finished.

    A path is finished when every live course page under the programme's page has a completed enrolment of
    the learner. One certificate per (path programme, learner): source key ``path:<programme id>:user:<id>``.
    """
    from wagtail.models import Page

    from courses.models import CoursePage, Enrollment

    ancestor_ids = Page.objects.ancestor_of(enrollment.course).values_list("pk", flat=True)
    programmes = CertificateProgramme.objects.filter(
        kind=CertificateProgramme.Kind.LEARNING_PATH, is_active=True, auto_issue=True, course_id__in=ancestor_ids
    ).select_related("course")
    issued = []
    for programme in programmes:
        course_ids = set(CoursePage.objects.live().descendant_of(programme.course).values_list("pk", flat=True))
        done = set(
            Enrollment.objects.filter(
                user_id=enrollment.user_id, course_id__in=course_ids, completed_at__isnull=False
            ).values_list("course_id", flat=True)
        )
        if course_ids and done == course_ids:
            issued.append(
                certificate_issue(
                    holder=enrollment.user,
                    programme=programme,
                    source_key=source_key_build("path", programme.pk, "user", enrollment.user_id),
                )
            )
    return issued


#: Seconds before a certificate that could not be issued at completion is tried again (then with backoff).
COMPLETION_RETRY_SECONDS = 30


def certificates_issue_for_completion(*, enrollment: Any, retry_later: bool = True) -> list[Certificate]:
    """On a completed course: its course certificate (if a programme's rule holds) and any finished paths'.

    A failure here (the database busy, storage or a signing key missing) is logged and never undoes the learner's
    completion. The completion signal is sent once, so the issue is tried again after the learner's transaction
    commits, by a task (``certificates_issue_for_completion_task``, a few times with backoff); issuing is
    idempotent (one certificate per source), and staff can still repair what stays missing with a bulk issue.
    """
    try:
        return certificates_issue_for_completion_strict(enrollment=enrollment)
    except Exception:
        logger.exception("Could not issue certificates for enrollment %s", getattr(enrollment, "pk", None))
        enrollment_pk = getattr(enrollment, "pk", None)
        if retry_later and enrollment_pk is not None:
            from .tasks import certificates_issue_for_completion_task

            transaction.on_commit(
                lambda: certificates_issue_for_completion_task.apply_async(
                    (enrollment_pk,), countdown=COMPLETION_RETRY_SECONDS
                ),
                robust=True,
            )
        return []


def certificates_issue_for_completion_strict(*, enrollment: Any) -> list[Certificate]:
    """``certificates_issue_for_completion`` that lets a failure raise (for the retrying task)."""
    with transaction.atomic():
        certificates = []
        course_certificate = certificate_issue_for_enrollment(enrollment=enrollment)
        if course_certificate is not None:
            certificates.append(course_certificate)
        return certificates + certificates_issue_for_learning_paths(enrollment=enrollment)


# --- Lifecycle ----------------------------------------------------------------------------------------------


def certificate_revoke(*, certificate: Certificate, actor: User | None, reason: str) -> Certificate:
    """Revoke a certificate: it keeps existing and says «Revocado» with the date; the reason goes to the audit log."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at:
            raise CertificateRuleError(_("Este certificado ya estaba revocado."))
        certificate.revoked_at = timezone.now()
        certificate.save(update_fields=["revoked_at"])
        CertificateEvent.objects.create(
            certificate=certificate, action=CertificateEvent.Action.REVOKED, actor=actor, reason=reason
        )
    return certificate


#: The reason recorded (in the audit log, never public) when a certificate is withdrawn because its holder deleted
#: their account. Stored data in the project's source language, like every reason staff type.
HOLDER_DELETED_REASON = "La persona titular eliminó su cuenta"


def certificates_withdraw_for_deleted_holder(*, user_id: int) -> int:
    """After an account deletion: withdraw each of the person's certificates and erase her data from them.

    Every certificate not yet revoked is revoked with ``certificate_revoke`` (reason ``HOLDER_DELETED_REASON``, no
    actor), so the status lists, the revocation list, the API and the offline verifier say it is no longer valid and
    an old printed copy or credential stops verifying as valid. On all of them (revoked before, replaced or
    suspended too) the printed name, the wallet DID and the credential's name salt are erased, the stored PDF and
    PNG (which print her name) are deleted after the commit, and her wallet offers and certificate notices go. The
    row itself stays (code, programme, achievement, issuer, dates, key id, signature, status index) with its audit
    log: revoking never deletes a certificate. Returns how many were revoked now; idempotent (a second call revokes
    nothing and finds nothing left to erase).
    """
    from .models import WalletOffer

    revoked = 0
    files: list[tuple[Any, str]] = []
    with transaction.atomic():
        certificates = list(Certificate.objects.select_for_update().filter(holder_id=user_id).order_by("pk"))
        for certificate in certificates:
            if certificate.revoked_at is None:
                certificate_revoke(certificate=certificate, actor=None, reason=HOLDER_DELETED_REASON)
                revoked += 1
        for certificate in Certificate.objects.filter(holder_id=user_id).order_by("pk"):
            stored = [(f.storage, f.name) for f in (certificate.pdf, certificate.image) if f and f.name]
            files += stored
            if not (certificate.holder_name or certificate.holder_did or certificate.holder_salt or stored):
                continue
            certificate.holder_name = ""
            certificate.holder_did = ""
            certificate.holder_salt = ""
            certificate.pdf = ""
            certificate.image = ""
            # save(), not update(): post_save refreshes the cached public verification answers.
            certificate.save(update_fields=["holder_name", "holder_did", "holder_salt", "pdf", "image"])
        WalletOffer.objects.filter(certificate__holder_id=user_id).delete()
        CertificateNotice.objects.filter(user_id=user_id).delete()

        def delete_files() -> None:
            for storage, name in files:
                storage.delete(name)

        # The files go once the erasure is committed (a rolled-back deletion keeps them).
        transaction.on_commit(delete_files)
    return revoked


def certificate_suspend(*, certificate: Certificate, actor: User | None, reason: str) -> Certificate:
    """Suspend a trainer certificate (a temporary withdrawal): it says «Suspendido» and its suspension bit is set."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().select_related("programme").get(pk=certificate.pk)
        if certificate.programme.kind != CertificateProgramme.Kind.TRAINER_QUALIFICATION:
            raise CertificateRuleError(_("Solo un certificado de facilitador·a se puede suspender."))
        if certificate.revoked_at or certificate.replaced_by_id:
            raise CertificateRuleError(_("Este certificado ya no está vigente."))
        if certificate.suspended_at:
            raise CertificateRuleError(_("Este certificado ya estaba suspendido."))
        certificate.suspended_at = timezone.now()
        certificate.save(update_fields=["suspended_at"])
        CertificateEvent.objects.create(
            certificate=certificate, action=CertificateEvent.Action.SUSPENDED, actor=actor, reason=reason
        )
    return certificate


def holder_did_normalize(did: str) -> str:
    """The bare Ed25519 ``did:key`` that ``did`` names ("" for blank); CertificateRuleError for any other DID."""
    from .exchange import ed25519_did_key

    did = did.strip()
    if not did:
        return ""
    try:
        return ed25519_did_key(did)
    except ValueError as error:
        raise CertificateRuleError(
            _(
                "Ruta solo vincula un DID did:key de clave Ed25519 (empieza con «did:key:z6Mk»); otros DID "
                "(did:web, did:example, claves de otro tipo) no se aceptan."
            )
        ) from error


def certificate_holder_did_set(*, certificate: Certificate, user: User, did: str) -> Certificate:
    """Bind the holder's own credential to the DID their wallet gave them (only the holder may; blank unbinds).

    The DID goes only into the Open Badges credential (``credentialSubject.id``); the printed certificate, its
    QR and its signature do not change. Only an Ed25519 ``did:key`` (the one kind the wallet exchange accepts)
    is bound: typed by hand it is not proven to be the holder's, but it can name no website or other party.
    """
    if certificate.holder_id != user.pk:
        raise CertificateRuleError(_("Solo la persona titular puede vincular su credencial."))
    certificate.holder_did = holder_did_normalize(did)
    certificate.save(update_fields=["holder_did"])
    return certificate


def certificate_reissue(
    *, certificate: Certificate, actor: User | None, reason: str, holder_name: str | None = None
) -> Certificate:
    """Replace a certificate (e.g. after a name correction) by a new one with a new code; the old code points to it.

    The new certificate keeps the achievement, hours, units, trainer, issuer and dates of the old one.
    """
    with transaction.atomic():
        old = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if old.replaced_by_id:
            raise CertificateRuleError(_("Este certificado ya fue reemplazado."))
        if old.revoked_at:
            raise CertificateRuleError(_("Un certificado revocado no se puede reemitir."))
        origin = source_key_origin(old.source_key)
        generation = Certificate.objects.filter(source_key__startswith=origin).count()
        new = Certificate(
            code=code_generate(),
            source_key=source_key_build(origin, reissue=generation + 1),
            programme=old.programme,
            holder=old.holder,
            holder_name=holder_name or old.holder.printed_name,
            achievement=old.achievement,
            hours=old.hours,
            competency_units=old.competency_units,
            trainer_name=old.trainer_name,
            issuer=old.issuer,
            issuer_name=old.issuer_name,
            issued_on=old.issued_on,
            expires_on=old.expires_on,
            status_index=status_index_allocate(),
            holder_salt=_holder_salt(),
            holder_did=old.holder_did,
        )
        _sign(new)
        new.save(force_insert=True)
        old.replaced_by = new
        old.save(update_fields=["replaced_by"])
        CertificateEvent.objects.create(
            certificate=old, action=CertificateEvent.Action.REISSUED, actor=actor, reason=reason
        )
        CertificateEvent.objects.create(
            certificate=new, action=CertificateEvent.Action.ISSUED, actor=actor, reason=reason
        )
    _render_after_commit(new)
    return new


def certificate_render(*, certificate: Certificate) -> Certificate:
    """Render the certificate's PDF and share image (both with the QR) and store them through Django storage."""
    from .rendering import certificate_image_bytes, certificate_pdf_bytes

    qr_url = certificate_qr_url(certificate=certificate)
    pdf = certificate_pdf_bytes(certificate=certificate, qr_url=qr_url)
    image = certificate_image_bytes(certificate=certificate, qr_url=qr_url)
    if certificate.pdf:
        certificate.pdf.delete(save=False)
    if certificate.image:
        certificate.image.delete(save=False)
    certificate.pdf.save(f"{certificate.code}.pdf", ContentFile(pdf), save=False)
    certificate.image.save(f"{certificate.code}.png", ContentFile(image), save=False)
    with transaction.atomic():
        certificate.save(update_fields=["pdf", "image"])
        CertificateEvent.objects.create(certificate=certificate, action=CertificateEvent.Action.RENDERED)
    return certificate


def certificate_render_if_missing(*, certificate: Certificate) -> Certificate:
    """Render now when the background task has not stored the files yet (e.g. the worker is behind)."""
    if certificate.pdf.name and certificate.image.name and certificate.pdf.storage.exists(certificate.pdf.name):
        return certificate
    return certificate_render(certificate=certificate)


# --- Bulk issue ---------------------------------------------------------------------------------------------


def bulk_issue_job_create(
    *, programme: CertificateProgramme, actor: User | None, enrollment_ids: list[int]
) -> BulkIssueJob:
    """Queue a batch issue for these enrolments; the task fills in progress as it goes."""
    job = BulkIssueJob.objects.create(
        programme=programme, enrollment_ids=list(enrollment_ids), total=len(enrollment_ids), created_by=actor
    )
    from .tasks import bulk_issue_job_run_task

    job_pk = job.pk
    transaction.on_commit(lambda: bulk_issue_job_run_task.delay(job_pk))
    return job


#: Enrolments issued per transaction by a bulk job: one commit (and one progress update) per chunk instead of
#: several per certificate; the chunk's rendering tasks are queued when it commits.
BULK_ISSUE_CHUNK = 50


def bulk_issue_job_run(*, job: BulkIssueJob) -> BulkIssueJob:
    """Issue a certificate per enrolment in the job, a chunk at a time. Safe to re-run after a crash: a chunk is
    committed whole or not at all, and issuing is idempotent."""
    from courses.models import Enrollment
    from lms import pagecache

    BulkIssueJob.objects.filter(pk=job.pk).update(state=BulkIssueJob.State.RUNNING, done=0)
    ids = list(job.enrollment_ids)
    issued = 0
    for start in range(0, len(ids), BULK_ISSUE_CHUNK):
        chunk = ids[start : start + BULK_ISSUE_CHUNK]
        enrollments = Enrollment.objects.select_related("user").in_bulk(chunk)
        keys = {enrollment_id: source_key_build("enrollment", enrollment_id) for enrollment_id in chunk}
        had = set(Certificate.objects.filter(source_key__in=keys.values()).values_list("source_key", flat=True))
        with transaction.atomic():
            for enrollment_id in chunk:
                enrollment = enrollments.get(enrollment_id)
                if enrollment is None:
                    continue
                certificate_issue_for_enrollment(enrollment=enrollment, programme=job.programme, actor=job.created_by)
                if keys[enrollment_id] not in had:
                    had.add(keys[enrollment_id])
                    issued += 1
            BulkIssueJob.objects.filter(pk=job.pk).update(done=start + len(chunk))
            # Certificates saved inside the transaction bumped the verification cache before it was visible.
            transaction.on_commit(lambda: pagecache.bump("certificates"))
    BulkIssueJob.objects.filter(pk=job.pk).update(
        state=BulkIssueJob.State.DONE, issued=issued, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


# --- Reminders ----------------------------------------------------------------------------------------------


def certificate_expiry_reminders_send(*, today: datetime.date | None = None, days_before: int = 30) -> int:
    """Remind each holder once, ``days_before`` days ahead, that a current certificate will expire.

    By e-mail where the holder has one; otherwise an in-app notice. Returns how many were reminded.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=days_before)
    due = (
        Certificate.objects.current()
        .filter(expires_on__isnull=False, expires_on__gte=today, expires_on__lte=horizon, reminder_sent_at=None)
        .select_related("holder")
    )
    from courses.cohorts.services import notice_language

    count = 0
    for certificate in due:
        with notice_language(certificate.holder):  # the holder's language, never the server's default
            message = _("Tu certificado «%(title)s» vence el %(date)s. Consulta con %(issuer)s cómo renovarlo.") % {
                "title": certificate.achievement,
                "date": certificate.expires_on.strftime("%d/%m/%Y"),
                "issuer": certificate.issuer_name,
            }
            subject = _("Tu certificado vence pronto")
        with transaction.atomic():
            updated = Certificate.objects.filter(pk=certificate.pk, reminder_sent_at=None).update(
                reminder_sent_at=timezone.now()
            )
            if not updated:
                continue
            if certificate.holder.email:
                link = certificate_verify_url(certificate=certificate)
                send_mail(
                    subject,
                    f"{message}\n\n{link}",
                    settings.DEFAULT_FROM_EMAIL,
                    [certificate.holder.email],
                )
            else:
                CertificateNotice.objects.create(user=certificate.holder, certificate=certificate, message=message)
            CertificateEvent.objects.create(certificate=certificate, action=CertificateEvent.Action.REMINDED)
        count += 1
    return count


# --- The offline verifier's index -----------------------------------------------------------------------------


def verification_index_get() -> dict[str, Any]:
    """The signed, encrypted index of every issued certificate, for verifying short codes offline.

    Rebuilt (new salt, new signature) only when certificates are issued, revoked or replaced, or the active key
    changes; a certificate whose own signature fails is listed as «invalid» so the index never vouches for it.
    """
    import hashlib
    import secrets

    from django.core.cache import cache
    from django.db.models import Count, Max

    from .offline import IndexEntry, index_build

    pair = signing.keyring().active
    stats = Certificate.objects.aggregate(
        count=Count("pk"),
        last=Max("pk"),
        revoked=Max("revoked_at"),
        suspended=Count("suspended_at"),
        replaced=Count("replaced_by"),
    )
    fingerprint = hashlib.sha256(repr((sorted(stats.items()), pair.kid)).encode()).hexdigest()[:24]
    cache_key = f"certification:verification-index:{fingerprint}"
    document = cache.get(cache_key)
    if document is not None:
        return document
    signing_key_register(pair=pair)
    public_keys: dict[str, Any] = {}
    entries = []
    rows = Certificate.objects.select_related("replaced_by", "holder").order_by("pk")
    for certificate in rows.iterator(chunk_size=1000):
        if certificate.revoked_at and certificate.holder.deletion_requested_at and not certificate.holder.is_active:
            # Withdrawn when the holder deleted their account: «revoked», with the date and nothing about them.
            revoked_on = timezone.localdate(certificate.revoked_at).isoformat()
            entries.append(
                IndexEntry(code=certificate.code, status="r", issuer=certificate.issuer_name, extra=revoked_on)
            )
            continue
        if certificate.kid not in public_keys:
            public_keys[certificate.kid] = public_key_get(kid=certificate.kid)
        public_key = public_keys[certificate.kid]
        try:
            genuine = public_key is not None and signing.verify(
                certificate_payload(certificate=certificate), signing.b64url_decode(certificate.signature), public_key
            )
        except ValueError:
            genuine = False
        if not genuine:
            entries.append(IndexEntry(code=certificate.code, status="i"))
            continue
        status, extra = "v", None
        if certificate.replaced_by is not None:
            status, extra = "x", certificate.replaced_by.code
        elif certificate.revoked_at:
            status, extra = "r", timezone.localdate(certificate.revoked_at).isoformat()
        elif certificate.suspended_at:
            status, extra = "s", timezone.localdate(certificate.suspended_at).isoformat()
        entries.append(
            IndexEntry(
                code=certificate.code,
                status=status,
                name=certificate.holder_name,
                achievement=certificate.achievement,
                issuer=certificate.issuer_name,
                hours=int(certificate.hours) if certificate.hours else None,
                issued_on=certificate.issued_on.isoformat(),
                expires_on=certificate.expires_on.isoformat() if certificate.expires_on else None,
                extra=extra,
            )
        )
    document = index_build(
        entries=entries,
        pair=pair,
        generated_at=timezone.now().isoformat(timespec="seconds"),
        salt=secrets.token_bytes(16),
    )
    cache.set(cache_key, document, 3600)
    return document


# --- Bitstring status lists ---------------------------------------------------------------------------------


def status_list_get(*, institution: Institution, purpose: str, number: int) -> dict[str, Any] | None:
    """The issuer's signed status-list credential for ``purpose`` (revocation: revoked or replaced; suspension:
    suspended, and trainer certificates revoked or replaced) and list ``number``, as of now; None for a list
    none of the issuer's certificates points at (nobody needs it, and signing any number asked for is free work
    handed to whoever asks).

    The set bits are read on every call (one indexed query), so a revocation shows at once; the signed document
    is cached per content (bits and active key), so signing happens only when the list changes.
    """
    import hashlib

    from django.core.cache import cache

    from .openbadges import status_list_credential_signed
    from .statuslist import LIST_SIZE, PURPOSES

    if purpose not in PURPOSES:
        raise ValueError(purpose)
    start = number * LIST_SIZE
    if not 0 <= start <= STATUS_INDEX_MAX:
        return None
    rows = Certificate.objects.filter(issuer=institution, status_index__gte=start, status_index__lt=start + LIST_SIZE)
    if not rows.exists():
        return None
    from django.db.models import Q

    ended = Q(revoked_at__isnull=False) | Q(replaced_by__isnull=False)
    if purpose == "revocation":
        rows = rows.filter(ended)
    else:  # trainer credentials carry only this list (openbadges.status_purpose): ended ones stay set for good
        trainer = Q(programme__kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION)
        rows = rows.filter(Q(suspended_at__isnull=False) | (trainer & ended))
    bits = sorted(index - start for index in rows.values_list("status_index", flat=True) if index is not None)
    pair = signing.keyring().active
    fingerprint = hashlib.sha256(repr((institution.slug, purpose, number, bits, pair.kid)).encode()).hexdigest()[:32]
    cache_key = f"certification:status-list:{fingerprint}"
    document = cache.get(cache_key)
    if document is None:
        signing_key_register(pair=pair)
        document = status_list_credential_signed(
            institution=institution,
            purpose=purpose,
            number=number,
            set_bits=bits,
            generated_at=timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        )
        cache.set(cache_key, document, 24 * 3600)
    return document
