"""Cohort pages for trainers (dashboard, roster, imports, attendance, grading, announcements, exports) and for
participants (join by code, check in, notifications). Views parse, call a service or selector, and render.

Every view that takes a cohort id asks ``selectors.can_manage_cohort``; a cohort the person may not manage is a 404.
"""

from __future__ import annotations

import inspect
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from content.exceptions import ActivityError
from content.selectors import activity_get
from content.services import submission_grade

from . import selectors, services
from .forms import (
    AnnouncementForm,
    AttendanceForm,
    CheckInForm,
    CohortForm,
    GradeForm,
    InvitationAnswerForm,
    JoinForm,
    MemberForm,
    RosterUploadForm,
    SessionForm,
)
from .importing import TEMPLATE_HEADERS, error_rows_dataset, export_bytes, export_dataset
from .models import COHORT_FIELDS, Cohort, CohortInvitation, CohortMember, LiveSession, RosterImport


def _managed_cohort(request, pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("institution", "course", "programme"), pk=pk)
    if not selectors.can_manage_cohort(user=request.user, cohort=cohort):
        raise Http404
    return cohort


def _join_url(request, cohort: Cohort) -> str:
    return request.build_absolute_uri(reverse("cohorts:join_link", args=[cohort.code]))


# --- Home (staff and participants) ---------------------------------------------------------------------------


@login_required
def home(request):
    context = {
        "staff_cohorts": selectors.cohort_list_for_staff(user=request.user),
        "my_cohorts": selectors.cohorts_for_participant(user=request.user),
        "my_sessions": selectors.sessions_for_participant(user=request.user),
        "can_create": selectors.institutions_for_new_cohort(user=request.user).exists(),
        "unread": selectors.unread_notification_count(user=request.user),
        "self_paced": len(selectors.self_paced_pending(reviewer=request.user))
        if selectors.self_paced_reviewer(user=request.user)
        else None,
        "join_form": JoinForm(share_contact=_shares_contact(request.user)),
        "check_in_form": CheckInForm(),
        "invitations": list(selectors.invitations_for(user=request.user)),
    }
    return render(request, "cohorts/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    institutions = selectors.institutions_for_new_cohort(user=request.user)
    if not institutions.exists():
        raise PermissionDenied
    form = CohortForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        trainers = list(data.pop("trainers"))
        if request.user not in trainers and not request.user.is_superuser and not _is_admin(request.user, data):
            trainers.insert(0, request.user)
        try:
            cohort = services.cohort_create(created_by=request.user, trainers=trainers, **_cohort_fields(data))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Creamos el grupo. Comparte el código %(code)s para que se unan.") % {"code": cohort.code}
            )
            return redirect("cohorts:dashboard", pk=cohort.pk)
    return render(request, "cohorts/cohort_form.html", {"form": form, "cohort": None})


def _is_admin(user, data) -> bool:
    from lms.accounts.models import Role
    from lms.accounts.permissions import has_role

    return has_role(user, Role.INSTITUTION_ADMIN, data["institution"])


def _cohort_fields(data: dict) -> dict:
    # The form's fields that cohort_create takes; the others (join code, days before "needs support") keep the
    # model's defaults on creation.
    accepted = inspect.signature(services.cohort_create).parameters
    return {k: data.get(k) for k in COHORT_FIELDS if k in accepted and k in data and data.get(k) is not None}


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    cohort = _managed_cohort(request, pk)
    form = CohortForm(request.POST or None, instance=Cohort.objects.get(pk=cohort.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_update(cohort=cohort, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Guardamos los cambios del grupo."))
            return redirect("cohorts:dashboard", pk=cohort.pk)
    return render(request, "cohorts/cohort_form.html", {"form": form, "cohort": cohort})


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk: int):
    cohort = _managed_cohort(request, pk)
    if request.method == "POST":
        try:
            services.cohort_delete(cohort=cohort)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("cohorts:dashboard", pk=cohort.pk)
        messages.success(request, _("Eliminamos el grupo."))
        return redirect("cohorts:home")
    return render(request, "cohorts/delete.html", {"cohort": cohort})


# --- Dashboard ----------------------------------------------------------------------------------------------


@login_required
def dashboard(request, pk: int):
    cohort = _managed_cohort(request, pk)
    roster = selectors.cohort_roster(cohort=cohort)
    filter_stuck = request.GET.get("filtro") == "apoyo"
    join_url = _join_url(request, cohort)
    share_text = _("Únete a mi grupo «%(name)s» en Ruta: %(url)s (código %(code)s)") % {
        "name": cohort.name,
        "url": join_url,
        "code": cohort.code,
    }
    context = {
        "cohort": cohort,
        "summary": selectors.cohort_summary(cohort=cohort, roster=roster),
        "roster": [r for r in roster if r.is_stuck] if filter_stuck else roster,
        "filter_stuck": filter_stuck,
        "sessions": selectors.cohort_sessions(cohort=cohort),
        "trainers": [link.user for link in cohort.trainer_links.select_related("user")],
        "join_url": join_url,
        "whatsapp_url": "https://wa.me/?text=" + quote(share_text),
        "announcements": cohort.announcements.all()[:3],
        "invitations": selectors.cohort_invitations(cohort=cohort),
    }
    return render(request, "cohorts/dashboard.html", context)


@login_required
def member_detail(request, pk: int, user_id: int):
    cohort = _managed_cohort(request, pk)
    member = get_object_or_404(CohortMember.objects.select_related("user"), cohort=cohort, user_id=user_id)
    entry = next(r for r in selectors.cohort_roster(cohort=cohort) if r.user.pk == member.user_id)
    activities = selectors.cohort_activities(cohort)
    return render(
        request,
        "cohorts/member_detail.html",
        {
            "cohort": cohort,
            "entry": entry,
            "scores": [(a, entry.scores.get(a.usage_id)) for a in activities],
            "can_reset_password": _can_reset(request.user, member.user),
            "show_contact": member.user_id
            in selectors.contact_visible_user_ids(cohort=cohort, user_ids=[member.user_id]),
        },
    )


@login_required
def grades(request, pk: int):
    cohort = _managed_cohort(request, pk)
    return render(
        request,
        "cohorts/grades.html",
        {
            "cohort": cohort,
            "activities": selectors.cohort_activities(cohort),
            "roster": selectors.cohort_roster(cohort=cohort),
        },
    )


def _can_reset(actor, target) -> bool:
    from lms.accounts.permissions import can_reset_password_for

    return can_reset_password_for(actor, target)


# --- Enrolling people -----------------------------------------------------------------------------------------


#: What the trainer reads after adding someone: never the account's own name or details, only what they typed.
_ADD_MESSAGES = {
    "created": (messages.SUCCESS, gettext_lazy("Creamos una cuenta para %(typed)s y la agregamos al grupo.")),
    "added": (messages.SUCCESS, gettext_lazy("Agregamos a %(typed)s al grupo.")),
    "invited": (
        messages.SUCCESS,
        gettext_lazy(
            "Invitación enviada: con esos datos ya existe una cuenta. %(typed)s entrará al grupo cuando acepte "
            "la invitación."
        ),
    ),
    "already_invited": (messages.INFO, gettext_lazy("Ya enviamos una invitación para %(typed)s. Está pendiente.")),
    "declined": (
        messages.INFO,
        gettext_lazy("%(typed)s no aceptó la invitación. Si cambia de opinión, puede unirse con el código del grupo."),
    ),
}

# «already_member»: the phone, e-mail or username typed is a member's, who may not be the person whose name was
# typed: name the member (the trainer's own, already on the roster), by the detail that matched.
_ALREADY_MEMBER = {
    "phone": gettext_lazy("Ese número ya es de %(name)s, que está en el grupo."),
    "email": gettext_lazy("Ese correo ya es de %(name)s, que está en el grupo."),
    "username": gettext_lazy("Ese usuario ya es de %(name)s, que está en el grupo."),
}


def _already_member_message(member, data) -> str:
    user = member.user
    if data.get("phone") and user.phone == data["phone"]:
        detail = "phone"
    elif data.get("email") and (user.email or "").casefold() == data["email"].casefold():
        detail = "email"
    else:
        detail = "username"
    return str(_ALREADY_MEMBER[detail]) % {"name": user.printed_name}


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request, pk: int):
    cohort = _managed_cohort(request, pk)
    form = MemberForm(request.POST or None, country=cohort.country)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.cohort_member_add_person(cohort=cohort, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            data = form.cleaned_data
            typed = f"{data['first_name']} {data['last_name']}".strip()
            if result.outcome == "already_member" and result.member is not None:
                messages.info(request, _already_member_message(result.member, data))
            else:
                level, text = _ADD_MESSAGES[result.outcome]
                messages.add_message(request, level, text % {"typed": typed})
            return redirect("cohorts:member_add", pk=cohort.pk)
    return render(request, "cohorts/member_add.html", {"cohort": cohort, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, pk: int):
    cohort = _managed_cohort(request, pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > getattr(settings, "RUTA_COHORT_IMPORT_MAX_BYTES", 5 * 1024 * 1024):
            form.add_error("file", _("El archivo pesa demasiado (máximo 5 MB)."))
        else:
            batch, _preview = services.roster_import_upload(
                cohort=cohort, actor=request.user, content=upload.read(), filename=upload.name
            )
            return redirect("cohorts:import_preview", pk=cohort.pk, import_id=batch.pk)
    return render(request, "cohorts/import_upload.html", {"cohort": cohort, "form": form, "headers": TEMPLATE_HEADERS})


@login_required
def import_template(request, pk: int):
    cohort = _managed_cohort(request, pk)
    dataset = export_dataset(
        title=_("Participantes"),
        headers=TEMPLATE_HEADERS,
        rows=[["María", "Pérez Rojas", "987 654 321", "", "", cohort.region or "", cohort.city or ""]],
    )
    content, content_type = export_bytes(dataset, "csv")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = 'attachment; filename="plantilla-participantes.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, pk: int, import_id: int):
    cohort = _managed_cohort(request, pk)
    batch = get_object_or_404(RosterImport, pk=import_id, cohort=cohort)
    if batch.status != RosterImport.Status.PREVIEW:
        messages.info(request, _("Este archivo ya fue procesado."))
        return redirect("cohorts:dashboard", pk=cohort.pk)
    if request.method == "POST":
        if "discard" in request.POST:
            services.roster_import_discard(batch=batch)
            messages.info(request, _("Descartamos el archivo. No se importó nada."))
            return redirect("cohorts:import_upload", pk=cohort.pk)
        try:
            services.roster_import_apply(batch=batch, actor=request.user)
        except services.RosterImportError as exc:
            preview = exc.preview
            messages.error(request, _("No se importó nada. Corrige los errores y vuelve a subir el archivo."))
        else:
            messages.success(
                request,
                _(
                    "Listo: %(new)s cuentas nuevas en el grupo. Enviamos %(matched)s invitaciones a personas que ya "
                    "tenían cuenta: entran al grupo cuando aceptan."
                )
                % {"new": batch.created, "matched": batch.matched},
            )
            members = batch.already_members  # type: ignore[attr-defined]
            if members:
                messages.info(
                    request,
                    ngettext(
                        "%(n)s persona del archivo ya estaba en el grupo: no cambió nada para ella.",
                        "%(n)s personas del archivo ya estaban en el grupo: no cambió nada para ellas.",
                        members,
                    )
                    % {"n": members},
                )
            asked = batch.already_invited  # type: ignore[attr-defined]
            if asked:
                messages.info(
                    request,
                    ngettext(
                        "%(n)s persona ya tenía una invitación a este grupo: no la enviamos otra vez.",
                        "%(n)s personas ya tenían una invitación a este grupo: no la enviamos otra vez.",
                        asked,
                    )
                    % {"n": asked},
                )
            skipped = len(batch.skipped_rows)  # type: ignore[attr-defined]
            if skipped:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)s fila con errores no se importó: corrígela y súbela en un archivo nuevo.",
                        "%(n)s filas con errores no se importaron: corrígelas y súbelas en un archivo nuevo.",
                        skipped,
                    )
                    % {"n": skipped},
                )
            if batch.created:
                return redirect("cohorts:import_first_logins", pk=cohort.pk, import_id=batch.pk)
            return redirect("cohorts:dashboard", pk=cohort.pk)
    else:
        preview = services.roster_import_preview(batch=batch)
    return render(
        request,
        "cohorts/import_preview.html",
        {
            "cohort": cohort,
            "batch": batch,
            "preview": preview,
            "bad_rows": preview.error_rows[:500],
            "sample": preview.good_rows[:50],
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def import_first_logins(request, pk: int, import_id: int):
    """After an import: one sheet (printable page or CSV) with each new person's phone and a temporary password."""
    cohort = _managed_cohort(request, pk)
    batch = get_object_or_404(RosterImport, pk=import_id, cohort=cohort, status=RosterImport.Status.APPLIED)
    if request.method == "GET":
        return render(request, "cohorts/import_first_logins.html", {"cohort": cohort, "batch": batch})
    sheet = services.roster_import_first_logins(batch=batch, actor=request.user)
    if request.POST.get("format") == "csv":
        dataset = export_dataset(
            title=_("Primer acceso"),
            headers=[_("nombre"), _("teléfono"), _("usuario"), _("contraseña temporal")],
            rows=([line.name, line.phone, line.username, line.password] for line in sheet),
        )
        content, content_type = export_bytes(dataset, "csv")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = 'attachment; filename="primer-acceso.csv"'
        return response
    return render(request, "cohorts/import_first_logins_sheet.html", {"cohort": cohort, "batch": batch, "sheet": sheet})


@login_required
def import_errors(request, pk: int, import_id: int):
    """The rows of a previewed file that cannot be imported, as a CSV to fix and upload again."""
    cohort = _managed_cohort(request, pk)
    batch = get_object_or_404(RosterImport, pk=import_id, cohort=cohort, status=RosterImport.Status.PREVIEW)
    preview = services.roster_import_preview(batch=batch)
    content, content_type = export_bytes(error_rows_dataset(preview.error_rows), "csv")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = 'attachment; filename="filas-con-errores.csv"'
    response["Cache-Control"] = "no-store"
    return response


# --- Sessions and attendance ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, pk: int):
    cohort = _managed_cohort(request, pk)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = services.session_create(cohort=cohort, **form.cleaned_data)
        messages.success(request, _("Sesión creada. Código de asistencia: %(code)s") % {"code": session.check_in_code})
        return redirect("cohorts:session_attendance", pk=cohort.pk, session_id=session.pk)
    return render(request, "cohorts/session_form.html", {"cohort": cohort, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, pk: int, session_id: int):
    cohort = _managed_cohort(request, pk)
    session = get_object_or_404(LiveSession, pk=session_id, cohort=cohort)
    rows = selectors.session_attendance(session=session)
    form = AttendanceForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        marks = form.marks()
        if "all_present" in request.POST:
            marks = {user.pk: "present" for user, _status in rows}
        services.attendance_mark(session=session, marks=marks, marked_by=request.user)
        messages.success(request, _("Guardamos la asistencia."))
        return redirect("cohorts:session_attendance", pk=cohort.pk, session_id=session.pk)
    present = sum(1 for _user, status in rows if status == "present")
    return render(
        request,
        "cohorts/session_attendance.html",
        {"cohort": cohort, "session": session, "form": form, "present": present, "total": len(rows)},
    )


# --- Grading ----------------------------------------------------------------------------------------------------


@login_required
def grading_list(request, pk: int):
    cohort = _managed_cohort(request, pk)
    return render(
        request,
        "cohorts/grading_list.html",
        {"cohort": cohort, "submissions": selectors.pending_submissions(cohort=cohort)[:200]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def grade(request, pk: int, submission_id: int):
    cohort = _managed_cohort(request, pk)
    submission = selectors.submission_for_cohort(cohort=cohort, submission_id=submission_id)
    back = reverse("cohorts:grading_list", args=[cohort.pk])
    return _grade_page(request, submission, back_url=back, context={"cohort": cohort})


@login_required
def self_paced_list(request):
    """Free-text answers of people who study a course of the reviewer's institution on their own."""
    if not selectors.self_paced_reviewer(user=request.user):
        raise Http404
    answers = selectors.self_paced_pending(reviewer=request.user)
    return render(request, "cohorts/self_paced_list.html", {"answers": answers})


@login_required
@require_http_methods(["GET", "POST"])
def self_paced_grade(request, submission_id: int):
    submission = selectors.self_paced_submission_get(reviewer=request.user, submission_id=submission_id)
    return _grade_page(request, submission, back_url=reverse("cohorts:self_paced_list"), context={})


def _grade_page(request, submission, *, back_url: str, context: dict):
    if submission is None or submission.page is None:
        raise Http404
    try:
        activity = activity_get(page=submission.page.specific, usage_id=submission.usage_id)
    except ActivityError as exc:
        raise Http404 from exc
    authored = activity.authored
    form = GradeForm(request.POST or None, rubric=authored.get("rubric") or [])
    if request.method == "POST" and submission.is_pending and form.is_valid():
        try:
            submission_grade(
                grader=request.user,
                submission=submission,
                rubric_scores=form.rubric_scores(),
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied:
            raise
        else:
            with services.notice_language(submission.user):
                services.notification_send(
                    user=submission.user,
                    title=_("Tu respuesta fue revisada"),
                    body=form.cleaned_data["feedback"],
                    url=submission.page.url or "",
                )
            messages.success(request, _("Guardamos la calificación y avisamos a la persona."))
            return redirect(back_url)
    return render(
        request,
        "cohorts/grade.html",
        {**context, "submission": submission, "authored": authored, "form": form, "back_url": back_url},
    )


# --- Announcements -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def announcements(request, pk: int):
    cohort = _managed_cohort(request, pk)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        announcement = services.announcement_send(cohort=cohort, author=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Aviso enviado a todo el grupo (%(n)s por correo).") % {"n": announcement.emailed},
        )
        return redirect("cohorts:announcements", pk=cohort.pk)
    return render(
        request,
        "cohorts/announcements.html",
        {"cohort": cohort, "form": form, "announcements": cohort.announcements.select_related("author")[:50]},
    )


# --- Exports -----------------------------------------------------------------------------------------------------

EXPORTS = {
    "participantes": (selectors.roster_export_rows, "Participantes"),
    "notas": (selectors.grades_export_rows, "Notas"),
    "asistencia": (selectors.attendance_export_rows, "Asistencia"),
}


@login_required
def export(request, pk: int, kind: str, fmt: str):
    cohort = _managed_cohort(request, pk)
    if kind not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404
    builder, title = EXPORTS[kind]
    headers, rows = builder(cohort=cohort)
    content, content_type = export_bytes(export_dataset(title=title, headers=headers, rows=rows), fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{kind}-{cohort.code}.{fmt}"'
    return response


# --- Participants -------------------------------------------------------------------------------------------------


def _shares_contact(user) -> bool:
    from lms.accounts.models import ConsentRecord
    from lms.accounts.selectors import consent_current

    return consent_current(user, ConsentRecord.Purpose.COHORT_CONTACT)


def _join_rate(group: str, request) -> str:
    return getattr(settings, "RUTA_COHORT_JOIN_RATE", "20/h")


def _join_ip_rate(group: str, request) -> str:
    return getattr(settings, "RUTA_COHORT_JOIN_IP_RATE", "100/h")


def _join_limited(request, form) -> HttpResponse | None:
    """A group code is a key to a cohort (its roster, notices and sessions): trying codes one after another, by a
    person or from one address, is limited as the check-in code is. The page says so, in Spanish."""
    if not getattr(request, "limited", False):
        return None
    if not form.is_bound:  # a link: show its code in the box, with the message
        form = JoinForm({"code": form.initial.get("code", "")}, share_contact=form.fields["share_contact"].initial)
    form.is_valid()
    form.add_error(
        None, _("Probaste demasiados códigos seguidos. Pide el enlace a tu facilitador·a o inténtalo en una hora.")
    )
    return render(request, "cohorts/join.html", {"form": form, "cohort": None}, status=429)


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(group="cohorts-join", key="user", rate=_join_rate, method=ratelimit.ALL, block=False)
@ratelimit(group="cohorts-join-ip", key="ip", rate=_join_ip_rate, method=ratelimit.ALL, block=False)
def join(request):
    form = JoinForm(request.POST or request.GET or None, share_contact=_shares_contact(request.user))
    if request.method == "POST" and (limited := _join_limited(request, form)):
        return limited
    if request.method == "POST" and form.is_valid():
        return _do_join(request, form.cleaned_data["code"], form)
    return render(request, "cohorts/join.html", {"form": form, "cohort": None})


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(group="cohorts-join", key="user", rate=_join_rate, method=ratelimit.ALL, block=False)
@ratelimit(group="cohorts-join-ip", key="ip", rate=_join_ip_rate, method=ratelimit.ALL, block=False)
def join_link(request, code: str):
    # Opening a link names the cohort when the code is right, so each visit counts as a try (the same count as
    # typing a code on «Unirme a un grupo»).
    form = JoinForm(initial={"code": code.upper()}, share_contact=_shares_contact(request.user))
    if limited := _join_limited(request, form):
        return limited
    cohort = Cohort.objects.filter(code=code.upper(), join_open=True).select_related("institution").first()
    if request.method == "POST":
        return _do_join(request, code, form)
    return render(request, "cohorts/join.html", {"form": form, "cohort": cohort, "code": code.upper()})


def _do_join(request, code: str, form):
    # The box is on the page (ticked when consent is already in force): its state is the person's answer.
    share_contact = request.POST.get("share_contact") in ("on", "true", "1")
    try:
        member = services.cohort_join_by_code(user=request.user, code=code, share_contact=share_contact)
    except ValidationError as exc:
        form.add_error(None, exc)
        return render(request, "cohorts/join.html", {"form": form, "cohort": None}, status=400)
    if getattr(member, "was_member", False):
        messages.info(request, _("Ya eres parte del grupo «%(name)s».") % {"name": member.cohort.name})
    else:
        messages.success(request, _("¡Te uniste al grupo «%(name)s»!") % {"name": member.cohort.name})
    return redirect("cohorts:home")


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request):
    """The person's own pending invitations, each with «Aceptar» and «Rechazar» (one form per invitation)."""
    share = _shares_contact(request.user)
    if request.method == "POST":
        form = InvitationAnswerForm(request.POST, share_contact=share)
        if not form.is_valid():
            raise Http404
        data = form.cleaned_data
        try:
            if data["answer"] == "accept":
                member = services.cohort_invitation_accept(
                    invitation_id=data["invitation"], user=request.user, share_contact=data["share_contact"]
                )
                messages.success(request, _("¡Te uniste al grupo «%(name)s»!") % {"name": member.cohort.name})
            else:
                invitation = services.cohort_invitation_decline(invitation_id=data["invitation"], user=request.user)
                messages.info(
                    request,
                    _("Rechazaste la invitación al grupo «%(name)s». No cambiamos nada en tu cuenta.")
                    % {"name": invitation.cohort.name},
                )
        except CohortInvitation.DoesNotExist as exc:
            raise Http404 from exc
        return redirect("cohorts:invitations")
    return render(
        request,
        "cohorts/invitations.html",
        {"invitations": list(selectors.invitations_for(user=request.user)), "share_contact": share},
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(group="cohorts-check-in", key="user", rate="10/h", method="POST", block=False)
def check_in(request):
    # Stipends depend on attendance: a 4-digit code must not be guessable by trying them all.
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and getattr(request, "limited", False):
        form.is_valid()
        form.add_error("code", _("Demasiados intentos. Pide ayuda a tu facilitador·a o inténtalo en una hora."))
    elif request.method == "POST" and form.is_valid():
        try:
            attendance = services.attendance_check_in(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(
                request, _("Registramos tu asistencia a «%(title)s».") % {"title": attendance.session.title}
            )
            return redirect("cohorts:home")
    return render(request, "cohorts/check_in.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        services.notification_mark_read(user=request.user)
        return redirect("cohorts:notifications")
    items = list(selectors.notifications_for(user=request.user)[:100])
    return render(request, "cohorts/notifications.html", {"items": items})
