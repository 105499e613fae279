"""Writes of reports: export files (CSV, XLSX) and their audit rows. Nothing else is ever written.

Aggregated exports carry only suppressed tables (``selectors.Table``); the row-level participant list
is for data stewards only, needs a stated purpose, and every sensitive field asked for is logged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from lms.accounts.models import User

from .models import ExportAudit
from .selectors import SENSITIVE_FIELDS, Scope, Table, participant_rows

#: Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def cell_safe(value: Any) -> Any:
    """A value that no spreadsheet will run: text starting with a formula character gets a leading quote.

    Numbers stay numbers (a negative number is data, not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _table_rows(table: Table) -> tuple[list[str], list[list[Any]]]:
    headers = [table.row_header, *[c.label for c in table.columns]]
    rows = []
    for row in table.rows:
        rows.append([row.label, *[(c.value if c.is_number else c.text) for c in row.cells]])
    return headers, rows


def _dataset(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> tablib.Dataset:
    data = tablib.Dataset(title=title[:31])
    data.headers = [cell_safe(h) for h in headers]
    for row in rows:
        data.append([cell_safe(v) for v in row])
    return data


def _render(datasets: list[tablib.Dataset], file_format: str) -> bytes:
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for index, data in enumerate(datasets):
            if index:
                writer.writerow([])
            if len(datasets) > 1:
                writer.writerow([cell_safe(data.title)])
            writer.writerow(data.headers)
            writer.writerows(data)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 with accents
    if file_format == "xlsx":
        book = tablib.Databook()
        used: set[str] = set()
        for data in datasets:
            title = (data.title or "Hoja")[:28]
            while title in used:
                title = title[:26] + f"_{len(used)}"
            used.add(title)
            data.title = title
            book.add_sheet(data)
        return book.export("xlsx")
    raise ValidationError(_("Formato no admitido."))


def report_export(
    *, user: User, view: str, scope: Scope, tables: list[Table], file_format: str
) -> tuple[bytes, ExportAudit]:
    """Export suppressed tables (and their notes) as CSV or XLSX, and log the export."""
    datasets = []
    for table in tables:
        headers, rows = _table_rows(table)
        width = len(headers)
        rows += [[note] + [""] * (width - 1) for note in table.notes]
        datasets.append(_dataset(table.caption, headers, rows))
    content = _render(datasets, file_format)
    audit = ExportAudit.objects.create(
        user=user,
        kind=ExportAudit.Kind.AGGREGATE,
        view=view,
        file_format=file_format,
        filters=scope.filters.as_dict(),
        fields=[t.key for t in tables],
        row_count=sum(len(t.rows) for t in tables),
    )
    return content, audit


def participant_list_export(
    *,
    user: User,
    view: str,
    scope: Scope,
    allowed: bool,
    purpose: str,
    sensitive_fields: Iterable[str] = (),
    file_format: str = "csv",
) -> tuple[bytes, ExportAudit]:
    """The row-level participant list, for data stewards only, with a stated purpose; every export is logged.

    Sensitive fields are left out unless asked for by name; those asked for are recorded in the audit row.
    """
    if not allowed:
        raise PermissionDenied(_("Solo la custodia de datos puede exportar la lista de participantes."))
    purpose = (purpose or "").strip()
    if len(purpose) < 10:
        raise ValidationError(_("Indica para qué necesitas la lista (al menos 10 caracteres)."))
    known = {key for key, _label in SENSITIVE_FIELDS}
    sensitive = [key for key in sensitive_fields if key in known]
    headers, rows = participant_rows(scope, sensitive)
    content = _render([_dataset(_("Participantes"), headers, rows)], file_format)
    audit = ExportAudit.objects.create(
        user=user,
        kind=ExportAudit.Kind.ROW_LEVEL,
        view=view,
        file_format=file_format,
        filters=scope.filters.as_dict(),
        fields=headers,
        sensitive_fields=sensitive,
        purpose=purpose,
        row_count=len(rows),
    )
    return content, audit
