"""Report pages per role, aggregated exports and the data steward's participant list.

Views parse the request, ask ``selectors`` (scoping, indicators, suppression) and ``services`` (exports),
and shape the response. They hold no rules.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lms.accounts.models import Membership, Role

from . import charts, selectors, services
from .dimensions import DIMENSIONS
from .forms import ReportFilterForm


def _report_context(request: HttpRequest, view: str) -> dict:
    if view not in selectors.VIEWS:
        raise Http404
    if view not in selectors.report_views_for_user(request.user):
        raise PermissionDenied
    universe = selectors.universe_for(request.user, view)
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
        choices=selectors.filter_choices(universe),
        funding=selectors.funding_sources(),
        fixed_funding=bool(donor_scope),
    )
    filters = form.filters() if request.GET else selectors.Filters()
    scope = selectors.Scope(universe=universe, filters=filters)
    dimension_key = form.dimension() if request.GET else "sexo"
    table = selectors.indicator_table(scope, dimension_key)
    quota_rows, quota_table = selectors.gender_quota(scope)
    cross = form.cross() if request.GET else None
    cross_table = selectors.cross_table(scope, dimension_key, cross[0], cross[1]) if cross else None
    competency = selectors.competency_table(scope) if view != "facilitacion" else None
    tables = [t for t in (table, quota_table, cross_table, competency) if t is not None]
    return {
        "view": view,
        "view_title": selectors.VIEWS[view][1],
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
        "cross_table": cross_table,
        "competency": competency,
        "tables": tables,
        "k": selectors.k_threshold(),
        "query": request.GET.urlencode(),
        "other_views": selectors.report_views_for_user(request.user),
        "all_views": selectors.VIEWS,
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    views = selectors.report_views_for_user(request.user)
    if not views:
        raise PermissionDenied
    if len(views) == 1:
        return redirect("reports:report", view=views[0])
    return render(request, "reports/index.html", {"views": [(v, selectors.VIEWS[v][1]) for v in views]})


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
    if view not in selectors.report_views_for_user(request.user):
        raise PermissionDenied
    universe = selectors.universe_for(request.user, view)
    error = ""
    if request.method == "POST":
        file_format = request.POST.get("formato", "csv")
        if file_format not in services.CONTENT_TYPES:
            file_format = "csv"
        scope = selectors.Scope(universe=universe, filters=selectors.Filters())
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
            "row_fields": selectors.ROW_FIELDS,
            "sensitive_fields": selectors.SENSITIVE_FIELDS,
            "error": error,
            "purpose": request.POST.get("proposito", ""),
            "chosen": request.POST.getlist("campos_sensibles"),
        },
        status=400 if error else 200,
    )
