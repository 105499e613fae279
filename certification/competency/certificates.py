"""The competency certificate, issued through ``certification.services.certificate_issue``.

One certificate programme per standard code (kind «norma de competencia»), issued by the certifying body.
Each validated decision (and an upheld appeal) issues one certificate listing every unit achieved so far,
so a partial certificate is followed by a complete one when a later assessment achieves the rest.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from certification.source_keys import source_key_build

from .models import Application, CompetencyUnit


def programme_for(standard: Any) -> Any:
    """The certificate programme for a standard's code, created on first use with the body as issuer."""
    from certification.models import CertificateProgramme

    programme, _created = CertificateProgramme.objects.get_or_create(
        slug=f"competencia-{standard.code.lower()}"[:80],
        defaults={
            "name": _("Competencias: %(title)s") % {"title": standard.title},
            "kind": CertificateProgramme.Kind.COMPETENCY_STANDARD,
            "title": (_("Certificado de competencias laborales: %(title)s") % {"title": standard.title})[:160],
            "reference": standard.code,
            "auto_issue": False,
            "issuer": standard.certifying_body,
        },
    )
    return programme


def unit_label(unit: CompetencyUnit) -> str:
    return f"{unit.code} · {unit.title}"


def issue(*, application: Application, units: list[CompetencyUnit]) -> Any:
    """Issue the certificate for this decision listing ``units``; idempotent per application (and appeal)."""
    from certification.services import certificate_issue

    standard = application.standard
    total = standard.units.count()
    if len(units) == total:
        achievement = _("Competente en la norma «%(title)s» (versión %(v)s)") % {
            "title": standard.title,
            "v": standard.version,
        }
    else:
        achievement = _("Competente en %(n)s de %(total)s unidades de la norma «%(title)s» (versión %(v)s)") % {
            "n": len(units),
            "total": total,
            "title": standard.title,
            "v": standard.version,
        }
    appeal = getattr(application, "appeal", None)
    upheld = ("appeal",) if appeal is not None and appeal.outcome == appeal.Outcome.UPHELD else ()
    return certificate_issue(
        holder=application.candidate,
        programme=programme_for(standard),
        source_key=source_key_build("competency", "application", application.pk, *upheld),
        achievement=achievement[:200],
        competency_units=[unit_label(u) for u in units],
        issuer=standard.certifying_body,
    )
