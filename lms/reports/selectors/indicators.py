"""The indicators: their keys, labels and definitions, and every figure of a scope gathered from the families
(``enrolment``, ``certificates``, ``attendance``), by one dimension, unsuppressed.

``disaggregation`` turns these figures into suppressed tables. Must not import views, forms or services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..dimensions import Dimension
from .aggregation import GroupStats
from .attendance import attendance_figures
from .certificates import certificate_figures, competency_certificates_apply, trainer_certificates_apply
from .enrolment import enrolment_figures
from .filters import Scope
from .universes import ATTENDANCE


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any
    kind: str  # "count" (people), "rate" (percent), "mean" (a score), "days"
    definition: Any


INDICATORS: list[Indicator] = [
    Indicator(
        "enrolled",
        _("Personas inscritas"),
        "count",
        _("Personas con al menos una inscripción en el periodo."),
    ),
    Indicator(
        "enrollments",
        _("Inscripciones"),
        "count",
        _("Inscripciones en el periodo (una persona puede tener varias)."),
    ),
    Indicator(
        "active",
        _("Personas activas"),
        "count",
        _("Personas con actividad en algún curso durante el periodo (sin contar retiros)."),
    ),
    Indicator(
        "completed",
        _("Completaron"),
        "count",
        _("Personas que completaron al menos un curso en el periodo."),
    ),
    Indicator(
        "certified_course",
        _("Certificación de curso"),
        "count",
        _("Personas con un certificado de curso o de ruta vigente emitido en el periodo."),
    ),
    Indicator(
        "certified_competency",
        _("Certificación de competencias"),
        "count",
        _("Personas con un certificado de competencias laborales vigente emitido en el periodo."),
    ),
    Indicator(
        "certified_trainers",
        _("Facilitación certificada"),
        "count",
        _("Personas con una certificación de facilitador·a vigente emitida en el periodo."),
    ),
    Indicator(
        "attendance_rate",
        _("Asistencia (%)"),
        "rate",
        _("Asistencias «presente» entre todas las registradas en sesiones en vivo del periodo."),
    ),
    Indicator(
        "average_score",
        _("Nota promedio (%)"),
        "mean",
        _("Promedio de la nota final de los cursos completados en el periodo."),
    ),
    Indicator(
        "days_to_complete",
        _("Días hasta completar"),
        "days",
        _("Promedio de días entre la inscripción y la finalización de los cursos completados en el periodo."),
    ),
]
INDICATOR_KEYS = [i.key for i in INDICATORS]


def indicator_figures(*, scope: Scope, dimension: Dimension | None = None) -> tuple[dict[Any, GroupStats], set[str]]:
    """Every indicator, grouped by ``dimension`` (plus the total under key ``None``).

    Returns (groups, unavailable keys). One grouped query per source: enrolments, certificates,
    attendance; totals are the sums of the groups (each person has exactly one value per dimension). A figure the
    scope cannot reach at all (attendance when it is courses with no cohort, competency and trainer certificates
    tied to no course) is unavailable («No aplica»), never a zero.
    """
    ref = scope.reference_date
    groups: dict[Any, GroupStats] = {}
    unavailable: set[str] = set()
    enrolment_figures(scope=scope, dimension=dimension, ref=ref, groups=groups)
    certificate_figures(scope=scope, dimension=dimension, ref=ref, groups=groups)
    if not competency_certificates_apply(scope=scope):
        unavailable.add("certified_competency")
    if not trainer_certificates_apply(scope=scope):
        unavailable.add("certified_trainers")
    if not scope.applies(ATTENDANCE):
        unavailable.add("attendance_rate")
    attendance_figures(scope=scope, dimension=dimension, ref=ref, groups=groups)
    return groups, unavailable
