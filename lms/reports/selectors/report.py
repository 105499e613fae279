"""Which tables one report page shows (and exports): indicators by a dimension, the gender quota, an optional
cross-table and, except for trainers, competency assessment. All of them already suppressed.

Must not import views, forms or services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .competency import competency_table
from .disaggregation import cross_table, indicator_table
from .filters import Scope
from .gender_quota import QuotaRow, gender_quota
from .tables import Table


@dataclass
class ReportTables:
    """The tables of one report page, in the order they are shown and exported (``tables``)."""

    indicators: Table
    quota_rows: list[QuotaRow]
    quota: Table | None
    cross: Table | None
    competency: Table | None
    tables: list[Table] = field(default_factory=list)


def report_tables(*, scope: Scope, view: str, dimension_key: str, cross: tuple[str, str] | None) -> ReportTables:
    """The tables of a report view: ``cross`` is (column dimension, indicator) or None; trainers ("facilitacion")
    get no competency table (competency is tied to no cohort)."""
    indicators = indicator_table(scope=scope, dimension_key=dimension_key)
    quota_rows, quota = gender_quota(scope=scope)
    crossed = (
        cross_table(scope=scope, row_dimension=dimension_key, column_dimension=cross[0], indicator=cross[1])
        if cross
        else None
    )
    competency = competency_table(scope=scope) if view != "facilitacion" else None
    tables = [t for t in (indicators, quota, crossed, competency) if t is not None]
    return ReportTables(indicators, quota_rows, quota, crossed, competency, tables)
