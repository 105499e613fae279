"""The competency certificate, issued through ``certification.services.certificate_issue``.

One certificate programme per standard code (kind «norma de competencia»), issued by the certifying body.
Each validated decision (and an upheld appeal) issues one certificate listing every unit achieved so far,
so a partial certificate is followed by a complete one when a later assessment achieves the rest.
Its texts (programme name and title, achievement) are written in the programme's language, never in that of
whoever validates: the achievement is signed into the certificate.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from certification.source_keys import source_key_build

from .models import Application, CompetencyUnit


def certificate_language(programme: Any) -> str:
    """The language a programme's certificate texts are written in: its own, or Ruta's default (Spanish) for a
    bilingual or unspecified one (the printed certificate adds the English labels itself)."""
    language = str(getattr(programme, "language", "") or "")
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def programme_for(standard: Any) -> Any:
    """The certificate programme for a standard's code, created on first use with the body as issuer (its name
    and title in Ruta's default language, the new programme's)."""
    from certification.models import CertificateProgramme

    with translation.override(settings.LANGUAGE_CODE):
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


def achievement_text(*, standard: Any, units: list[CompetencyUnit], language: str) -> str:
    """What the certificate says the holder achieved, in ``language`` (the programme's, not the request's)."""
    total = standard.units.count()
    with translation.override(language):
        if len(units) == total:
            return _("Competente en la norma «%(title)s» (versión %(v)s)") % {
                "title": standard.title,
                "v": standard.version,
            }
        return _("Competente en %(n)s de %(total)s unidades de la norma «%(title)s» (versión %(v)s)") % {
            "n": len(units),
            "total": total,
            "title": standard.title,
            "v": standard.version,
        }


def issue(*, application: Application, units: list[CompetencyUnit]) -> Any:
    """Issue the certificate for this decision listing ``units``; idempotent per application (and appeal)."""
    from certification.services import certificate_issue

    standard = application.standard
    programme = programme_for(standard)
    achievement = achievement_text(standard=standard, units=units, language=certificate_language(programme))
    appeal = getattr(application, "appeal", None)
    upheld = ("appeal",) if appeal is not None and appeal.outcome == appeal.Outcome.UPHELD else ()
    return certificate_issue(
        holder=application.candidate,
        programme=programme,
        source_key=source_key_build("competency", "application", application.pk, *upheld),
        achievement=achievement[:200],
        competency_units=[unit_label(u) for u in units],
        issuer=standard.certifying_body,
    )
