"""Competency assessment: candidates per stage, decisions and the pass rate (competent among decided), from
``competency.Application``. Competency is tied to no course or cohort, so it does not apply when a filter
narrows the report to courses, cohorts, a region or a funding source.

Must not import views, forms or services.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from certification.competency.models import Application

from .filters import Scope, _in_period, _period_bounds
from .tables import Column, Table, TableRow, _fmt, _table_notes, k_threshold, suppressed_count_column
from .universes import APPLICATION


def competency_table(*, scope: Scope) -> Table | None:
    """Competency assessment: candidates per stage, decisions and pass rate (competent among decided)."""
    if scope.filters.restricts_delivery or not scope.applies(APPLICATION):
        return None
    k = k_threshold()
    f = scope.filters
    qs = Application.objects.filter(scope.q(APPLICATION))
    start, end = _period_bounds(f)
    if end:
        qs = qs.filter(created_at__lt=end)
    if start:
        qs = qs.filter(Q(decided_at__isnull=True) | Q(decided_at__gte=start))
    if not qs.exists():
        return None
    stages = list(Application.Status.choices)
    # One row per application (a candidate assessed against one standard): the stages add up to the total.
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    cells, total_cell = suppressed_count_column(
        values=[by_status.get(s, 0) for s, _label in stages], total=qs.count(), k=k
    )
    decided = qs.filter(_in_period("decided_at", f), status__in=["decided", "appealed"])
    decided_n = decided.count()
    competent_n = decided.filter(result="competent").count()
    rate_hidden = decided_n < k
    rows = [TableRow(s, str(label), [c]) for (s, label), c in zip(stages, cells, strict=True)]
    rows.append(TableRow("total", str(_("Total")), [total_cell], is_total=True))
    pass_rate = round(100 * competent_n / decided_n, 1) if decided_n else None
    notes = [
        *_table_notes(k),
        str(
            _("Tasa de aprobación: %(rate)s de %(n)s decisiones en el periodo (competente entre las decididas).")
            % {
                "rate": "—" if pass_rate is None else (f"<{k}" if rate_hidden else f"{_fmt('rate', pass_rate)} %"),
                "n": f"<{k}" if rate_hidden else decided_n,
            }
        ),
    ]
    table = Table(
        key="competencias-etapas",
        caption=str(_("Evaluación de competencias: candidatas y candidatos por etapa")),
        row_header=str(_("Etapa")),
        columns=[Column("applications", str(_("Postulaciones")))],
        rows=rows,
        notes=notes,
    )
    table.pass_rate = None if rate_hidden else pass_rate  # type: ignore[attr-defined]
    table.decided = None if rate_hidden else decided_n  # type: ignore[attr-defined]
    return table


def competency_pass_rate(*, scope: Scope) -> tuple[float | None, int]:
    """(pass rate in percent, decided applications) in the period, unsuppressed (for tests and internal use)."""
    decided = Application.objects.filter(scope.q(APPLICATION)).filter(
        _in_period("decided_at", scope.filters), status__in=["decided", "appealed"]
    )
    n = decided.count()
    competent = decided.filter(result="competent").count()
    return (round(100 * competent / n, 1) if n else None), n
