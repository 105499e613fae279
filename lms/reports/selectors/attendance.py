"""Attendance figures: ``present`` records among all records of the live sessions starting in the period
(excused counts as not present), with the number of people who have records.

Raw figures only (``GroupStats``); ``disaggregation`` suppresses them into tables. Must not import views,
forms or services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q

from courses.cohorts.models import Attendance

from ..dimensions import Dimension
from .aggregation import GroupStats, _finish_ratios, _merge, _rows, _with_total
from .filters import Scope, _in_period
from .universes import ATTENDANCE


def attendance_figures(*, scope: Scope, dimension: Dimension | None, ref: date, groups: dict[Any, GroupStats]) -> None:
    """Add the attendance rate of ``scope`` to ``groups``, by ``dimension`` (total under key ``None``)."""
    qs = Attendance.objects.filter(_in_period("session__starts_at", scope.filters)).filter(scope.q(ATTENDANCE))
    per_person = {"p": Count("id", filter=Q(status="present")), "r": Count("id")}
    outer = {"_present": ("sum", "p"), "_records": ("sum", "r"), "_people": ("people", "r")}
    rows = _with_total(_rows(qs, dimension, per_person, outer, "user", ref), dimension)
    for row in rows.values():
        _finish_ratios(row)
    _merge(groups, rows, [], {"attendance_rate": ("_rate", "_people")})
