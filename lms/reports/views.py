"""Report pages per role, aggregated exports and the data steward's participant list.

Views parse the request, ask ``selectors`` (scoping, indicators, suppression) and ``services`` (exports),
and shape the response. They hold no rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import charts, services
from .dimensions import DIMENSIONS
from .forms import ReportFilterForm, RowRequestForm
from .selectors.filters import Filters, Scope, filter_choices
from .selectors.participants import (
    ROW_FIELDS,
    SENSITIVE_FIELDS,
    row_request_institutions,
    row_requests_to_decide,
    steward_institution_ids,
)
from .selectors.report import report_tables
from .selectors.roles import VIEWS, donor_scope_for, report_views_for_user, universe_for
from .selectors.tables import k_threshold
from .selectors.universes import Universe, funding_sources


def _report_context(request: HttpRequest, view: str) -> dict:
    if view not in VIEWS:
        raise Http404
    if view not in report_views_for_user(user=request.user):
        raise PermissionDenied
    universe = universe_for(user=request.user, view=view)
    donor_scope = donor_scope_for(user=request.user, view=view)
    form = ReportFilterForm(
        request.GET or None,
        choices=filter_choices(universe=universe),
        funding=funding_sources(),
        fixed_funding=bool(donor_scope),
    )
    # A bad parameter never widens the report: with any form error no figure is computed from the role's
    # universe (the page shows the errors, the export answers 400), instead of silently dropping every filter.
    filter_errors = bool(request.GET) and not form.is_valid()
    filters = form.filters() if request.GET and not filter_errors else Filters()
    scope = Scope(universe=Universe() if filter_errors else universe, filters=filters)
    dimension_key = form.dimension() if request.GET else "sexo"
    cross = form.cross() if request.GET else None
    tables = report_tables(scope=scope, view=view, dimension_key=dimension_key, cross=cross)
    table, quota_rows = tables.indicators, tables.quota_rows
    charted = [r for r in quota_rows if r.status != "hidden"]  # a suppressed cohort has no bar (nor a colour)
    return {
        "view": view,
        "view_title": VIEWS[view][1],
        "form": form,
        "scope": scope,
        "universe_empty": universe.is_empty,
        "filter_errors": filter_errors,
        "donor_scope": donor_scope,
        "dimension": DIMENSIONS[dimension_key],
        "table": table,
        "summary": list(zip(table.columns, table.total_row.cells, strict=True)) if table.total_row else [],
        "chart": charts.bar_chart(
            table, "enrolled", title=_("Personas inscritas por %(d)s") % {"d": str(DIMENSIONS[dimension_key].label)}
        ),
        "quota_rows": quota_rows,
        "quota_table": tables.quota,
        "quota_chart": charts.quota_chart(charted, title=_("Mujeres por grupo (%)")) if charted else None,
        "quota_warnings": [r for r in quota_rows if r.status == "warning"],
        "cross_table": tables.cross,
        "competency": tables.competency,
        "tables": tables.tables,
        "k": k_threshold(),
        "query": request.GET.urlencode(),
        "other_views": report_views_for_user(user=request.user),
        "all_views": VIEWS,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    views = report_views_for_user(user=request.user)
    if not views:
        raise PermissionDenied
    if len(views) == 1:
        return redirect("reports:report", view=views[0])
    return render(request, "reports/index.html", {"views": [(v, VIEWS[v][1]) for v in views]})


@login_required
def report(request: HttpRequest, view: str) -> HttpResponse:
    return render(request, "reports/report.html", _report_context(request, view))


@login_required
def export(request: HttpRequest, view: str, file_format: str) -> HttpResponse:
    if file_format not in services.CONTENT_TYPES:
        raise Http404
    context = _report_context(request, view)
    if context["filter_errors"]:
        return HttpResponseBadRequest(
            _("Los filtros tienen errores; corrígelos en la página del informe antes de descargar."),
            content_type="text/plain; charset=utf-8",
        )
    content, _audit = services.report_export(
        user=request.user, view=view, scope=context["scope"], tables=context["tables"], file_format=file_format
    )
    response = HttpResponse(content, content_type=services.CONTENT_TYPES[file_format])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="informe-{view}-{stamp}.{file_format}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def participants(request: HttpRequest) -> HttpResponse:
    """Row-level list of participants: data stewards only, with a purpose; every export is audited."""
    view = "datos"
    if view not in report_views_for_user(user=request.user):
        raise PermissionDenied
    universe = universe_for(user=request.user, view=view)
    error = ""
    if request.method == "POST":
        file_format = request.POST.get("formato", "csv")
        if file_format not in services.CONTENT_TYPES:
            file_format = "csv"
        scope = Scope(universe=universe, filters=Filters())
        try:
            content, _audit = services.participant_list_export(
                user=request.user,
                view=view,
                scope=scope,
                allowed=True,
                purpose=request.POST.get("proposito", ""),
                sensitive_fields=request.POST.getlist("campos_sensibles"),
                file_format=file_format,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            response = HttpResponse(content, content_type=services.CONTENT_TYPES[file_format])
            stamp = timezone.localdate().isoformat()
            response["Content-Disposition"] = f'attachment; filename="participantes-{stamp}.{file_format}"'
            return response
    return render(
        request,
        "reports/participants.html",
        {
            "row_fields": ROW_FIELDS,
            "sensitive_fields": SENSITIVE_FIELDS,
            "error": error,
            "purpose": request.POST.get("proposito", ""),
            "chosen": request.POST.getlist("campos_sensibles"),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def row_requests(request: HttpRequest) -> HttpResponse:
    """M&E officers ask for their institution's participant list; its data stewards approve or reject."""
    from .models import RowExportRequest

    user = request.user
    institutions = row_request_institutions(user=user)
    to_decide = row_requests_to_decide(user=user)
    is_steward = user.is_superuser or bool(steward_institution_ids(user=user))
    if not institutions.exists() and not is_steward:
        raise PermissionDenied
    error = ""
    form = RowRequestForm(
        request.POST if request.method == "POST" else None, institutions=institutions, to_decide=to_decide
    )
    if request.method == "POST":
        form.is_valid()  # each action reads only its own fields, so errors elsewhere do not stop it
        cleaned = form.cleaned_data
        action = cleaned.get("accion")
        try:
            if action == "pedir":
                if form.ask_errors():
                    raise ValidationError(form.ask_errors())
                services.row_export_request_create(
                    user=user,
                    institution=cleaned["institucion"],
                    purpose=cleaned.get("proposito", ""),
                    sensitive_fields=cleaned.get("campos_sensibles", []),
                    file_format=cleaned.get("formato") or "csv",
                )
                messages.success(request, _("Solicitud enviada a la custodia de datos."))
            elif action in ("aprobar", "rechazar"):
                pending = cleaned.get("solicitud")
                if pending is None:
                    raise PermissionDenied
                services.row_export_request_decide(
                    request=pending, steward=user, approve=action == "aprobar", note=cleaned.get("nota", "")
                )
                messages.success(request, _("Decisión registrada."))
            return redirect("reports:row_requests")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    return render(
        request,
        "reports/row_requests.html",
        {
            "institutions": institutions,
            "mine": RowExportRequest.objects.filter(requester=user).select_related("institution", "decided_by")[:20],
            "to_decide": to_decide,
            "decided": RowExportRequest.objects.filter(decided_by=user).select_related("requester", "institution")[:20],
            "row_fields": ROW_FIELDS,
            "sensitive_fields": SENSITIVE_FIELDS,
            "sensitive_labels": dict(SENSITIVE_FIELDS),
            "error": error,
            "purpose": form["proposito"].value() or "",
            "chosen": form["campos_sensibles"].value() or [],
            "now": timezone.now(),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["POST"])
def row_request_download(request: HttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404

    from .models import RowExportRequest

    row_request = get_object_or_404(RowExportRequest, pk=pk, requester=request.user)
    try:
        content, _audit = services.row_export_request_download(request=row_request, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reports:row_requests")
    response = HttpResponse(content, content_type=services.CONTENT_TYPES[row_request.file_format])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="participantes-{stamp}.{row_request.file_format}"'
    return response
