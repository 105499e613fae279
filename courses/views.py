"""Views of /aprender/: catalogue redirect, the learner's dashboard ("Mis cursos") and self-enrolment.

Views parse, call a service or selector and shape the output; the rules live in services and selectors.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import CoursePage
from .selectors import catalogue_page_get, course_outline_for_learner, enrollment_list_for_user
from .services import enrollment_create

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
    return render(
        request,
        "courses/dashboard.html",
        {
            "items": enrollment_list_for_user(user=request.user),
            "catalogue": catalogue_page_get(),
            "certificates_include": optional_template(CERTIFICATES_INCLUDE),
        },
    )


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
