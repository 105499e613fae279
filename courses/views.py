"""Views of /aprender/: catalogue redirect, the learner's dashboard ("Mis cursos") and self-enrolment.

Views parse, call a service or selector and shape the output; the rules live in services and selectors.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lms.accounts.selectors import learner_tag
from lms.learnercache import mark_learner

from .models import CoursePage, ModulePage
from .selectors import (
    catalogue_page_get,
    course_outline_for_learner,
    enrollment_list_for_user,
    offline_bundle_allowed,
    offline_bundle_for_learner,
)
from .services import enrollment_create, offline_download_record

CERTIFICATES_INCLUDE = "certification/includes/dashboard_certificates.html"


def optional_template(name: str) -> str | None:
    """``name`` if that template exists (an upper app may provide it), else None."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


def catalogue(request):
    page = catalogue_page_get()
    if page is None:
        raise Http404(_("Todavía no hay un catálogo de cursos."))
    return redirect(page.url)


@login_required
def dashboard(request):
    response = render(
        request,
        "courses/dashboard.html",
        {
            "items": enrollment_list_for_user(user=request.user),
            "catalogue": catalogue_page_get(),
            "certificates_include": optional_template(CERTIFICATES_INCLUDE),
        },
    )
    # Kept for this learner until anything is written (lms/learnercache.py); relative dates at most 5 min old.
    return mark_learner(response, timeout=300)


@login_required
@require_POST
def enroll(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        enrollment_create(user=request.user, course=course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(course.url)
    messages.success(request, _("Te inscribiste en «%(course)s». ¡Buen comienzo!") % {"course": course.title})
    outline = course_outline_for_learner(course=course, user=request.user)
    return redirect(outline.next_lesson.url if outline.next_lesson else course.url)


@never_cache
@require_GET
def offline_bundle(request, course_id: int):
    """JSON list of what the phone downloads to study a course (``?modulo=<id>``: one module) offline."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Inicia sesión para descargar el curso.")}, status=401)
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not offline_bundle_allowed(course=course, user=request.user):
        return JsonResponse({"error": _("Inscríbete en el curso para descargarlo.")}, status=403)
    module = None
    if request.GET.get("modulo"):
        try:
            module_id = int(request.GET["modulo"])
        except ValueError:
            raise Http404 from None
        module = get_object_or_404(ModulePage.objects.live().child_of(course), pk=module_id)
    bundle = offline_bundle_for_learner(course=course, user=request.user, module=module)
    offline_download_record(user=request.user, course=course)
    return JsonResponse(
        {
            "course": {"id": course.pk, "title": course.title, "url": course.url},
            "module": {"id": module.pk, "title": module.title} if module else None,
            "version": bundle.version,
            "cache": f"ruta-offline-{learner_tag(user=request.user)}-{course.pk}",
            "scope": course.url,
            "items": [{"url": i.url, "kind": i.kind, "size": i.size, "title": i.title, "v": i.v} for i in bundle.items],
            # Activities that load files from the Internet: not downloaded, the learner is told they need signal.
            "needs_internet": [
                {"lesson": a.lesson_title, "url": a.lesson_url, "activity": a.title} for a in bundle.needs_internet
            ],
            "sizes": {
                "base": bundle.size("page", "asset", "image", "package"),
                "document": bundle.size("document"),
                "media": bundle.size("media"),
            },
        }
    )


@require_GET
def offline_service_worker(request):
    """The offline study worker; a page registers it (scope: one course) only when its learner downloads that course,
    so learners who never download load no worker at all."""
    language = request.GET.get("idioma", "")
    if language not in dict(settings.LANGUAGES):
        language = get_language() or settings.LANGUAGE_CODE
    with translation.override(language):  # the page's language: a worker's own request may carry the browser's
        messages_json = json.dumps(
            {
                "title": _("Sin conexión"),
                "text": _(
                    "Esta página no está descargada en tu teléfono. Vuelve al curso para seguir con lo que descargaste."
                ),
                "back": _("Volver al curso"),
                "lang": language,
            }
        )
    response = render(
        request,
        "courses/offline-sw.js",
        {"messages_json": messages_json},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
