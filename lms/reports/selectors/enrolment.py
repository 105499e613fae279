"""Enrolment and completion figures: people enrolled, enrolments, active people, completions, the mean score
and the mean days to complete, from ``courses.Enrollment`` in one grouped statement.

Raw figures only (``GroupStats``); ``disaggregation`` suppresses them into tables. Must not import views,
forms or services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from courses.models import Enrollment

from ..dimensions import Dimension
from .aggregation import GroupStats, _finish_ratios, _merge, _rows, _with_total
from .filters import Scope, _in_period
from .universes import ENROLLMENT


def enrolment_figures(*, scope: Scope, dimension: Dimension | None, ref: date, groups: dict[Any, GroupStats]) -> None:
    """Add the enrolment indicators of ``scope`` to ``groups``, by ``dimension`` (total under key ``None``)."""
    f = scope.filters
    enrolled_q = _in_period("enrolled_at", f)
    active_q = _in_period("last_activity_at", f) & ~Q(status="withdrawn")
    completed_q = _in_period("completed_at", f)
    qs = Enrollment.objects.filter(scope.q(ENROLLMENT)).filter(enrolled_q | active_q | completed_q)
    scored_q = completed_q & Q(score__isnull=False)
    duration = ExpressionWrapper(F("completed_at") - F("enrolled_at"), output_field=DurationField())
    per_person = {
        "e": Count("id", filter=enrolled_q),
        "a": Count("id", filter=active_q),
        "c": Count("id", filter=completed_q),
        "sc": Count("id", filter=scored_q),
        "ss": Sum("score", filter=scored_q),
        "ds": Sum(duration, filter=completed_q),
    }
    outer = {
        "enrolled": ("people", "e"),
        "enrollments": ("sum", "e"),
        "active": ("people", "a"),
        "completed": ("people", "c"),
        "_score_n": ("people", "sc"),
        "_score_cnt": ("sum", "sc"),
        "_score_sum": ("sum", "ss"),
        "_dur_sum": ("sum", "ds"),
        "_dur_cnt": ("sum", "c"),
    }
    rows = _with_total(_rows(qs, dimension, per_person, outer, "user", ref), dimension)
    for row in rows.values():
        _finish_ratios(row)
    _merge(
        groups,
        rows,
        ["enrolled", "enrollments", "active", "completed"],
        {"average_score": ("_score", "_score_n"), "days_to_complete": ("_days", "completed")},
    )
