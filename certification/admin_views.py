"""Wagtail admin views for staff: certificate list, manual issue, revoke, re-issue, bulk issue with progress.

They parse forms, ask ``selectors.can_issue_certificates`` and call one service each. Staff without global
rights (superuser or the ``certification.add_certificate`` permission) see and issue only for the institutions
where they are admins or programme managers, and issue only in the name of the programme's issuer or co-issuers.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from lms.accounts.models import Institution, Role
from lms.accounts.permissions import institutions_with_role

from . import selectors, services
from .codes import code_normalize
from .forms import BulkIssueForm, IssueForm, ReissueForm, RevokeForm, issuer_of_programme
from .models import BulkIssueJob, Certificate
from .source_keys import source_key_build


def _require(request, programme=None):
    if not selectors.can_issue_certificates(user=request.user, programme=programme):
        raise PermissionDenied


def _issuing_institutions(user) -> QuerySet[Institution] | None:
    """Where ``user`` issues certificates; None for everywhere (superusers, the global permission)."""
    if user.is_superuser or user.has_perm("certification.add_certificate"):
        return None
    return institutions_with_role(user, [Role.INSTITUTION_ADMIN, Role.PROGRAMME_MANAGER])


def certificate_list(request):
    _require(request)
    query = request.GET.get("q", "").strip()
    certificates = Certificate.objects.select_related("programme", "replaced_by")
    institutions = _issuing_institutions(request.user)
    if institutions is not None:  # holder names are searched only among the institution's own certificates too
        certificates = certificates.filter(programme__issuer__in=institutions)
    if query:
        code = code_normalize(query)
        certificates = certificates.filter(Q(code=code) if code else Q(holder_name__icontains=query))
    page = Paginator(certificates, 50).get_page(request.GET.get("p"))
    return render(request, "certification/admin/list.html", {"page": page, "q": query})


def certificate_issue_view(request):
    _require(request)
    institutions = _issuing_institutions(request.user)
    form = IssueForm(request.POST or None, institutions=institutions)
    if request.method == "POST" and form.is_valid():
        programme, issuer = form.cleaned_data["programme"], form.cleaned_data["issuer"]
        _require(request, programme)
        if institutions is not None and issuer is not None and not issuer_of_programme(programme, issuer):
            raise PermissionDenied  # the form refuses it already; never issue in another institution's name
        certificate = services.certificate_issue(
            holder=form.cleaned_data["username"],
            programme=programme,
            source_key=source_key_build(
                "manual", programme.pk, form.cleaned_data["username"].pk, form.cleaned_data["reference"]
            ),
            achievement=form.cleaned_data["achievement"],
            hours=form.cleaned_data["hours"],
            competency_units=form.units(),
            trainer_name=form.cleaned_data["trainer_name"],
            issuer=issuer,
            actor=request.user,
        )
        messages.success(request, _("Certificado emitido: %(code)s") % {"code": certificate.display_code})
        return redirect("certification_admin:list")
    return render(request, "certification/admin/form.html", {"form": form, "title": _("Emitir un certificado")})


def certificate_revoke_view(request, pk: int):
    certificate = get_object_or_404(Certificate, pk=pk)
    _require(request, certificate.programme)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"])
        except services.CertificateRuleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Certificado revocado."))
        return redirect("certification_admin:list")
    title = _("Revocar %(code)s") % {"code": certificate.display_code}
    return render(request, "certification/admin/form.html", {"form": form, "title": title, "certificate": certificate})


def certificate_reissue_view(request, pk: int):
    certificate = get_object_or_404(Certificate, pk=pk)
    _require(request, certificate.programme)
    form = ReissueForm(request.POST or None, initial={"holder_name": certificate.holder.certificate_name})
    if request.method == "POST" and form.is_valid():
        try:
            new = services.certificate_reissue(
                certificate=certificate,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                holder_name=form.cleaned_data["holder_name"],
            )
        except services.CertificateRuleError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Nuevo certificado: %(code)s") % {"code": new.display_code})
        return redirect("certification_admin:list")
    title = _("Reemitir %(code)s") % {"code": certificate.display_code}
    return render(request, "certification/admin/form.html", {"form": form, "title": title, "certificate": certificate})


def bulk_issue_view(request):
    _require(request)
    form = BulkIssueForm(request.POST or None, institutions=_issuing_institutions(request.user))
    if request.method == "POST" and form.is_valid():
        programme = form.cleaned_data["programme"]
        _require(request, programme)
        ids = selectors.completed_enrollment_ids(programme=programme, cohort_id=form.cleaned_data["cohort_id"])
        job = services.bulk_issue_job_create(programme=programme, actor=request.user, enrollment_ids=ids)
        return redirect("certification_admin:bulk_job", pk=job.pk)
    return render(request, "certification/admin/form.html", {"form": form, "title": _("Emisión masiva")})


def bulk_job_view(request, pk: int):
    job = get_object_or_404(BulkIssueJob.objects.select_related("programme"), pk=pk)
    _require(request, job.programme)
    return render(request, "certification/admin/bulk_job.html", {"job": job})


def certificate_detail_view(request, pk: int):
    certificate = get_object_or_404(Certificate.objects.select_related("programme", "holder", "replaced_by"), pk=pk)
    _require(request, certificate.programme)
    context = {
        "certificate": certificate,
        "events": selectors.certificate_events_for(certificate=certificate),
        "signature_valid": services.certificate_signature_valid(certificate=certificate),
        "title": certificate.display_code,
    }
    return render(request, "certification/admin/detail.html", context)
