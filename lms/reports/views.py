"""Report pages per role, aggregated exports and the data steward's participant list.

Views parse the request, ask ``selectors`` (scoping, indicators, suppression) and ``services`` (exports),
and shape the response. They hold no rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lms.accounts.models import Membership, Role

from . import charts, services
from .dimensions import DIMENSIONS
from .forms import ReportFilterForm
from .selectors.competency import competency_table
from .selectors.disaggregation import cross_table, indicator_table
from .selectors.filters import Filters, Scope, filter_choices
from .selectors.gender_quota import gender_quota
from .selectors.participants import (
    ROW_FIELDS,
    SENSITIVE_FIELDS,
    row_request_institutions,
    row_requests_to_decide,
    steward_institution_ids,
)
from .selectors.roles import VIEWS, report_views_for_user, universe_for
from .selectors.tables import k_threshold
from .selectors.universes import funding_sources


def _report_context(request: HttpRequest, view: str) -> dict:
    if view not in VIEWS:
        raise Http404
    if view not in report_views_for_user(user=request.user):
        raise PermissionDenied
    universe = universe_for(user=request.user, view=view)
    donor_scope = ""
    if view == "cooperante" and not request.user.is_superuser:
        donor_scope = ", ".join(
            sorted(
                set(
                    Membership.objects.filter(user=request.user, role=Role.DONOR_VIEWER)
                    .exclude(scope="")
                    .values_list("scope", flat=True)
                )
            )
        )
    form = ReportFilterForm(
        request.GET or None,
        choices=filter_choices(universe=universe),
        funding=funding_sources(),
        fixed_funding=bool(donor_scope),
    )
    filters = form.filters() if request.GET else Filters()
    scope = Scope(universe=universe, filters=filters)
    dimension_key = form.dimension() if request.GET else "sexo"
    table = indicator_table(scope=scope, dimension_key=dimension_key)
    quota_rows, quota_table = gender_quota(scope=scope)
    cross = form.cross() if request.GET else None
    crossed = (
        cross_table(scope=scope, row_dimension=dimension_key, column_dimension=cross[0], indicator=cross[1])
        if cross
        else None
    )
    competency = competency_table(scope=scope) if view != "facilitacion" else None
    tables = [t for t in (table, quota_table, crossed, competency) if t is not None]
    return {
        "view": view,
        "view_title": VIEWS[view][1],
        "form": form,
        "scope": scope,
        "universe_empty": universe.is_empty,
        "donor_scope": donor_scope,
        "dimension": DIMENSIONS[dimension_key],
        "table": table,
        "summary": list(zip(table.columns, table.total_row.cells, strict=True)) if table.total_row else [],
        "chart": charts.bar_chart(
            table, "enrolled", title=_("Personas inscritas por %(d)s") % {"d": str(DIMENSIONS[dimension_key].label)}
        ),
        "quota_rows": quota_rows,
        "quota_table": quota_table,
        "quota_chart": charts.quota_chart(quota_rows, title=_("Mujeres por grupo (%)")) if quota_rows else None,
        "quota_warnings": [r for r in quota_rows if r.status == "warning"],
        "cross_table": crossed,
        "competency": competency,
        "tables": tables,
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
    if request.method == "POST":
        action = request.POST.get("accion")
        try:
            if action == "pedir":
                institution = institutions.filter(pk=request.POST.get("institucion") or 0).first()
                if institution is None:
                    raise ValidationError(_("Elige la institución."))
                services.row_export_request_create(
                    user=user,
                    institution=institution,
                    purpose=request.POST.get("proposito", ""),
                    sensitive_fields=request.POST.getlist("campos_sensibles"),
                    file_format=request.POST.get("formato", "csv"),
                )
                messages.success(request, _("Solicitud enviada a la custodia de datos."))
            elif action in ("aprobar", "rechazar"):
                pending = to_decide.filter(pk=request.POST.get("solicitud") or 0).first()
                if pending is None:
                    raise PermissionDenied
                services.row_export_request_decide(
                    request=pending, steward=user, approve=action == "aprobar", note=request.POST.get("nota", "")
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
            "purpose": request.POST.get("proposito", ""),
            "chosen": request.POST.getlist("campos_sensibles"),
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
