"""The Wagtail admin's login (``/admin/login/``) under the same limits as the site's login (``/accounts/login/``).

Wagtail's and Django's admin logins call ``django.contrib.auth.authenticate`` directly, so allauth's
``ACCOUNT_RATE_LIMITS`` never saw them: unlimited password guesses on /admin/login/, and an account locked on
/accounts/login/ still logged in there. This form authenticates through allauth's adapter instead, which counts
failed passwords per account and per address in the same counters (``lms.accounts.adapter`` keys them by account),
so a lockout on either page holds on both. ``/django-admin/login/`` leads here (``lms.urls``): one admin login.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from lms.accounts.admin_forms import AdminLoginForm


class RateLimitedAdminLoginForm(AdminLoginForm):
    """Wagtail's login form (with Ruta's Spanish label), checked by allauth's login limits."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            adapter = get_adapter(self.request)
            if self.request is not None and not ratelimit.consume(self.request, action="login"):
                raise adapter.validation_error("rate_limited")
            # Raises "too many failed attempts" while the account (or this address) is locked, even for the right
            # password; a failure counts, a success gives back its own count.
            self.user_cache = adapter.authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


def django_admin_login(request: HttpRequest) -> HttpResponseRedirect:
    """``/django-admin/login/``: the Wagtail admin's login, keeping a ``next`` on this site only. Someone already
    logged in is here because the Django admin refused them (superusers only): no ``next``, or the Wagtail login
    would send them straight back (a redirect loop); it shows them the Wagtail admin or its login."""
    target = reverse("wagtailadmin_login")
    next_url = request.GET.get("next", "")
    if (
        next_url
        and not request.user.is_authenticated
        and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        target = f"{target}?{urlencode({'next': next_url})}"
    return HttpResponseRedirect(target)
