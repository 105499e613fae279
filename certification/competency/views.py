"""Competency pages for candidates, evaluators, validators and the certifying body's staff.

Views parse, check access through ``selectors``, call one service and render; they hold no rules.
"""

from __future__ import annotations

import csv
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from certification import selectors as certificate_selectors
from certification.forms import ReissueForm, RevokeForm
from certification.source_keys import source_key_build
from lms.accounts.models import Institution, Role, User
from lms.accounts.permissions import has_role
from lms.accounts.phones import phone_candidates
from lms.files import private_file_response

from . import forms, knowledge, selectors, services
from .models import (
    Appeal,
    Application,
    ApplicationDocument,
    BankQuestion,
    CompetencyStandard,
    CompetencyUnit,
    ConflictOfInterest,
    Evidence,
    KnowledgeAttempt,
    ObservationMark,
)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _cell(value):
    """Neutralise spreadsheet formulas in exported text cells."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else value


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


# --- Candidates ------------------------------------------------------------------------------------------


def home(request):
    context = {"standards": selectors.standards_open()}
    if request.user.is_authenticated:
        context["applications"] = (
            Application.objects.filter(candidate=request.user).select_related("standard").order_by("-created_at")
        )
        context["is_evaluator"] = has_role(request.user, Role.EVALUATOR)
        context["bodies"] = selectors.bodies_managed_by(request.user)
    return render(request, "competency/home.html", context)


def standard_detail(request, pk: int):
    standard = get_object_or_404(
        CompetencyStandard.objects.select_related("certifying_body").exclude(status=CompetencyStandard.Status.DRAFT),
        pk=pk,
    )
    units = standard.units.prefetch_related("criteria")
    return render(request, "competency/standard_detail.html", {"standard": standard, "units": units})


@login_required
def apply(request, pk: int):
    standard = get_object_or_404(CompetencyStandard, pk=pk, status=CompetencyStandard.Status.PUBLISHED)
    form = forms.ApplyForm(request.POST or None, request.FILES or None, units=standard.units.all())
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                candidate=request.user,
                standard=standard,
                experience=form.cleaned_data["experience"],
                experience_years=form.cleaned_data["experience_years"],
                documents=form.cleaned_data["documents"],
                self_assessment=form.self_assessment(),
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(
                request, _("Recibimos tu postulación. Te avisaremos cuando tengas evaluador o evaluadora.")
            )
            return redirect("competency:application_detail", pk=application.pk)
    return render(request, "competency/apply.html", {"standard": standard, "form": form})


def _own_application(request, pk: int) -> Application:
    return get_object_or_404(
        Application.objects.select_related("standard", "standard__certifying_body"), pk=pk, candidate=request.user
    )


@login_required
def application_detail(request, pk: int):
    application = _own_application(request, pk)
    summary = selectors.assessment_summary(application=application)
    decided = application.status == Application.Status.DECIDED
    context = {
        "application": application,
        "summary": summary,
        "documents": list(application.documents.order_by("id")),
        "show_results": decided or application.status == Application.Status.APPEALED,
        "gap": selectors.gap_report(application=application) if decided else None,
        "appeal": getattr(application, "appeal", None),
        "appeal_form": forms.AppealForm(),
        "evidence_form": forms.EvidenceForm(),
        "certificates": _certificates_for(application) if decided else [],
        "can_reassess": decided
        and not selectors.gap_report(application=application).complete
        and not application.reassessments.exists(),
    }
    return render(request, "competency/application_detail.html", context)


def _certificates_for(application: Application) -> list:
    from certification.models import Certificate
    from certification.services import certificate_verify_url

    certs = Certificate.objects.filter(
        holder=application.candidate,
        source_key__startswith=source_key_build("competency", "application", application.pk),
        replaced_by__isnull=True,  # a partial certificate replaced after an upheld appeal is not «Tu certificado»
    ).order_by("-id")
    return [(c, certificate_verify_url(certificate=c)) for c in certs]


@login_required
def knowledge_test(request, pk: int, unit_pk: int):
    application = _own_application(request, pk)
    unit = get_object_or_404(application.units, pk=unit_pk)
    if request.method == "POST":
        attempt = get_object_or_404(
            KnowledgeAttempt, pk=request.POST.get("attempt"), application=application, unit=unit
        )
        test = forms.KnowledgeTestForm(_question_views(attempt), request.POST)
        if attempt.submitted_at is None and test.needs_confirmation:
            # Not sent yet: the same questions again with the answers given and those left named.
            return _knowledge_test_page(request, application, unit, attempt, test)
        attempt = services.knowledge_attempt_submit(attempt=attempt, candidate=request.user, answers=test.answers)
        return render(request, "competency/knowledge_result.html", {"application": application, "attempt": attempt})
    try:
        attempt = services.knowledge_attempt_start(application=application, unit=unit, candidate=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("competency:application_detail", pk=application.pk)
    return _knowledge_test_page(request, application, unit, attempt, forms.KnowledgeTestForm(_question_views(attempt)))


def _question_views(attempt: KnowledgeAttempt) -> list[knowledge.QuestionView]:
    questions = {q.pk: q for q in BankQuestion.objects.filter(pk__in=attempt.question_ids)}
    return [
        knowledge.question_view(questions[qid], number=i + 1, seed=attempt.seed)
        for i, qid in enumerate(attempt.question_ids)
        if qid in questions
    ]


def _knowledge_test_page(request, application, unit, attempt, test: forms.KnowledgeTestForm):
    return render(
        request,
        "competency/knowledge_test.html",
        {
            "application": application,
            "unit": unit,
            "attempt": attempt,
            "questions": test.shown(),
            "missing": test.missing_text() if test.missing else "",
            "confirm_name": test.CONFIRM,
        },
    )


@login_required
@require_POST
def candidate_evidence(request, pk: int):
    application = _own_application(request, pk)
    return _add_evidence(request, application, redirect_to=reverse("competency:application_detail", args=[pk]))


def _add_evidence(request, application: Application, *, redirect_to: str):
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        unit = get_object_or_404(application.units, pk=form.cleaned_data["unit"])
        try:
            services.evidence_add(
                application=application,
                unit=unit,
                actor=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data.get("upload"),
                url=form.cleaned_data.get("url") or "",
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Evidencia agregada."))
    else:
        messages.error(request, _("Revisa la evidencia: falta la descripción o el enlace no es válido."))
    return redirect(redirect_to)


@login_required
@require_POST
def appeal(request, pk: int):
    application = _own_application(request, pk)
    form = forms.AppealForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_create(application=application, candidate=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Recibimos tu apelación. Otra persona evaluadora la revisará."))
    return redirect("competency:application_detail", pk=pk)


@login_required
@require_POST
def withdraw(request, pk: int):
    application = _own_application(request, pk)
    try:
        services.application_withdraw(application=application, candidate=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Retiraste tu postulación. Puedes volver a postular cuando quieras."))
    return redirect("competency:application_detail", pk=pk)


@login_required
@require_POST
def reassess(request, pk: int):
    application = _own_application(request, pk)
    try:
        later = services.application_reassess(application=application, candidate=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("competency:application_detail", pk=pk)
    messages.success(request, _("Postulaste de nuevo para las unidades que te faltan."))
    return redirect("competency:application_detail", pk=later.pk)


def _can_see_files(user, application: Application) -> bool:
    return user.pk == application.candidate_id or selectors.can_view_as_evaluator(user, application)


def _attachment(file, *, content_type: str, name: str, inline: bool):
    return private_file_response(file, filename=name, content_type=content_type, inline=inline)


@login_required
def evidence_download(request, pk: int):
    evidence = get_object_or_404(Evidence.objects.select_related("application__standard"), pk=pk)
    if not _can_see_files(request.user, evidence.application):
        raise PermissionDenied
    if not evidence.file:
        raise Http404
    # Only sniffed photos may show inline; anything else is a download. HTML/SVG are never accepted at all.
    inline = request.GET.get("ver") == "1" and evidence.content_type.startswith("image/")
    return _attachment(evidence.file, content_type=evidence.content_type, name=evidence.download_name, inline=inline)


@login_required
def document_download(request, pk: int):
    document = get_object_or_404(ApplicationDocument.objects.select_related("application__standard"), pk=pk)
    if not _can_see_files(request.user, document.application):
        raise PermissionDenied
    return _attachment(document.file, content_type=document.content_type, name=document.download_name, inline=False)


# --- Evaluators ------------------------------------------------------------------------------------------


def _evaluator_application(request, pk: int) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("standard", "standard__certifying_body", "candidate"), pk=pk
    )
    if not selectors.can_view_as_evaluator(request.user, application):
        raise PermissionDenied
    return application


@require_GET
def evaluator_service_worker(request):
    """The evaluator's offline worker, served under the pages it keeps (scope /competencias/evaluacion/)."""
    response = render(
        request,
        "competency/evaluator-sw.js",
        {"login_json": json.dumps(resolve_url(settings.LOGIN_URL))},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


def _offline_context(application: Application, units) -> dict:
    """What an evaluator's page needs to keep the whole assessment on the phone for offline work."""
    urls = [reverse("competency:assessment", args=[application.pk])]
    if application.can_be_recorded:
        urls += [reverse("competency:observation", args=[application.pk, unit.pk]) for unit in units]
    urls += [static("competency/js/offline-queue.js"), static("competency/css/competency.css")]
    return {
        "offline_sw_url": reverse("competency:evaluator_service_worker"),
        "offline_sw_scope": reverse("competency:evaluator_home"),
        "offline_keep": " ".join(urls),
    }


@login_required
def evaluator_home(request):
    if not has_role(request.user, Role.EVALUATOR):
        raise PermissionDenied
    return render(
        request,
        "competency/evaluator_home.html",
        {
            "assigned": selectors.applications_for_evaluator(user=request.user).filter(evaluator=request.user),
            "appeals": Appeal.objects.filter(reviewer=request.user, outcome="").select_related(
                "application__candidate", "application__standard"
            ),
            "to_validate": selectors.applications_to_validate(user=request.user),
        },
    )


@login_required
def assessment(request, pk: int):
    application = _evaluator_application(request, pk)
    if application.evaluator_id != request.user.pk:
        return redirect("competency:validate", pk=pk)
    initial = {}
    if application.scheduled_at:
        initial = {"scheduled_at": application.scheduled_at, "location": application.location}
    return _assessment_page(request, application, forms.ScheduleForm(initial=initial, current=application.scheduled_at))


def _assessment_page(request, application: Application, schedule_form: forms.ScheduleForm):
    summary = selectors.assessment_summary(application=application)
    labels = dict(forms.ApplyForm.SELF_CHOICES)
    return render(
        request,
        "competency/assessment.html",
        {
            "application": application,
            "summary": summary,
            "schedule_form": schedule_form,
            "evidence_form": forms.EvidenceForm(),
            "submit_form": forms.SubmitForm(initial={"overall_feedback": application.overall_feedback}),
            "returned": application.audit.filter(action="returned").last(),
            **_offline_context(application, [item.unit for item in summary]),
            "all_verdicts": all(s.result for s in summary),
            "self_assessment": [
                (code, labels.get(level, level)) for code, level in sorted(application.self_assessment.items())
            ],
        },
    )


@login_required
@require_POST
def schedule(request, pk: int):
    application = _evaluator_application(request, pk)
    form = forms.ScheduleForm(request.POST, current=application.scheduled_at)
    if form.is_valid():
        try:
            services.assessment_schedule(
                application=application,
                evaluator=request.user,
                scheduled_at=form.cleaned_data["scheduled_at"],
                location=form.cleaned_data["location"],
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Evaluación programada."))
    elif application.evaluator_id == request.user.pk:
        # The page again with what was typed and why it was refused next to the field.
        messages.error(request, _("Revisa la fecha, la hora y el lugar."))
        return _assessment_page(request, application, form)
    else:
        messages.error(request, _("Indica la fecha, la hora y el lugar."))
    return redirect("competency:assessment", pk=pk)


@login_required
def observation(request, pk: int, unit_pk: int):
    application = _evaluator_application(request, pk)
    unit = get_object_or_404(application.units.prefetch_related("criteria"), pk=unit_pk)
    if application.evaluator_id != request.user.pk:
        raise PermissionDenied
    if request.method == "POST":
        return _observation_post(request, application, unit)
    record = selectors.latest_observation(application=application, unit=unit)
    return render(
        request,
        "competency/observation.html",
        {
            "application": application,
            "unit": unit,
            "criteria": unit.criteria.all(),
            "marks": ObservationMark.Mark.choices,
            "submission_id": uuid.uuid4(),
            "back": reverse("competency:assessment", args=[pk]),
            "record": record,
            "record_marks": list(record.marks.select_related("criterion").order_by("criterion__order", "criterion_id"))
            if record
            else [],
            # A later checklist replaces the earlier one (the latest counts), while the assessment is open.
            "show_form": application.can_be_recorded and (record is None or "corregir" in request.GET),
            **_offline_context(application, application.units.all()),
        },
    )


def _observation_post(request, application: Application, unit: CompetencyUnit):
    marks = {}
    for criterion in unit.criteria.all():
        mark = request.POST.get(f"mark_{criterion.pk}")
        if mark:
            marks[criterion.pk] = (mark, request.POST.get(f"note_{criterion.pk}", ""))
    try:
        record, created = services.observation_record(
            application=application,
            unit=unit,
            evaluator=request.user,
            submission_id=request.POST.get("submission_id", ""),
            marks=marks,
            notes=request.POST.get("notes", ""),
            corrects=request.POST.get("corrects", ""),
        )
    except (ValidationError, ValueError) as exc:
        message = _errors(exc) if isinstance(exc, ValidationError) else _("Falta el identificador del envío.")
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": message}, status=400)
        messages.error(request, message)
        return redirect("competency:observation", pk=application.pk, unit_pk=unit.pk)
    back = reverse("competency:assessment", args=[application.pk])
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "created": created, "id": str(record.submission_id), "redirect": back},
            status=201 if created else 200,
        )
    messages.success(request, _("Lista de cotejo guardada: %(unit)s.") % {"unit": unit.title})
    return redirect(back)


@login_required
def rubric(request, pk: int, unit_pk: int):
    application = _evaluator_application(request, pk)
    unit = get_object_or_404(application.units, pk=unit_pk)
    if application.evaluator_id != request.user.pk:
        raise PermissionDenied
    criteria = list(unit.rubric.all())
    current = application.rubric_scores.filter(unit=unit).first()
    if request.method == "POST":
        levels = {}
        for criterion in criteria:
            raw = request.POST.get(f"level_{criterion.pk}")
            if raw is not None and raw.isdigit():
                levels[criterion.pk] = int(raw)
        try:
            services.rubric_score(
                application=application,
                unit=unit,
                evaluator=request.user,
                levels=levels,
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as exc:
            if _wants_json(request):
                return JsonResponse({"ok": False, "error": _errors(exc)}, status=400)
            messages.error(request, _errors(exc))
        else:
            if _wants_json(request):
                return JsonResponse({"ok": True})
            messages.success(request, _("Rúbrica guardada."))
            return redirect("competency:assessment", pk=pk)
    rows = [
        (c, [(i, label) for i, label in enumerate(c.levels)], (current.levels.get(str(c.pk)) if current else None))
        for c in criteria
    ]
    return render(
        request,
        "competency/rubric.html",
        {"application": application, "unit": unit, "rows": rows, "current": current},
    )


@login_required
@require_POST
def evaluator_evidence(request, pk: int):
    application = _evaluator_application(request, pk)
    return _add_evidence(request, application, redirect_to=reverse("competency:assessment", args=[pk]))


@login_required
@require_POST
def verdict(request, pk: int, unit_pk: int):
    application = _evaluator_application(request, pk)
    unit = get_object_or_404(application.units, pk=unit_pk)
    form = forms.VerdictForm(request.POST)
    if form.is_valid():
        try:
            services.unit_verdict_record(
                application=application,
                unit=unit,
                evaluator=request.user,
                verdict=form.cleaned_data["verdict"],
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as exc:
            error = _errors(exc)
        else:
            if _wants_json(request):
                return JsonResponse({"ok": True})
            messages.success(request, _("Dictamen guardado: %(unit)s.") % {"unit": unit.title})
            return redirect(reverse("competency:assessment", args=[pk]) + f"#unidad-{unit.pk}")
    else:
        error = _("Elige competente o aún no competente.")
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": error}, status=400)
    messages.error(request, error)
    return redirect(reverse("competency:assessment", args=[pk]) + f"#unidad-{unit.pk}")


@login_required
@require_POST
def submit(request, pk: int):
    application = _evaluator_application(request, pk)
    form = forms.SubmitForm(request.POST)
    form.is_valid()
    try:
        services.assessment_submit(
            application=application,
            evaluator=request.user,
            overall_feedback=form.cleaned_data.get("overall_feedback", ""),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("competency:assessment", pk=pk)
    messages.success(request, _("Resultado enviado para validación."))
    return redirect("competency:evaluator_home")


def _staff_panel_body(user, application: Application) -> Institution | None:
    """The body whose panel a validating person returns to: body staff go back to it, evaluators (the named
    validator, an appeal reviewer) to their own home, which body staff without the evaluator role cannot open."""
    body = application.certifying_body
    if application.validator_id == user.pk and selectors.is_body_evaluator(user, body):
        return None
    return body if selectors.can_manage_body(user, body) else None


@login_required
def validate(request, pk: int):
    application = _evaluator_application(request, pk)
    panel_body = _staff_panel_body(request.user, application)
    form = forms.ValidateForm(request.POST or None)
    can_validate = application.status == Application.Status.SUBMITTED and selectors.can_validate(
        request.user, application
    )
    if request.method == "POST":
        if not can_validate:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.assessment_validate(
                    application=application,
                    validator=request.user,
                    approve=form.cleaned_data["decision"] == "approve",
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("Decisión registrada."))
                if panel_body is not None:
                    return redirect("competency:body_home", slug=panel_body.slug)
                return redirect("competency:evaluator_home")
    return render(
        request,
        "competency/validate.html",
        {
            "application": application,
            "panel_body": panel_body,
            "summary": selectors.assessment_summary(application=application),
            "form": form,
            "can_validate": can_validate,
        },
    )


@login_required
def appeal_review(request, pk: int):
    application = _evaluator_application(request, pk)
    appeal = get_object_or_404(Appeal, application=application, reviewer=request.user)
    not_yet = [r.unit for r in application.unit_results.select_related("unit") if r.verdict == "not_yet"]
    form = forms.AppealResolveForm(request.POST or None, units=not_yet)
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_resolve(
                appeal=appeal,
                reviewer=request.user,
                response=form.cleaned_data["response"],
                changed_verdicts=form.changed_verdicts(),
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Apelación resuelta."))
            return redirect("competency:evaluator_home")
    return render(
        request,
        "competency/appeal_review.html",
        {
            "application": application,
            "appeal": appeal,
            "summary": selectors.assessment_summary(application=application),
            "form": form,
        },
    )


@login_required
def conflicts(request):
    if not has_role(request.user, Role.EVALUATOR):
        raise PermissionDenied
    form = forms.ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        needle = form.cleaned_data["person"].strip()
        phones = phone_candidates(needle) or [needle]
        person = User.objects.filter(Q(username=needle) | Q(email__iexact=needle) | Q(phone__in=phones)).first()
        if person is None or person == request.user:
            form.add_error("person", _("No encontramos a esa persona."))
        else:
            try:
                services.conflict_declare(evaluator=request.user, candidate=person, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("Conflicto de interés registrado."))
                return redirect("competency:conflicts")
    declared = ConflictOfInterest.objects.filter(evaluator=request.user).select_related("candidate")
    return render(request, "competency/conflicts.html", {"form": form, "declared": declared})


@login_required
def audit_trail(request, pk: int):
    application = _evaluator_application(request, pk)
    events = application.audit.select_related("actor")
    return render(request, "competency/audit.html", {"application": application, "events": events})


# --- Certifying body -------------------------------------------------------------------------------------


def _managed_body(request, slug: str) -> Institution:
    body = get_object_or_404(Institution, slug=slug, is_active=True)
    if not selectors.can_manage_body(request.user, body):
        raise PermissionDenied
    return body


@login_required
def body_home(request, slug: str):
    body = _managed_body(request, slug)
    stage = request.GET.get("etapa", "")
    applications = selectors.applications_for_body(body=body).select_related("appeal")
    if stage in Application.Status.values:
        applications = applications.filter(status=stage)
    else:
        applications = applications.exclude(status__in=[Application.Status.DECIDED, Application.Status.WITHDRAWN])
    applications = list(applications.order_by("created_at")[:200])
    eligible = selectors.eligible_evaluators_by_application(applications=applications)
    body_has_evaluators = selectors.body_has_evaluators(body=body) if applications else True
    ask_for_more = _(
        "Pide a la administración de Ruta que dé el rol de evaluador o evaluadora a otra persona de la entidad."
    )
    if not body_has_evaluators:
        nobody = _("La entidad aún no tiene personas evaluadoras.")
    else:
        nobody = _(
            "Ninguna persona evaluadora de la entidad puede evaluar a quien postula: declaró un conflicto de interés "
            "o le facilitó un grupo."
        )
    nobody_validates = _(
        "No hay otra persona evaluadora que pueda validar: quien valida no puede ser quien evalúa, ni haber "
        "declarado un conflicto de interés o facilitado un grupo a quien postula."
    )
    nobody_reviews = _(
        "No hay quién pueda revisar la apelación: las personas evaluadoras habilitadas participaron en la "
        "decisión o declararon un conflicto de interés con quien postula."
    )
    rows = []
    for application in applications:
        people = eligible[application.pk]
        form = validator_form = appeal_form = None
        notes: dict[str, str] = {}
        if application.status in (
            Application.Status.APPLIED,
            Application.Status.ASSIGNED,
            Application.Status.SCHEDULED,
        ):
            if people:
                form = forms.AssignForm(
                    people=people, initial={"person": application.evaluator_id}, prefix=f"a{application.pk}"
                )
            else:
                notes["evaluator"] = nobody
        if application.status in (
            Application.Status.ASSIGNED,
            Application.Status.SCHEDULED,
            Application.Status.SUBMITTED,
        ):
            validators = [p for p in people if p.pk != application.evaluator_id]
            if validators:
                validator_form = forms.AssignForm(
                    people=validators, initial={"person": application.validator_id}, prefix=f"v{application.pk}"
                )
            else:
                notes["validator"] = nobody_validates
        appeal_obj = getattr(application, "appeal", None)
        if application.status == Application.Status.APPEALED and appeal_obj and not appeal_obj.reviewer_id:
            reviewers = [p for p in people if p.pk not in (application.evaluator_id, application.validator_id)]
            if reviewers:
                appeal_form = forms.AssignForm(people=reviewers, prefix=f"r{application.pk}")
            else:
                notes["appeal"] = nobody_reviews
        rows.append((application, form, validator_form, appeal_form, notes))
    context = {
        "body": body,
        "rows": rows,
        "stages": Application.Status.choices,
        "stage": stage,
        "ask_for_more": ask_for_more,
    }
    return render(request, "competency/body_home.html", context)


def _body_assignment(request, slug: str, pk: int, *, prefix: str, assign, done: str):
    """Parse the person picked by the certifying body's staff and call ``assign(application, person)``."""
    body = _managed_body(request, slug)
    application = get_object_or_404(Application, pk=pk, standard__certifying_body=body)
    form = forms.AssignForm(
        request.POST, people=selectors.eligible_evaluators(application=application), prefix=f"{prefix}{application.pk}"
    )
    if not form.is_valid():
        messages.error(request, _("Elige una persona evaluadora habilitada."))
        return redirect("competency:body_home", slug=slug)
    try:
        assign(application, form.cleaned_data["person"])
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done)
    return redirect("competency:body_home", slug=slug)


@login_required
@require_POST
def body_assign(request, slug: str, pk: int):
    return _body_assignment(
        request,
        slug,
        pk,
        prefix="a",
        assign=lambda application, person: services.evaluator_assign(
            application=application, evaluator=person, actor=request.user
        ),
        done=_("Evaluador o evaluadora asignada."),
    )


@login_required
@require_POST
def body_assign_validator(request, slug: str, pk: int):
    return _body_assignment(
        request,
        slug,
        pk,
        prefix="v",
        assign=lambda application, person: services.validator_assign(
            application=application, validator=person, actor=request.user
        ),
        done=_("Persona validadora asignada."),
    )


@login_required
@require_POST
def body_assign_appeal(request, slug: str, pk: int):
    return _body_assignment(
        request,
        slug,
        pk,
        prefix="r",
        assign=lambda application, person: services.appeal_assign(
            appeal=get_object_or_404(Appeal, application=application), reviewer=person, actor=request.user
        ),
        done=_("Apelación asignada."),
    )


@login_required
def body_certificates(request, slug: str):
    """Certificates issued in the body's name: find one by code or name, revoke or reissue it (story 30)."""
    body = _managed_body(request, slug)
    query = request.GET.get("q", "")[:200]
    certificates = certificate_selectors.certificates_issued_by(institution=body, query=query)
    page = Paginator(certificates, 50).get_page(request.GET.get("p"))
    return render(request, "competency/body_certificates.html", {"body": body, "page": page, "q": query.strip()})


def _body_certificate_form(request, slug: str, code: str, *, form_class, initial, act, title: str, done):
    body = _managed_body(request, slug)
    # Only certificates in the body's name exist here: another issuer's code is «not found», as if unknown.
    certificate = get_object_or_404(certificate_selectors.certificates_issued_by(institution=body), code=code)
    form = form_class(request.POST or None, initial=initial(certificate))
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = act(body, certificate, form.cleaned_data)
        except ValidationError as exc:
            error = _errors(exc)
        else:
            messages.success(request, done(result))
            return redirect(reverse("competency:body_certificates", args=[body.slug]) + f"?q={result.code}")
    context = {"body": body, "certificate": certificate, "form": form, "error": error, "title": title}
    return render(request, "competency/body_certificate_form.html", context)


@login_required
def body_certificate_revoke(request, slug: str, code: str):
    return _body_certificate_form(
        request,
        slug,
        code,
        form_class=RevokeForm,
        initial=lambda certificate: {},
        act=lambda body, certificate, data: services.body_certificate_revoke(
            body=body, certificate=certificate, actor=request.user, reason=data["reason"]
        ),
        title=_("Revocar un certificado"),
        done=lambda certificate: (
            _("Certificado %(code)s revocado: la verificación ya dice «Revocado».") % {"code": certificate.display_code}
        ),
    )


@login_required
def body_certificate_reissue(request, slug: str, code: str):
    return _body_certificate_form(
        request,
        slug,
        code,
        form_class=ReissueForm,
        initial=lambda certificate: {"holder_name": certificate.holder_name},
        act=lambda body, certificate, data: services.body_certificate_reissue(
            body=body,
            certificate=certificate,
            actor=request.user,
            reason=data["reason"],
            holder_name=data["holder_name"],
        ),
        title=_("Reemitir un certificado"),
        done=lambda certificate: (
            _("Nuevo certificado: %(code)s. El código anterior dice «Reemplazado».")
            % {"code": certificate.display_code}
        ),
    )


@login_required
def body_report(request, slug: str):
    body = _managed_body(request, slug)
    return render(request, "competency/body_report.html", {"body": body, "report": selectors.body_report(body=body)})


@login_required
def body_report_csv(request, slug: str):
    body = _managed_body(request, slug)
    report = selectors.body_report(body=body)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="competencias-{body.slug}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("sección"), _("indicador"), _("valor"), _("total"), _("porcentaje")])
    for _status, label, count in report.stages:
        writer.writerow([_("Etapa"), label, count, "", ""])
    for label, count in report.results:
        writer.writerow([_("Resultado"), label, count, report.decided, ""])
    for row in report.units:
        writer.writerow(
            [
                _("Unidad"),
                _cell(f"{row['standard']} · {row['code']} {row['title']}"),
                row["competent"],
                row["total"],
                row["rate"],
            ]
        )
    writer.writerow([_("Tiempo"), _("Días de la postulación a la decisión (mediana)"), report.days_median, "", ""])
    writer.writerow([_("Tiempo"), _("Días de la postulación a la decisión (promedio)"), report.days_mean, "", ""])
    return response
