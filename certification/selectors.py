"""Reads for certificates: public verification, a holder's list, the revocation list."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import User

from .codes import code_normalize
from .models import Certificate, CertificateEvent
from .offline import revocation_key


@dataclass(frozen=True)
class Verification:
    """What the public verification page and API show for one code."""

    code: str
    status: str  # valid | expired | revoked | replaced | invalid | not_found
    certificate: Certificate | None = None
    replacement: Certificate | None = None
    #: The holder deleted their account: the certificate is withdrawn and none of their data may be shown.
    holder_erased: bool = False
    #: ...and it was that deletion that withdrew it (not an earlier revocation by the issuer).
    withdrawn_by_holder: bool = False

    @property
    def found(self) -> bool:
        return self.certificate is not None

    @property
    def downloadable(self) -> bool:
        """Its PDF, image and credential may be served: genuine and neither revoked nor replaced."""
        return self.status in (Certificate.Status.VALID, Certificate.Status.EXPIRED)


def holder_erased(*, certificate: Certificate) -> bool:
    """The holder deleted their account and the certificate is revoked: nothing about them may be shown
    (``services.certificates_withdraw_for_deleted_holder`` erased the name; a revocation that happened while the
    deletion waited in the queue counts too)."""
    holder = certificate.holder
    return certificate.revoked_at is not None and holder.deletion_requested_at is not None and not holder.is_active


def withdrawn_by_holder(*, certificate: Certificate) -> bool:
    """The revocation was the holder's account deletion (its audit-log reason), not the issuer's decision."""
    from .services import HOLDER_DELETED_REASON

    return certificate.events.filter(action=CertificateEvent.Action.REVOKED, reason=HOLDER_DELETED_REASON).exists()


def certificate_verification_get(*, code: str, today: datetime.date | None = None) -> Verification:
    """Look a code up and check status and signature; a certificate whose signature fails is «invalid»."""
    from .services import certificate_signature_valid

    normalized = code_normalize(code)
    if normalized is None:
        return Verification(code=code, status="not_found")
    try:  # get(), not first(): no ORDER BY to compile on the busiest public query
        certificate = Certificate.objects.select_related("holder").get(code=normalized)  # public fields frozen
    except Certificate.DoesNotExist:
        return Verification(code=normalized, status="not_found")
    if holder_erased(certificate=certificate):
        # Her name was erased from the row, so its signature no longer checks: it is withdrawn, not forged.
        return Verification(
            code=normalized,
            status=Certificate.Status.REVOKED,
            certificate=certificate,
            holder_erased=True,
            withdrawn_by_holder=withdrawn_by_holder(certificate=certificate),
        )
    if not certificate_signature_valid(certificate=certificate):
        return Verification(code=normalized, status="invalid", certificate=certificate)
    replacement = certificate.replaced_by if certificate.replaced_by_id else None
    return Verification(
        code=normalized,
        status=certificate.status_on(today or timezone.localdate()),
        certificate=certificate,
        replacement=replacement,
    )


def certificate_public_data(*, verification: Verification) -> dict[str, Any]:
    """The JSON the API returns: status and only the printed public fields, never profile data."""
    data: dict[str, Any] = {"code": verification.code, "status": verification.status}
    certificate = verification.certificate
    if certificate is None or verification.status == "invalid":
        return data
    if verification.holder_erased:
        # Only that it was withdrawn, when, and by whom it was issued: no name, achievement, dates or signature
        # (a signature would let anyone confirm a guessed name against the other public fields).
        data.update(
            {
                "display_code": certificate.display_code,
                "withdrawn_by_holder": verification.withdrawn_by_holder,
                "revoked_on": timezone.localdate(certificate.revoked_at).isoformat()
                if certificate.revoked_at
                else None,
                "issuer": certificate.issuer_name,
                "verification_url": settings.RUTA_BASE_URL + reverse("certification:verify", args=[certificate.code]),
            }
        )
        return data
    data.update(
        {
            "display_code": certificate.display_code,
            "holder_name": certificate.holder_name,
            "achievement": certificate.achievement,
            "hours": certificate.hours,
            "competency_units": certificate.competency_units,
            "trainer_name": certificate.trainer_name or None,
            "issuer": certificate.issuer_name,
            "issued_on": certificate.issued_on.isoformat(),
            "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
            "revoked_on": timezone.localdate(certificate.revoked_at).isoformat() if certificate.revoked_at else None,
            "suspended_on": (
                timezone.localdate(certificate.suspended_at).isoformat() if certificate.suspended_at else None
            ),
            "kid": certificate.kid,
            "signature": certificate.signature,
            "verification_url": settings.RUTA_BASE_URL + reverse("certification:verify", args=[certificate.code]),
        }
    )
    if verification.downloadable:
        data["pdf_url"] = settings.RUTA_BASE_URL + reverse("certification:pdf", args=[certificate.code])
        data["credential_url"] = settings.RUTA_BASE_URL + reverse("certification:credential", args=[certificate.code])
    if verification.replacement is not None:
        data["replaced_by"] = verification.replacement.code
    return data


#: The public fields' names in the JSON API, by their short key in the signed object (``s`` = the signature).
API_FIELD_NAMES = {
    "v": "version",
    "c": "code",
    "k": "kid",
    "n": "holder_name",
    "a": "achievement",
    "i": "issuer",
    "d": "issued_on",
    "e": "expires_on",
    "h": "hours",
    "t": "trainer_name",
    "u": "competency_units",
    "s": "signature",
}


@dataclass(frozen=True)
class QrCheck:
    """How the signed payload a QR carries compares with the certificate's record."""

    readable: bool
    differing: tuple[str, ...] = ()  # short keys (see API_FIELD_NAMES) whose values differ

    @property
    def matches(self) -> bool:
        return self.readable and not self.differing


def certificate_qr_check(*, verification: Verification, qr: str) -> QrCheck | None:
    """Compare the fields and signature in a QR (its URL or just the ``#`` fragment) with the record.

    None when there is no record to compare with (unknown code, or a record whose own signature fails). Values
    are compared by their canonical JSON, so ``12.0`` in a QR equals the recorded 12 hours.
    """
    from . import signing
    from .services import certificate_public_fields

    certificate = verification.certificate
    if certificate is None or verification.status == "invalid":
        return None
    parsed = signing.qr_fragment_parse(certificate.code, qr.rsplit("#", 1)[-1].strip())
    if parsed is None:
        return QrCheck(readable=False)
    fields, signature = parsed
    record = certificate_public_fields(certificate=certificate)
    differing = []
    for key in API_FIELD_NAMES:
        if key == "s":
            if signing.b64url_encode(signature) != certificate.signature:
                differing.append(key)
            continue
        try:
            same = signing.canonical_json(fields.get(key)) == signing.canonical_json(record.get(key))
        except (ValueError, TypeError):
            same = False
        if not same:
            differing.append(key)
    return QrCheck(readable=True, differing=tuple(differing))


def certificates_for_holder(*, user: User) -> QuerySet[Certificate]:
    """The holder's certificates that are not replaced (revoked ones stay listed, marked as such)."""
    return Certificate.objects.filter(holder=user, replaced_by__isnull=True).select_related("programme")


def revocation_list_get() -> dict[str, Any]:
    """Certificates that must no longer pass as valid (revoked, suspended or replaced), for the offline verifier's
    cache: keyed by a hash of each code (``offline.revocation_key``), so the public list names no certificate and
    no person; a verifier that holds a code can tell its status, and the date it changed."""
    revoked = Certificate.objects.filter(revoked_at__isnull=False).values_list("code", "revoked_at")
    suspended = Certificate.objects.filter(suspended_at__isnull=False, revoked_at__isnull=True).values_list(
        "code", "suspended_at"
    )
    replaced = Certificate.objects.filter(replaced_by__isnull=False).values_list("code", "replaced_by__issued_on")
    return {
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "keys": "sha256-96",
        "revoked": {revocation_key(code): timezone.localdate(at).isoformat() for code, at in revoked},
        "suspended": {revocation_key(code): timezone.localdate(at).isoformat() for code, at in suspended},
        "replaced": {revocation_key(code): on.isoformat() for code, on in replaced},
    }


def certificate_share_links(*, certificate: Certificate) -> dict[str, str]:
    """LinkedIn «add to profile» and WhatsApp share links for a certificate."""
    verify_url = settings.RUTA_BASE_URL + reverse("certification:verify", args=[certificate.code])
    linkedin = {
        "startTask": "CERTIFICATION_NAME",
        "name": certificate.achievement,
        "organizationName": certificate.issuer_name,
        "issueYear": certificate.issued_on.year,
        "issueMonth": certificate.issued_on.month,
        "certUrl": verify_url,
        "certId": certificate.display_code,
    }
    if certificate.expires_on:
        linkedin["expirationYear"] = certificate.expires_on.year
        linkedin["expirationMonth"] = certificate.expires_on.month
    whatsapp_text = f"{certificate.achievement} — {certificate.issuer_name}: {verify_url}"
    return {
        "linkedin": "https://www.linkedin.com/profile/add?" + urlencode(linkedin),
        "whatsapp": "https://wa.me/?" + urlencode({"text": whatsapp_text}),
    }


def certificate_events_for(*, certificate: Certificate) -> QuerySet[CertificateEvent]:
    return certificate.events.select_related("actor")


def completed_enrollment_ids(*, programme, cohort_id: int | None = None) -> list[int]:
    """Ids of the completed enrolments in the programme's course (limited to a cohort's members if given)."""
    from courses.models import Enrollment

    enrollments = Enrollment.objects.filter(course_id=programme.course_id, completed_at__isnull=False)
    if cohort_id:
        try:
            from courses.cohorts.models import Cohort
        except ImportError:  # cohorts not installed yet
            return []
        cohort = Cohort.objects.filter(pk=cohort_id).first()
        if cohort is None:
            return []
        member_ids = cohort.members.values_list("user_id", flat=True)
        enrollments = enrollments.filter(user_id__in=member_ids)
    return list(enrollments.order_by("pk").values_list("pk", flat=True))


def can_issue_certificates(*, user, programme=None) -> bool:
    """Superusers, holders of the Django permission, and the issuing institution's admins or programme managers."""
    from lms.accounts.models import Role
    from lms.accounts.permissions import has_role

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.has_perm("certification.add_certificate"):
        return True
    roles = [Role.INSTITUTION_ADMIN, Role.PROGRAMME_MANAGER]
    return has_role(user, roles, programme.issuer if programme is not None else None)


def certificates_issued_by(*, institution, query: str = "") -> QuerySet[Certificate]:
    """Certificates issued in ``institution``'s name (printed issuer, or its programme's issuer), newest first.

    ``query`` is a code (in any spelling ``code_normalize`` reads) or part of the printed name.
    """
    from django.db.models import Q

    certificates = Certificate.objects.filter(Q(issuer=institution) | Q(programme__issuer=institution))
    query = query.strip()
    if query:
        code = code_normalize(query)
        certificates = certificates.filter(
            Q(code=code) | Q(holder_name__icontains=query) if code else Q(holder_name__icontains=query)
        )
    return certificates.select_related("programme", "replaced_by").order_by("-issued_on", "-id")


def certificate_issued_by(*, certificate: Certificate, institution) -> bool:
    """Whether ``certificate`` was issued in ``institution``'s name (as ``certificates_issued_by`` lists them)."""
    return institution.pk in (certificate.issuer_id, certificate.programme.issuer_id)


def certificate_data_export(*, user: User) -> list[dict[str, Any]]:
    """The person's certificates for their own data export (public fields, status and links)."""
    rows = []
    for certificate in Certificate.objects.filter(holder=user).select_related("replaced_by"):
        verification = Verification(code=certificate.code, status=certificate.status, certificate=certificate)
        rows.append(certificate_public_data(verification=verification))
    return rows


def notices_for_holder(*, user: User):
    """Unread in-app certificate notices (e.g. expiry reminders for people without e-mail)."""
    return user.certificate_notices.filter(read_at__isnull=True).select_related("certificate")[:10]


def trainer_is_certified(*, name: str, on: datetime.date | None = None) -> bool:
    """True when someone printed as ``name`` holds a current trainer-qualification certificate."""
    from .models import CertificateProgramme

    on = on or timezone.localdate()
    return (
        Certificate.objects.current()
        .filter(programme__kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION, holder_name=name)
        .exclude(expires_on__lt=on)
        .exists()
    )


def issuer_get(*, slug: str):
    """The institution whose issuer profile lives at ``/certificados/emisores/<slug>`` (None if unknown)."""
    from lms.accounts.models import Institution

    return Institution.objects.filter(slug=slug).first()


def achievement_claim_get(*, programme, variant: str) -> tuple[str, list[str]] | None:
    """The claim (achievement text, units) whose Achievement id ends in ``variant``, among the programme's
    certificates; None if no certificate makes it (an invented variant is «not found»)."""
    from .openbadges import achievement_variant

    claims = (
        Certificate.objects.filter(programme=programme)
        .values_list("achievement", "competency_units")
        .order_by()
        .distinct()
    )
    for name, units in claims.iterator():
        if achievement_variant(programme=programme, name=name, units=units) == variant:
            return name, list(units or [])
    return None


def achievement_programme_get(*, slug: str):
    """The certificate programme whose Achievement lives at ``/certificados/programas/<slug>`` (None if unknown)."""
    from .models import CertificateProgramme

    return CertificateProgramme.objects.select_related("issuer").filter(slug=slug).first()
