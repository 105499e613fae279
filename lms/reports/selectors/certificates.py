"""Certification figures: distinct holders of a current certificate (not revoked, not replaced) issued in the
period, per kind: course or learning path, competency standard, trainer qualification.

Raw figures only (``GroupStats``); ``disaggregation`` suppresses them into tables. Must not import views,
forms or services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q

from certification.models import Certificate

from ..dimensions import Dimension
from .aggregation import GroupStats, _merge, _rows, _with_total
from .filters import Scope, _in_period
from .universes import CERTIFICATE

#: Indicator key → the certificate programme kinds it counts.
CERTIFICATE_KINDS = {
    "certified_course": ["course", "learning_path"],
    "certified_competency": ["competency_standard"],
    "certified_trainers": ["trainer_qualification"],
}


def certificate_figures(*, scope: Scope, dimension: Dimension | None, ref: date, groups: dict[Any, GroupStats]) -> None:
    """Add the certification indicators of ``scope`` to ``groups``, by ``dimension`` (total under key ``None``)."""
    qs = Certificate.objects.filter(
        _in_period("issued_on", scope.filters, is_date=True), revoked_at__isnull=True, replaced_by__isnull=True
    ).filter(scope.q(CERTIFICATE))
    per_person = {name: Count("id", filter=Q(programme__kind__in=values)) for name, values in CERTIFICATE_KINDS.items()}
    outer = {name: ("people", name) for name in CERTIFICATE_KINDS}
    rows = _with_total(_rows(qs, dimension, per_person, outer, "holder", ref), dimension)
    _merge(groups, rows, list(CERTIFICATE_KINDS), {})


def competency_certificates_apply(*, scope: Scope) -> bool:
    """Competency certificates are tied to no course or cohort: they only make sense for a whole institution
    (its certifying body) or the whole platform."""
    return not scope.filters.restricts_delivery and bool(scope.universe.everything or scope.universe.institution_ids)


def trainer_certificates_apply(*, scope: Scope) -> bool:
    """Trainer qualifications are tied to no course: they reach a scope through an institution (their issuer) or a
    cohort (its members and trainers), never through courses alone."""
    return all(u.everything or u.institution_ids or u.cohort_ids for u in scope.universes())
