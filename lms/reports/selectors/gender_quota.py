"""The gender quota: the share of women per cohort against the 50 % goal, with an early warning while a
cohort's enrolment is still open. "No indicado" is never counted as a woman.

Counts are suppressed as a cohort × sex cross-table. When a cohort's women or total are hidden, so is its status
(«Cumple»/«No cumple» would tell the sex of the one or two people in a small group): it is "hidden" («—»), and such
rows are left out of the early warnings and the chart. Must not import views, forms or services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.cohorts.models import Cohort, CohortMember

from .. import suppression
from ..dimensions import DIMENSIONS, NOT_STATED, dimension_annotations, ordered_values, value_label
from .disaggregation import _told_apart, _wider_scopes
from .filters import Scope
from .tables import Cell, Column, Table, TableRow, _fmt, _table_notes, k_threshold
from .universes import MEMBER

QUOTA_SHARE = 50


@dataclass
class QuotaRow:
    cohort_id: int
    name: str
    place: str
    women: Cell
    total: Cell
    share: float | None  # None when hidden
    status: str  # "ok", "warning" (enrolment still open), "bad", "hidden" (counts suppressed: no status either)
    open: bool
    women_only: bool


def _cohort_open(cohort: Any, today: date) -> bool:
    return bool(cohort.join_open and (cohort.ends_on is None or cohort.ends_on >= today))


def _quota_counts(scope: Scope) -> tuple[dict[tuple[int, str], int], dict[str, int]]:
    """Members per (cohort, sex), and people (distinct) per sex, in ``scope``."""
    members = CohortMember.objects.filter(scope.q(MEMBER))
    sex = DIMENSIONS["sexo"]
    counts: dict[tuple[int, str], int] = {}
    for row in (
        members.annotate(**dimension_annotations(sex, "user", scope.reference_date))
        .values("cohort_id", "_dim")  # type: ignore[misc]  # annotated through **kwargs: invisible to django-stubs
        .annotate(n=Count("id"))  # one row per (cohort, person): no DISTINCT needed
        .order_by()
    ):
        key = (row["cohort_id"], row["_dim"] or NOT_STATED)
        counts[key] = counts.get(key, 0) + row["n"]
    # The Total row counts people, not memberships: someone in two cohorts is one person (DOMAIN §5.4).
    people: dict[str, int] = {}
    for row in (
        members.annotate(**dimension_annotations(sex, "user", scope.reference_date))
        .values("_dim")  # type: ignore[misc]  # annotated through **kwargs: invisible to django-stubs
        .annotate(n=Count("user_id", distinct=True))
        .order_by()
    ):
        people[row["_dim"] or NOT_STATED] = people.get(row["_dim"] or NOT_STATED, 0) + row["n"]
    return counts, people


def _quota_flat(
    counts: dict[tuple[int, str], int], people: dict[str, int], cohorts: list[int], sexes: list[str]
) -> list[list[int]]:
    """The figures of a cohort × sex table of ``cohorts`` in ``suppress_cross_table``'s order (each row and its
    total, then the column totals and the grand total), twice: with the margins summed over every membership
    ``counts`` holds (a wider report's too), and with them counted as people (``people``, the Total row)."""
    rows: list[int] = []
    for pk in cohorts:
        rows += [counts.get((pk, s), 0) for s in sexes]
        rows.append(sum(n for (c, _s), n in counts.items() if c == pk))
    memberships = [sum(n for (_c, ss), n in counts.items() if ss == s) for s in sexes]
    by_sex = [people.get(s, 0) for s in sexes]
    return [[*rows, *memberships, sum(memberships)], [*rows, *by_sex, sum(by_sex)]]


def gender_quota(*, scope: Scope) -> tuple[list[QuotaRow], Table | None]:
    """Share of women per cohort (≥ 50 %), with an early warning while enrolment is still open.

    "No indicado" is never counted as women. Counts are suppressed as a cohort × sex cross-table.
    """
    k = k_threshold()
    members = CohortMember.objects.filter(scope.q(MEMBER))
    cohort_ids = list(members.values_list("cohort_id", flat=True).distinct().order_by())
    if not cohort_ids:
        return [], None
    cohorts = {c.pk: c for c in Cohort.objects.filter(pk__in=cohort_ids).order_by("-starts_on", "name")}
    sex = DIMENSIONS["sexo"]
    counts, people = _quota_counts(scope)
    sexes = ordered_values(sex, set())
    order = list(cohorts)
    grid = [[counts.get((pk, s), 0) for s in sexes] for pk in order]
    # As in disaggregation.indicator_table: a filtered report is compared with every wider one the reader can ask
    # for (_wider_scopes). A figure whose difference from the same figure there is 1..k−1 — a cohort's women, its
    # total, the women or people of the table — would tell the rest of the wider scope (a small cohort its own
    # table hides) by subtraction: it is hidden too, with its partner.
    # The margins are compared both as memberships (the sum of the cohort rows) and as people (the Total row), each
    # against each: a reader can add up rows or read the Total row of either report.
    wider = [_quota_counts(w) for w in _wider_scopes(scope)]
    narrow = _quota_flat(counts, people, order, sexes)
    wider_flat = [variant for c, p in wider for variant in _quota_flat(c, p, order, sexes)]
    forced = [any(told) for told in zip(*(_told_apart(n, wider_flat, k) for n in narrow), strict=True)]
    result = suppression.suppress_cross_table(grid, k, forced)
    today = timezone.localdate()
    quota_rows = []
    table_rows = []
    women_index = sexes.index("F")
    for i, pk in enumerate(order):
        cohort = cohorts[pk]
        women, women_h = result.cells[i][women_index], result.hidden[i][women_index]
        total, total_h = result.row_totals[i], result.row_totals_hidden[i]
        share_value = round(100 * women / total, 1) if total else None
        is_open = _cohort_open(cohort, today)
        ok = share_value is not None and share_value >= QUOTA_SHARE
        status = "ok" if ok else ("warning" if is_open else "bad")
        if women_h or total_h:
            status = "hidden"
        shown_share = share_value if status != "hidden" else None
        quota_rows.append(
            QuotaRow(
                cohort_id=pk,
                name=cohort.name,
                place=cohort.place,
                women=Cell(None if women_h else women, suppression.display(women, women_h, k), women_h),
                total=Cell(None if total_h else total, suppression.display(total, total_h, k), total_h),
                share=shown_share,
                status=status,
                open=is_open,
                women_only=cohort.women_only,
            )
        )
        cells = [
            Cell(None if h else v, suppression.display(v, h, k), h)
            for v, h in zip(result.cells[i], result.hidden[i], strict=True)
        ]
        cells.append(Cell(None if total_h else total, suppression.display(total, total_h, k), total_h))
        cells.append(Cell(shown_share, _fmt("rate", shown_share) if shown_share is not None else "—"))
        cells.append(Cell(None, str(QUOTA_STATUS[status])))
        table_rows.append(TableRow(str(pk), f"{cohort.name} ({cohort.place})", cells))
    # The Total row counts people, not memberships: someone in two cohorts is one person (DOMAIN §5.4). Each person
    # has one sex, so the row is an additive line of its own; a figure the cohort × sex table hides in its margins
    # stays hidden here (with one cohort each, both are the same number).
    by_sex = [people.get(s, 0) for s in sexes]
    everyone = sum(by_sex)
    # Hidden wherever the cohort × sex table hides its margins (which a wider report's Total row already forces).
    total_forced = [bool(h) for h in result.col_totals_hidden] + [bool(result.grand_total_hidden)]
    by_sex_hidden, everyone_hidden = suppression.suppress_column(by_sex, everyone, k, total_forced)
    total_cells = [
        Cell(None if h else v, suppression.display(v, h, k), h) for v, h in zip(by_sex, by_sex_hidden, strict=True)
    ]
    total_cells.append(
        Cell(None if everyone_hidden else everyone, suppression.display(everyone, everyone_hidden, k), everyone_hidden)
    )
    wt, wth = by_sex[women_index], by_sex_hidden[women_index]
    overall = round(100 * wt / everyone, 1) if everyone and not (wth or everyone_hidden) else None
    total_cells.append(Cell(overall, _fmt("rate", overall) if overall is not None else "—"))
    total_cells.append(Cell(None, ""))
    table_rows.append(TableRow("total", str(_("Total (personas)")), total_cells, is_total=True))
    table = Table(
        key="cuota-mujeres",
        caption=str(_("Participación de mujeres por grupo (meta: al menos 50 %)")),
        row_header=str(_("Grupo")),
        columns=[Column(s or "no-indicado", value_label(sex, s)) for s in sexes]
        + [
            Column("total", str(_("Total"))),
            Column("share", str(_("Mujeres (%)")), "rate"),
            Column("status", str(_("Estado")), "text"),
        ],
        rows=table_rows,
        notes=[
            *_table_notes(k),
            str(_("«No indicado» nunca se cuenta como mujer.")),
            str(_("La fila Total cuenta personas: quien está en dos grupos se cuenta una vez.")),
        ],
    )
    return quota_rows, table


QUOTA_STATUS = {
    "ok": _("Cumple"),
    "warning": _("Alerta: inscripción abierta y mujeres por debajo del 50 %"),
    "bad": _("No cumple"),
    "hidden": "—",  # counts suppressed: the status would tell what they hide
}
