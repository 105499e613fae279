"""Trainer certification pages: my path, supervision, approvals, and the public registry of certified trainers.

Views parse, call a service or selector, and render. A path the person may not see is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from courses.cohorts.models import Cohort
from courses.cohorts.selectors import cohorts_for_staff
from lms.accounts.models import Role
from lms.accounts.permissions import institutions_with_role

from . import selectors, services
from .forms import (
    CohortChoiceForm,
    NominateForm,
    ObservationForm,
    ReinstateForm,
    SupervisorChangeForm,
    WithdrawForm,
)
from .models import TrainerPath


def _visible_path(request, pk: int) -> TrainerPath:
    path = get_object_or_404(
        TrainerPath.objects.select_related("trainer", "track", "institution", "supervisor", "certificate"), pk=pk
    )
    if not selectors.can_view_path(user=request.user, path=path):
        raise Http404
    return path


@login_required
def home(request):
    user = request.user
    rows = selectors.paths_with_pending_actions(user=user, paths=list(selectors.paths_visible_to(user=user)))
    for path, pending in rows:
        path.pending = pending
    paths = [path for path, _pending in rows]
    context = {
        "mine": [p for p in paths if p.trainer_id == user.pk],
        "supervised": [p for p in paths if p.supervisor_id == user.pk],
        "others": [p for p in paths if p.trainer_id != user.pk and p.supervisor_id != user.pk],
        "can_nominate": institutions_with_role(user, Role.INSTITUTION_ADMIN).exists(),
    }
    return render(request, "trainers/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request):
    institutions = institutions_with_role(request.user, Role.INSTITUTION_ADMIN)
    if not institutions.exists():
        raise PermissionDenied
    form = NominateForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        try:
            path = services.trainer_nominate(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Postulación registrada."))
            return redirect("trainers:path_detail", pk=path.pk)
    return render(request, "trainers/nominate.html", {"form": form})


@login_required
def path_detail(request, pk: int):
    path = _visible_path(request, pk)
    user = request.user
    is_admin = selectors.can_nominate(user=user, institution=path.institution)
    approves_track = selectors.can_approve(user=user, track=path.track)
    own = selectors.is_own_path(user=user, path=path)
    is_approver = approves_track and not own  # selectors.can_approve_path: nobody decides on their own path
    context = {
        "path": path,
        "events": path.events.select_related("actor"),
        "observations": path.observations.select_related("observer"),
        "practice": selectors.practice_status(path=path),
        "State": TrainerPath.State,
        "is_approver": is_approver,
        "training_form": (
            CohortChoiceForm(cohorts=selectors.training_cohorts(track=path.track))
            if path.state == TrainerPath.State.APPLICANT and (is_admin or approves_track)
            else None
        ),
        "can_mark_training": path.state == TrainerPath.State.IN_TRAINING
        and not path.track.tot_course_id
        and selectors.can_mark_training_complete(user=user, path=path),
        "practice_form": (
            CohortChoiceForm(cohorts=cohorts_for_staff(user=path.trainer).filter(trainer_links__user=path.trainer))
            if path.state == TrainerPath.State.IN_PRACTICE and user.pk in (path.trainer_id, path.supervisor_id)
            else None
        ),
        "can_observe": selectors.may_observe_now(path=path) and selectors.can_observe(user=user, path=path),
        # A recommendation whose observation left checklist items unmet is not approvable (trainer_certify).
        "recommendation_unmet": (
            selectors.recommendation_unmet(path=path) if path.state == TrainerPath.State.RECOMMENDED else []
        ),
        # Someone who would oversee this path but is its trainer: the page says the step is someone else's.
        "own_oversight": own and (path.supervisor_id == user.pk or approves_track),
        "withdraw_form": WithdrawForm()
        if is_approver and path.state in (TrainerPath.State.CERTIFIED, TrainerPath.State.SUSPENDED)
        else None,
        "reinstate_form": ReinstateForm() if is_approver and path.state == TrainerPath.State.SUSPENDED else None,
        "can_change_supervisor": selectors.can_change_supervisor(user=user, path=path),
    }
    return render(request, "trainers/path_detail.html", context)


def _decide(request, pk: int, action, success, form=None, invalid: str = ""):
    """One decision on a path, posted from its page: the form (if any) must be valid, then ``action(path, data)``
    runs; a broken rule is shown as a message. Back to the path's page either way."""
    path = _visible_path(request, pk)
    bound = form(request.POST) if form is not None else None
    if bound is not None and not bound.is_valid():
        messages.error(request, invalid)
        return redirect("trainers:path_detail", pk=path.pk)
    try:
        action(path, bound.cleaned_data if bound is not None else {})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect("trainers:path_detail", pk=path.pk)


# The two steps of a path that take a cohort: the training-of-trainers cohort, then the practice cohort.
_COHORT_STEPS = {
    "training": (
        lambda path, cohort, actor: services.trainer_training_start(path=path, tot_cohort=cohort, actor=actor),
        gettext_lazy("La persona está en formación."),
    ),
    "practice": (
        lambda path, cohort, actor: services.trainer_practice_link(path=path, cohort=cohort, actor=actor),
        gettext_lazy("Vinculamos el grupo de práctica."),
    ),
}


@login_required
@require_POST
def cohort_step(request, pk: int, step: str):
    service, success = _COHORT_STEPS[step]
    return _decide(
        request,
        pk,
        lambda path, data: service(path, data["cohort"], request.user),
        success,
        form=lambda post: CohortChoiceForm(post, cohorts=Cohort.objects.all()),
        invalid=_("Elige un grupo."),
    )


@login_required
@require_POST
def training_complete(request, pk: int):
    return _decide(
        request,
        pk,
        lambda path, data: services.trainer_training_mark_complete(path=path, actor=request.user),
        _("Formación completada: la persona está en práctica."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def observe(request, pk: int):
    path = _visible_path(request, pk)
    if not selectors.can_observe(user=request.user, path=path):
        raise PermissionDenied
    form = ObservationForm(request.POST or None, checklist=path.track.checklist)
    if request.method == "POST" and form.is_valid():
        try:
            services.trainer_observation_record(
                path=path,
                observer=request.user,
                items=form.checked(),
                comments=form.cleaned_data["comments"],
                recommended=form.cleaned_data["recommended"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Guardamos la observación."))
            return redirect("trainers:path_detail", pk=path.pk)
    return render(
        request,
        "trainers/observe.html",
        {"path": path, "form": form, "practice": selectors.practice_status(path=path)},
    )


@login_required
@require_POST
def approve(request, pk: int):
    return _decide(
        request,
        pk,
        lambda path, data: services.trainer_certify(path=path, approver=request.user),
        _("Certificación aprobada y certificado emitido."),
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    return _decide(
        request,
        pk,
        lambda path, data: services.trainer_certification_withdraw(
            path=path, actor=request.user, reason=data["reason"], suspend=data["action"] == "suspend"
        ),
        _("Decisión registrada."),
        form=WithdrawForm,
        invalid=_("Elige una decisión y escribe el motivo."),
    )


@login_required
@require_POST
def reinstate(request, pk: int):
    return _decide(
        request,
        pk,
        lambda path, data: services.trainer_certification_reinstate(
            path=path, actor=request.user, reason=data["reason"]
        ),
        _("Certificación restablecida: se emitió un certificado nuevo."),
        form=ReinstateForm,
        invalid=_("Escribe el motivo."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def supervisor_change(request, pk: int):
    """Replace the path's supervising master trainer, with a reason (approvers and the nominating admins)."""
    path = _visible_path(request, pk)
    if not selectors.may_change_supervisor(user=request.user, path=path):
        raise PermissionDenied
    closed = selectors.supervisor_change_closed(path=path)
    if closed:
        messages.error(request, closed)
        return redirect("trainers:path_detail", pk=path.pk)
    form = SupervisorChangeForm(request.POST or None, candidates=selectors.supervisor_candidates(path=path))
    if request.method == "POST" and form.is_valid():
        try:
            services.trainer_supervisor_change(
                path=path,
                supervisor=form.cleaned_data["supervisor"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Cambiamos la supervisión: ahora supervisa %(name)s.")
                % {"name": form.cleaned_data["supervisor"].printed_name},
            )
            return redirect("trainers:path_detail", pk=path.pk)
    return render(request, "trainers/supervisor.html", {"path": path, "form": form})


def registry(request):
    # PostgreSQL text cannot hold NUL (lms.middleware answers 400 before this; the view holds on its own too).
    methodology = request.GET.get("metodologia", "").replace("\x00", "")
    query = request.GET.get("q", "").replace("\x00", "").strip()[:80]
    return render(
        request,
        "trainers/registry.html",
        {
            "entries": selectors.registry_list(methodology=methodology, query=query)[:500],
            "methodologies": selectors.registry_methodologies(),
            "methodology": methodology,
            "query": query,
        },
    )
