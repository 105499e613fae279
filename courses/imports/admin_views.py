"""Wagtail admin pages: upload a package → read the doctor's report → confirm → progress → final report.
No rules here: permission check, form, one service call, redirect."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import CourseExportForm, PackageUploadForm
from .models import PackageImport
from .selectors import earlier_imports, import_stalled, imports_visible_to
from .services import package_import_create

logger = logging.getLogger(__name__)


def _check(request: HttpRequest) -> None:
    # Granted to institution admins by their role's group (``lms.accounts.services.INSTITUTION_ADMIN_GROUP``).
    if not request.user.has_perm("imports.add_packageimport"):
        raise PermissionDenied


def _imports(request: HttpRequest) -> QuerySet[PackageImport]:
    return imports_visible_to(user=request.user)


def import_list(request: HttpRequest) -> HttpResponse:
    _check(request)
    form = PackageUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = package_import_create(
                file=upload,
                original_name=upload.name,
                user=request.user,
                target_page=form.cleaned_data["into"],
                institution=form.cleaned_data.get("institution"),
            )
        except Exception:  # an untrusted file must never give a server error: the upload is already removed
            logger.exception("inspecting the uploaded package %r failed", upload.name)
            form.add_error(
                "file",
                _("No se pudo revisar el paquete: su contenido no tiene una estructura válida. Vuelva a exportarlo."),
            )
        else:
            return redirect("imports_admin:detail", pk=record.pk)
    imports = _imports(request)[:30]
    return render(request, "imports/admin_list.html", {"form": form, "imports": imports})


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    record = get_object_or_404(_imports(request), pk=pk)
    findings = record.report.get("findings", [])
    context = {
        "record": record,
        "errors": [f for f in findings if f["level"] == "error"],
        "warnings": [f for f in findings if f["level"] == "warning"],
        "infos": [f for f in findings if f["level"] == "info"],
        "counts": record.report.get("counts", {}),
        "refresh": record.status in (PackageImport.Status.QUEUED, PackageImport.Status.RUNNING),
        "stalled": import_stalled(record=record),
    }
    if context["stalled"]:
        context["refresh"] = False
    if record.status in (PackageImport.Status.INSPECTED, PackageImport.Status.FAILED) or context["stalled"]:
        context["earlier"] = earlier = earlier_imports(record=record, user=request.user)
        context["second_copy"] = next((found for found in earlier if found.into_same_course), None)
    if record.course_page_id:
        from django.urls import reverse

        context["edit_url"] = reverse("wagtailadmin_pages:edit", args=[record.course_page_id])
    return render(request, "imports/admin_detail.html", context)


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    record = get_object_or_404(_imports(request), pk=pk)
    startable = (PackageImport.Status.INSPECTED, PackageImport.Status.FAILED)
    if record.status in startable or import_stalled(record=record):
        from .tasks import package_import_run_task

        duplicate = next(
            (found for found in earlier_imports(record=record, user=request.user) if found.into_same_course), None
        )
        if duplicate is not None and request.POST.get("second_copy") != "1":
            messages.error(
                request,
                _(
                    "«%(course)s» ya tiene este paquete. Para importarlo otra vez dentro de ese curso, marque "
                    "«Sí, añadir una segunda copia»; para cambiar el curso, edítelo en «Páginas»."
                )
                % {"course": duplicate.course.title if duplicate.course else ""},
            )
            return redirect("imports_admin:detail", pk=pk)

        PackageImport.objects.filter(pk=pk).update(
            status=PackageImport.Status.QUEUED, progress=0, progress_at=timezone.now()
        )
        transaction.on_commit(lambda: package_import_run_task.delay(record.pk, request.user.pk))
    return redirect("imports_admin:detail", pk=pk)


def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    _check(request)
    record = get_object_or_404(_imports(request), pk=pk)
    return JsonResponse(
        {
            "status": record.status,
            "progress": record.progress,
            "finished": record.finished,
            "stalled": import_stalled(record=record),
        }
    )


def course_export_view(request: HttpRequest, course_id: int) -> HttpResponse:
    """Download a course as a Ruta package (anyone who may edit the course)."""
    import tempfile

    from django.http import FileResponse
    from django.utils.text import slugify

    from courses.models import CoursePage
    from courses.page_permissions import may_change_course_page

    from .services import course_export_write

    course = get_object_or_404(CoursePage, pk=course_id)
    if not course.permissions_for_user(request.user).can_edit() or not may_change_course_page(request.user, course):
        raise PermissionDenied  # another institution's course is not theirs to download whole
    form = CourseExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after streaming
        problems = course_export_write(course=course, dest=tmp, **form.cleaned_data)
        tmp.seek(0)
        for problem in problems:
            messages.warning(request, _("No se incluyó: %(p)s") % {"p": problem})
        version = form.cleaned_data["version"]
        name = f"{slugify(course.code) or 'curso'}{'-' + slugify(version) if version else ''}.ruta.zip"
        return FileResponse(tmp, as_attachment=True, filename=name, content_type="application/zip")
    return render(request, "imports/admin_export.html", {"form": form, "course": course})
