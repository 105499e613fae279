"""Views: parse the request, call a content service, shape the answer. No rules live here.

A submission answers JSON to ``activities.js`` (``Accept: application/json``) and redirects back to the
page otherwise (post/redirect/get), so activities work with JavaScript off.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from xblock.exceptions import NoSuchHandlerError

from content.exceptions import ActivityNotFound
from content.models import Submission
from content.selectors import activity_can_grade, activity_get, page_get_specific, submissions_gradable_by
from content.services import activity_submit, answer_keep_for_removed_activity, submission_grade
from content.xblocks.kvs import DjangoKeyValueStore
from content.xblocks.rendering import flash_set, render_activity, seed_request_runtime
from content.xblocks.runtime import RutaRuntime, django_response, webob_request
from lms.accounts.selectors import learner_tag_is_own

RESERVED_FIELDS = {"csrfmiddlewaretoken", "submission_id", "next"}


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _safe_next(request: HttpRequest, page) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return page.url or "/"


def _page_or_404(page_id: int):
    try:
        return page_get_specific(page_id=page_id)
    except ActivityNotFound:
        raise Http404 from None


def _removed_activity_answer(request: HttpRequest, page_id: int, usage_id: str) -> HttpResponse:
    """An answer to an activity or lesson removed since the learner answered it (often offline): keep it for their
    trainers and tell the learner, instead of a 404 that would leave it queued on the phone for ever."""
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": _("Tu sesión terminó. Vuelve a iniciar sesión.")}, status=401)
        raise Http404
    submission_id = request.POST.get("submission_id", "")
    next_path = request.POST.get("next", "")
    if not (next_path.startswith("/") and url_has_allowed_host_and_scheme(next_path, {request.get_host()})):
        next_path = ""
    answer = {key: request.POST.getlist(key) for key in request.POST if key not in RESERVED_FIELDS}
    try:
        outcome = answer_keep_for_removed_activity(
            user=request.user,
            page_id=page_id,
            usage_id=usage_id,
            answer=answer,
            submission_id=submission_id,
            path=next_path,
        )
    except ValidationError:
        outcome = None
    if outcome is None:
        raise Http404
    recorded = outcome == "recorded"
    message = (
        ""
        if recorded
        else _(
            "Esta actividad ya no está en el curso. Guardamos tu respuesta y tu facilitador·a puede verla; "
            "no cuenta para tu nota."
        )
    )
    if _wants_json(request):
        return JsonResponse({"ok": True, "kept": not recorded, "message": message})
    if message:
        messages.info(request, message)
    return redirect(next_path or "/")


@require_POST
def activity_submit_view(request: HttpRequest, page_id: int, usage_id: str) -> HttpResponse:
    try:
        page = page_get_specific(page_id=page_id)
    except ActivityNotFound:
        return _removed_activity_answer(request, page_id, usage_id)
    next_url = _safe_next(request, page)
    if not request.user.is_authenticated:
        if _wants_json(request):
            return JsonResponse({"ok": False, "message": _("Tu sesión terminó. Vuelve a iniciar sesión.")}, status=401)
        return redirect_to_login(next_url)
    owner = request.headers.get("X-Ruta-Learner", "")
    if owner and not learner_tag_is_own(user=request.user, tag=owner):
        # An answer kept on a shared phone by another learner (activities.js sends its learner's tag): never record
        # it for whoever is signed in now; the phone keeps it until its learner signs in again.
        message = _("Esta respuesta es de otra persona que usa este teléfono. Se enviará cuando vuelva a entrar.")
        return JsonResponse({"ok": False, "message": message}, status=409)
    answer = {key: request.POST.getlist(key) for key in request.POST if key not in RESERVED_FIELDS}
    status, message = 200, ""
    # The answer's state, kept as it leaves it: the activity shown in the JSON answer is not read back.
    kvs = DjangoKeyValueStore(user=request.user)
    try:
        activity_submit(
            user=request.user,
            page=page,
            usage_id=usage_id,
            answer=answer,
            submission_id=request.POST.get("submission_id", ""),
            kvs=kvs,
        )
    except PermissionDenied as error:
        status, message = 403, str(error) or _("No puedes responder esta actividad.")
    except ActivityNotFound:
        return _removed_activity_answer(request, page_id, usage_id)
    except ValidationError as error:
        status, message = 400, " ".join(error.messages)
    if _wants_json(request):
        seed_request_runtime(request, page, kvs)
        try:
            html = render_activity(request=request, page=page, usage_id=usage_id, next_url=next_url, flash=message)
        except ActivityNotFound:  # a replay of an answer recorded before the activity was removed: counted
            return JsonResponse({"ok": status == 200, "kept": False, "message": message}, status=status)
        data: dict[str, object] = {"ok": status == 200, "message": message, "html": str(html)}
        progress = getattr(page, "activity_progress_fragments", None)  # the page's progress marks, if it has any
        if status == 200 and callable(progress):
            # The page says which marks it shows (X-Ruta-Marks): unchanged ones are not sent again.
            parts = progress(request, shown=request.headers.get("X-Ruta-Marks", "")[:64])
            data["marks"] = parts.pop("marks", "")
            data["progress"] = parts
        return JsonResponse(data, status=status)
    if status == 403:
        raise PermissionDenied(message)
    if message:
        flash_set(request, usage_id, message)
    return redirect(f"{next_url.split('#')[0]}#actividad-{usage_id}-resultado")


@require_http_methods(["GET", "POST"])
def activity_handler_view(request: HttpRequest, page_id: int, usage_id: str, handler: str) -> HttpResponse:
    """Route an XBlock handler call (``runtime.handler_url``) to the block, for the current user."""
    page = _page_or_404(page_id)
    try:
        activity = activity_get(page=page, usage_id=usage_id)
    except ActivityNotFound:
        raise Http404 from None
    runtime = RutaRuntime(user=request.user, page_id=page.pk)
    block = runtime.activity(usage_id=usage_id, block_type=activity.block_type, authored=activity.authored)
    try:
        response = runtime.handle(block, handler, webob_request(request))
    except NoSuchHandlerError:
        raise Http404 from None
    except RecursionError:  # a JSON body nested thousands of levels deep (XBlock's json_handler parses it)
        return JsonResponse({"error": _("La solicitud no es válida.")}, status=400)
    return django_response(response)


@login_required
@require_http_methods(["GET", "POST"])
def submission_grade_view(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(Submission.objects.select_related("user", "page", "grader"), pk=pk)
    page = submission.page.specific if submission.page_id else None
    if not activity_can_grade(grader=request.user, learner=submission.user, page=page):
        raise PermissionDenied
    if page is None:
        raise Http404
    try:
        activity = activity_get(page=page, usage_id=submission.usage_id)
    except ActivityNotFound:
        raise Http404 from None
    authored = activity.authored
    error = ""
    if request.method == "POST":
        scores = {
            key.removeprefix("criterio_"): value for key, value in request.POST.items() if key.startswith("criterio_")
        }
        try:
            submission_grade(
                grader=request.user,
                submission=submission,
                rubric_scores=scores,
                feedback=request.POST.get("feedback", ""),
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Revisión guardada. La persona ya puede ver su nota."))
            next_url = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                next_url = request.path
            return redirect(next_url)
    return render(
        request,
        "content/grade.html",
        {
            "submission": submission,
            "activity": authored,
            "rubric": authored.get("rubric", []),
            "error": error,
            "next": request.GET.get("next", request.POST.get("next", "")),
        },
    )


@login_required
def grading_queue_view(request: HttpRequest) -> HttpResponse:
    """Free-text answers waiting for this reviewer."""
    return render(request, "content/grading_queue.html", {"submissions": submissions_gradable_by(grader=request.user)})
