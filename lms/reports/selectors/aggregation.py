"""People counted in one SQL statement: facts aggregated per person first, then per dimension value.

Shared by the indicator families (``enrolment``, ``certificates``, ``attendance``). ``GroupStats`` holds the
raw, unsuppressed figures of one group; they never leave the selectors package except through a ``Table``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from lms.accounts.models import User

from ..dimensions import NOT_STATED, Dimension, dimension_annotations


@dataclass
class GroupStats:
    """Raw figures for one group of people (a dimension value, or everybody)."""

    counts: dict[str, int] = field(default_factory=dict)
    # For rates and means: (value, number of people it is computed from)
    ratios: dict[str, tuple[float | None, int]] = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """PostgreSQL sums integers as NUMERIC: give plain ints (and floats) back."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _rows(
    qs: QuerySet,
    dimension: Dimension | None,
    per_person: dict[str, Any],
    outer: dict[str, tuple[str, str]],
    user_path: str,
    ref: date,
) -> dict:
    """``{dimension value (or None): {name: value}}`` by aggregating twice, in one SQL statement.

    The inner query groups facts by person (and dimension value) with ``per_person`` aggregates; the outer
    one adds them up per dimension value: ``("people", x)`` counts people whose ``x`` is positive,
    ``("sum", x)`` sums ``x``. Counting distinct people this way is a hash aggregate instead of a sort
    per ``COUNT(DISTINCT ...)``, which is what keeps reports fast at 100,000 people.
    """
    user_field = f"{user_path}_id"
    # Aggregate per person first, without touching profiles; the dimension is joined afterwards, on one
    # row per person rather than one per fact (400,000 attendance records become 100,000 people).
    inner = qs.values(user_field).annotate(**per_person).order_by()
    try:
        sql, params = inner.query.sql_with_params()
        if dimension is not None:
            people = User.objects.annotate(**dimension_annotations(dimension, "", ref))
            people = people.values("id", "_dim")  # type: ignore[misc]  # annotated through **kwargs: invisible to django-stubs
            dim_sql, dim_params = people.query.sql_with_params()
    except EmptyResultSet:  # an empty universe: nothing to count
        return {} if dimension is not None else {None: dict.fromkeys(outer)}
    quote = connection.ops.quote_name
    columns = []
    for name, (kind, source) in outer.items():
        if kind == "people":
            columns.append(f"SUM(CASE WHEN t.{quote(source)} > 0 THEN 1 ELSE 0 END) AS {quote(name)}")
        else:
            columns.append(f"SUM(t.{quote(source)}) AS {quote(name)}")
    select = ", ".join(columns)
    # Names below are ours (quoted); every value is a parameter.
    if dimension is not None:
        statement = (
            f"SELECT d.{quote('_dim')}, {select} FROM ({sql}) t "  # noqa: S608
            f"INNER JOIN ({dim_sql}) d ON d.{quote('id')} = t.{quote(user_field)} GROUP BY d.{quote('_dim')}"
        )
        params = (*params, *dim_params)
    else:
        statement = f"SELECT {select} FROM ({sql}) t"  # noqa: S608
    names = list(outer)
    result: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for record in cursor.fetchall():
            if dimension is not None:
                key, values = record[0] or NOT_STATED, record[1:]
            else:
                key, values = None, record
            result[key] = {n: _plain(v) for n, v in zip(names, values, strict=True)}
    return result


def _merge(
    target: dict[Any, GroupStats], rows: dict, counts: Iterable[str], ratios: dict[str, tuple[str, str]]
) -> None:
    for key, row in rows.items():
        stats = target.setdefault(key, GroupStats())
        for name in counts:
            stats.counts[name] = stats.counts.get(name, 0) + (row.get(name) or 0)
        for name, (value_key, n_key) in ratios.items():
            stats.ratios[name] = (row.get(value_key), row.get(n_key) or 0)


def _finish_ratios(row: dict) -> dict:
    """Ratios from raw sums (sums add up across groups, so totals need no second query)."""
    row["_score"] = round(row["_score_sum"] / row["_score_cnt"], 1) if row.get("_score_cnt") else None
    duration = row.get("_dur_sum")
    if duration is not None and row.get("_dur_cnt"):
        seconds = duration.total_seconds() if hasattr(duration, "total_seconds") else duration / 1_000_000
        row["_days"] = round(seconds / 86400 / row["_dur_cnt"], 1)
    else:
        row["_days"] = None
    row["_rate"] = round(100 * row["_present"] / row["_records"], 1) if row.get("_records") else None
    return row


def _with_total(rows: dict, dimension: Dimension | None) -> dict:
    """Add the total (key None) by summing the groups: every person falls in exactly one group."""
    if dimension is None:
        return rows
    total: dict[str, Any] = {}
    for row in rows.values():
        for key, value in row.items():
            if key == "_dim" or value is None:
                continue
            total[key] = total[key] + value if key in total else value
    rows[None] = total
    return rows
