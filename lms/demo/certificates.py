"""Demo certificate programmes (one per demo course, plus the IMESUN-GIN facilitator qualification) and
certificates for the demo participants who completed a course. Idempotent: programmes are updated in place
and certificates are keyed on their enrolment.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from certification.models import Certificate, CertificateProgramme, Signatory
from certification.services import certificate_issue_for_enrollment
from courses.models import CoursePage, Enrollment
from lms.accounts.models import Institution
from lms.demo.context import DemoContext

VALIDITY_MONTHS = {"SST-NEGOCIO": 24}


def _programme_for_course(ctx: DemoContext, code: str, course: CoursePage) -> CertificateProgramme:
    """The course's certificate programme, issued by the course's institution with the ILO as co-issuer."""
    issuer = getattr(course, "institution", None) or ctx.institutions.get("oit")
    programme, _created = CertificateProgramme.objects.update_or_create(
        slug=f"curso-{code.lower()}",
        defaults={
            "name": f"Certificado del curso {course.title}"[:200],
            "kind": CertificateProgramme.Kind.COURSE,
            "title": course.title[:160],
            "course": course,
            "reference": code,
            "hours": getattr(course, "estimated_hours", None),
            "issuer": issuer,
            "validity_months": VALIDITY_MONTHS.get(code),
            "description": getattr(course, "summary", "") or "",
        },
    )
    oit = ctx.institutions.get("oit")
    if oit is not None and issuer != oit:
        programme.co_issuers.add(oit)
    Signatory.objects.update_or_create(
        programme=programme,
        sort_order=0,
        defaults={"name": "Lucía Fernández Ortiz", "title": "Coordinadora del programa — OIT"},
    )
    return programme


def seed(ctx: DemoContext) -> None:
    """The facilitator qualification, one programme per demo course, and the certificates of completed courses;
    prints where to verify the demo participant's certificate."""
    oit = ctx.institutions.get("oit")
    if oit is None:
        return
    _facilitator_qualification(oit)
    courses = ctx.objects.get("courses") or {}
    if not courses:
        return
    shown = _course_certificates(ctx, courses)
    if shown is not None:
        ctx.objects["certificate_demo"] = shown
        base = settings.RUTA_BASE_URL
        verify_url = base + reverse("certification:verify", args=[shown.code])
        pdf_url = base + reverse("certification:pdf", args=[shown.code])
        ctx.say(f"Certificado de demostración: {verify_url} PDF: {pdf_url}")


def _facilitator_qualification(oit: Institution) -> None:
    """The ILO's bilingual IMESUN-GIN facilitator qualification (36 months, issued by hand, not on completion)."""
    CertificateProgramme.objects.update_or_create(
        slug="facilitador-imesun-gin",
        defaults={
            "name": "Facilitador·a certificado·a IMESUN — GIN",
            "kind": CertificateProgramme.Kind.TRAINER_QUALIFICATION,
            "title": "Facilitador·a certificado·a IMESUN — Genere su Idea de Negocio (GIN)",
            "reference": "IMESUN-GIN",
            "issuer": oit,
            "validity_months": 36,
            "auto_issue": False,
            "language": CertificateProgramme.Language.BILINGUAL,
        },
    )


def _course_certificates(ctx: DemoContext, courses: dict[str, CoursePage]) -> Certificate | None:
    """A certificate for every completed enrolment in a demo course; returns the one to show (the demo
    participant's, or else any)."""
    programmes = {code: _programme_for_course(ctx, code, course) for code, course in courses.items()}
    shown = None
    for code, programme in programmes.items():
        completed = Enrollment.objects.filter(course=courses[code], completed_at__isnull=False).select_related("user")
        for enrollment in completed:
            certificate = certificate_issue_for_enrollment(enrollment=enrollment, programme=programme)
            if certificate is not None and enrollment.user == ctx.users.get("participant"):
                shown = certificate
    if shown is None:
        shown = Certificate.objects.filter(programme__in=programmes.values()).first()
    return shown
