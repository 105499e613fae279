"""Writes of reports: export files (CSV, XLSX) and their audit rows. Nothing else is ever written.

Aggregated exports carry only suppressed tables (``selectors.tables.Table``); the row-level participant list
is for data stewards only, needs a stated purpose, and every sensitive field asked for is logged. An M&E officer
gets it only through a request that a data steward of the institution approves (downloaded once, logged).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import Role, User

from .models import ExportAudit, RowExportRequest
from .selectors.filters import Filters, Scope
from .selectors.participants import (
    SENSITIVE_FIELDS,
    participant_rows,
    row_request_institutions,
    steward_institution_ids,
)
from .selectors.tables import Table
from .selectors.universes import institution_universe

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
    headers, rows = participant_rows(scope=scope, sensitive=sensitive)
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


# --- row-level list with approval (DOMAIN §8 story 50) ---------------------------------------------------------


def _notify(user: Any, title: Callable[[], str]) -> None:
    """``title`` is written when called, in the reader's language (not the sender's)."""
    from django.urls import reverse

    from courses.cohorts.services import notice_language, notification_send

    if user is not None:
        with notice_language(user):
            notification_send(user=user, title=title(), url=reverse("reports:row_requests"))


def row_export_request_create(
    *, user: User, institution: Any, purpose: str, sensitive_fields: Iterable[str] = (), file_format: str = "csv"
) -> RowExportRequest:
    """An M&E officer asks for their institution's participant list; its data stewards are told."""
    institution_pk = getattr(institution, "pk", None)
    if institution_pk is None or not row_request_institutions(user=user).filter(pk=institution_pk).exists():
        raise PermissionDenied(_("Solo el equipo de monitoreo de la institución puede pedir su lista."))
    purpose = (purpose or "").strip()
    if len(purpose) < 10:
        raise ValidationError(_("Indica para qué necesitas la lista (al menos 10 caracteres)."))
    known = [key for key, _label in SENSITIVE_FIELDS]
    request = RowExportRequest.objects.create(
        requester=user,
        institution=institution,
        purpose=purpose,
        sensitive_fields=[key for key in known if key in set(sensitive_fields)],
        file_format=file_format if file_format in CONTENT_TYPES else "csv",
    )
    stewards = User.objects.filter(
        memberships__institution=institution, memberships__role=Role.DATA_STEWARD, is_active=True
    ).distinct()
    for steward in stewards.exclude(pk=user.pk):
        _notify(
            steward,
            lambda: _("Piden la lista de participantes de %(i)s: revisa la solicitud") % {"i": institution.name},
        )
    return request


@transaction.atomic
def row_export_request_decide(
    *, request: RowExportRequest, steward: User, approve: bool, note: str = ""
) -> RowExportRequest:
    """A data steward of the institution (never the requester) approves or rejects, with a note when rejecting."""
    request = RowExportRequest.objects.select_for_update().get(pk=request.pk)
    if not (steward.is_superuser or request.institution_id in steward_institution_ids(user=steward)):
        raise PermissionDenied(_("Solo la custodia de datos de la institución decide esta solicitud."))
    if steward.pk == request.requester_id:
        raise PermissionDenied(_("Nadie puede aprobar su propia solicitud."))
    if request.status != RowExportRequest.Status.PENDING:
        raise ValidationError(_("Esta solicitud ya fue decidida."))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError(_("Explica por qué se rechaza."))
    now = timezone.now()
    request.status = RowExportRequest.Status.APPROVED if approve else RowExportRequest.Status.REJECTED
    request.decided_by, request.decided_at, request.decision_note = steward, now, note
    request.approved_until = now + timedelta(days=RowExportRequest.APPROVAL_DAYS) if approve else None
    request.save()
    _notify(
        request.requester,
        lambda: (
            _("Tu solicitud de la lista de participantes fue aprobada: descárgala en los próximos %(d)s días")
            % {"d": RowExportRequest.APPROVAL_DAYS}
            if approve
            else _("Tu solicitud de la lista de participantes fue rechazada")
        ),
    )
    return request


@transaction.atomic
def row_export_request_download(*, request: RowExportRequest, user: User) -> tuple[bytes, ExportAudit]:
    """The requester downloads an approved list once, before it lapses, with exactly the approved fields."""
    request = RowExportRequest.objects.select_for_update(of=("self",)).select_related("decided_by").get(pk=request.pk)
    if request.requester_id != user.pk:
        raise PermissionDenied
    if request.status == RowExportRequest.Status.DOWNLOADED:
        raise ValidationError(_("Esta lista ya se descargó una vez. Si la necesitas de nuevo, haz otra solicitud."))
    if request.status != RowExportRequest.Status.APPROVED:
        raise ValidationError(_("Esta solicitud no está aprobada."))
    if request.approved_until is None or request.approved_until < timezone.now():
        raise ValidationError(_("La aprobación venció. Haz otra solicitud."))
    scope = Scope(universe=institution_universe(institution_ids=[request.institution_id]), filters=Filters())
    headers, rows = participant_rows(scope=scope, sensitive=list(request.sensitive_fields))
    content = _render([_dataset(_("Participantes"), headers, rows)], request.file_format)
    approver = request.decided_by.printed_name if request.decided_by else ""
    audit = ExportAudit.objects.create(
        user=user,
        kind=ExportAudit.Kind.ROW_LEVEL,
        view="monitoreo",
        file_format=request.file_format,
        filters={"institution": request.institution_id, "request": request.pk},
        fields=headers,
        sensitive_fields=list(request.sensitive_fields),
        purpose=_("%(p)s (aprobó: %(a)s)") % {"p": request.purpose, "a": approver},
        row_count=len(rows),
    )
    request.status, request.downloaded_at, request.audit = RowExportRequest.Status.DOWNLOADED, timezone.now(), audit
    request.save(update_fields=["status", "downloaded_at", "audit"])
    return content, audit
