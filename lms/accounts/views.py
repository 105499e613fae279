"""Account pages. Views parse, call a service or selector and render; rules live in services and permissions."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from . import permissions, selectors, services
from .forms import AccountDeleteForm, ConsentForm, HelperSearchForm, PhoneForm, ProfileForm
from .models import User


def _is_password_helper(user) -> bool:
    return permissions.institutions_with_role(user, permissions.PASSWORD_HELPER_ROLES).exists()


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/account_home.html",
        {"can_help_with_passwords": _is_password_helper(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = services.profile_get_or_create(user=request.user)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=profile, user=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Guardamos tus datos."))
            return redirect("accounts:profile_edit")
    else:
        form = ProfileForm(instance=profile, user=request.user)
    return render(request, "accounts/profile.html", {"form": form})


def _phone_edit_rate(group: str, request: HttpRequest) -> str:
    return getattr(settings, "RUTA_PHONE_EDIT_RATE", "10/h")


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(group="accounts-phone-edit", key="user", rate=_phone_edit_rate, method="POST", block=False)
def phone_edit(request: HttpRequest) -> HttpResponse:
    # Whether another account has the number is never said (sign-up does not say it either): a taken number leaves
    # the account as it was and gets the same answer as a free one, whose wording is true in both cases; the page
    # it leads to shows the number the account has now. Per-person limit: the page cannot be used to try numbers.
    form = PhoneForm(request.POST or None, user=request.user)
    if request.method == "POST" and getattr(request, "limited", False):
        form.is_valid()
        form.add_error(None, _("Hiciste demasiados cambios seguidos. Inténtalo de nuevo en una hora."))
        return render(request, "accounts/phone.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        services.user_phone_update(user=request.user, phone=phone)
        if phone:
            messages.info(
                request,
                _(
                    "Si ninguna otra cuenta usa ese número, quedó guardado y ya puedes entrar con él. "
                    "Si otra cuenta lo usa, tu número no cambió. Aquí ves el número que tiene tu cuenta."
                ),
            )
        else:
            messages.success(request, _("Quitamos tu número de celular."))
        return redirect("accounts:phone_edit")
    return render(request, "accounts/phone.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            services.consent_record(
                user=request.user, purpose=form.cleaned_data["purpose"], granted=form.cleaned_data["granted"]
            )
            if form.cleaned_data["granted"]:
                messages.success(request, _("Registramos tu consentimiento."))
            else:
                messages.success(request, _("Retiraste tu consentimiento. Lo tendremos en cuenta desde ahora."))
            return redirect("accounts:consent")
        messages.error(request, _("No pudimos registrar tu decisión. Inténtalo de nuevo."))
    states = selectors.consent_states_for_user(user=request.user)
    return render(request, "accounts/consent.html", {"states": states})


@login_required
@never_cache
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    data = services.user_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"ruta-mis-datos-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_deletion_request(user=request.user)
        logout(request)
        return redirect("accounts:account_deleted")
    return render(request, "accounts/delete.html", {"form": form})


@require_GET
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html")


@login_required
@require_GET
def helper_search(request: HttpRequest) -> HttpResponse:
    if not _is_password_helper(request.user):
        raise PermissionDenied
    form = HelperSearchForm(request.GET or None)
    results: list[User] = []
    if form.is_valid():
        results = selectors.participant_list_for_helper(actor=request.user, query=form.cleaned_data["q"])
    return render(request, "accounts/helper_search.html", {"form": form, "results": results})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def helper_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    if not _is_password_helper(request.user):
        raise PermissionDenied
    target = get_object_or_404(User, pk=user_id, is_active=True)
    if not permissions.can_reset_password_for(request.user, target):
        raise Http404
    if request.method == "POST":
        password = services.helper_password_reset_create(actor=request.user, target=target)
        # never_cache: the temporary password must not be kept by the browser or a proxy.
        return render(request, "accounts/helper_done.html", {"target": target, "password": password})
    return render(request, "accounts/helper_confirm.html", {"target": target})


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html")
