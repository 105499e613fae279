"""django-allauth adapter: phone numbers live on ``User.phone`` (E.164), e-mail is optional."""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.fields import PhoneField
from allauth.core.internal import ratelimit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User
from .phones import phone_candidates, phone_normalise, phone_readings_anywhere


def normalise_phone(value: str, region: str | None = None) -> str:
    """Return ``value`` as an E.164 number (see ``phones.phone_normalise``: Peru, Ecuador and Venezuela).

    Raises ``forms.ValidationError`` with a Spanish message when it is not a valid number or its country is unclear.
    """
    return phone_normalise(value, region=region)


class RutaPhoneField(PhoneField):
    """A phone field that accepts local or international formats and stores E.164."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["validators"] = []
        kwargs["label"] = _("Número de celular (opcional)") if not kwargs.get("required") else _("Número de celular")
        kwargs.setdefault(
            "help_text",
            _(
                "Con él entras a Ruta. Escríbelo como siempre: 987 654 321 (Perú), 099 123 4567 (Ecuador) "
                "o con el código de país, por ejemplo +58 412 123 4567."
            ),
        )
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = forms.CharField.clean(self, value)
        if not value:
            return value
        return normalise_phone(value)


_LOGIN_MISMATCH = _("No pudimos entrar: revisa tu usuario, correo o número de celular y tu contraseña.")


class AccountAdapter(DefaultAccountAdapter):
    """Phones on ``User.phone``; login failures explained the same way whatever identifier was typed."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": _LOGIN_MISMATCH,
        "email_password_mismatch": _LOGIN_MISMATCH,
        "phone_password_mismatch": _LOGIN_MISMATCH,
        "phone_taken": _("Ya existe una cuenta con este número de celular. ¿Quieres entrar?"),
        # allauth's own Spanish says "usted"; Ruta always says "tú".
        "account_inactive": _("Esta cuenta está desactivada."),
        "email_taken": _("Ya existe una cuenta con este correo."),
        "enter_current_password": _("Escribe tu contraseña actual."),
        "incorrect_password": _("La contraseña no es correcta."),
        "invalid_password_reset": _("El enlace para cambiar tu contraseña no es válido o ya se usó. Pide otro."),
        "too_many_login_attempts": _("Demasiados intentos fallidos. Espera unos minutos y vuelve a intentarlo."),
        "rate_limited": _("Vas muy rápido: espera un momento y vuelve a intentarlo."),
        "unverified_primary_email": _("Primero confirma tu correo principal."),
        "cannot_remove_primary_email": _("No puedes quitar tu correo principal."),
    }

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # The per-account half of the "login_failed" limit (5 per 5 minutes). allauth keys it on the identifier
        # as typed, so one account's number typed as "987 654 321", "987654321", "+51 987 654 321"... (or its
        # username, then its e-mail) gave each spelling its own 5 guesses. Count per account instead; an
        # identifier without an account counts by its normalised spelling, so both lock out alike (issue #17).
        # Also what a password reset clears (``_delete_login_attempts_cached_email``).
        return self._login_attempts_cache_keys(request, **credentials)[0]

    def _login_attempts_cache_keys(self, request: HttpRequest, **credentials: Any) -> list[str]:
        """Every per-account key a failed login with these credentials counts against: one, unless the typed number
        reads as several countries' (``987654321``: Peru's, or Ecuador's without its 0), where the password is
        checked against each of those accounts and a failure counts against each (and against each reading that has
        no account, so an unknown number locks out like a known one)."""
        from .backends import accounts_for_login

        site = get_current_site(request).domain
        identifier = credentials.get("email") or credentials.get("phone") or credentials.get("username") or ""
        users = accounts_for_login(identifier)
        by_phone = {getattr(user, "phone", None): user for user in users}
        keys = [
            f"{site}:user:{by_phone[number].pk}" if number in by_phone else f"{site}:{number}"
            for number in phone_readings_anywhere(identifier)
        ]
        if users and not any(key.startswith(f"{site}:user:") for key in keys):
            keys = []  # the e-mail's or username's account, or a number read more loosely (a Peruvian one with a 0)
        keys += [f"{site}:user:{user.pk}" for user in users]
        if not keys:
            candidates = phone_candidates(identifier)
            keys.append(f"{site}:{candidates[0] if candidates else identifier.strip().lower()}")
        return list(dict.fromkeys(keys))

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth's, with the per-account limit consumed for every key: a number that reads as several accounts'
        # counts a failure against each, so no account gets more guesses by being typed ambiguously. The address
        # limit is consumed once, with the first key, as allauth does.
        first, *others = self._login_attempts_cache_keys(request, **credentials)
        self._login_failed_rl_usage = ratelimit.consume(
            request, app="allauth.account", action="login_failed", key=first
        )
        if not self._login_failed_rl_usage:
            raise self.validation_error("too_many_login_attempts")
        if not others:
            return
        rates = app_settings.RATE_LIMITS.get("login_failed") or ""
        per_key = ",".join(rate.strip() for rate in rates.split(",") if rate.strip().endswith("/key"))
        for key in others:
            usage = ratelimit.consume(
                request, app="allauth.account", action="login_failed", key=key, config={"login_failed": per_key}
            )
            if not usage:
                raise self.validation_error("too_many_login_attempts")
            self._login_failed_rl_usage.usage.extend(usage.usage)  # rolled back together after a successful login

    def phone_form_field(self, **kwargs: Any) -> Any:
        return RutaPhoneField(**kwargs)

    def set_phone(self, user: User, phone: str, verified: bool) -> None:  # type: ignore[override]
        user.phone = phone or None
        user.phone_verified = verified
        if user.pk:
            user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user: User) -> tuple[str, bool] | None:  # type: ignore[override]
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user: User, phone: str) -> None:  # type: ignore[override]
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone: str) -> User | None:  # type: ignore[override]
        users = self.get_users_by_phone(phone)
        return users[0] if users else None

    def get_users_by_phone(self, phone: str) -> list[User]:
        """The accounts a number typed in any format may be, the most likely first.

        allauth passes the login exactly as typed (``099 123 4567``); accounts store E.164. Every way people in Peru,
        Ecuador and Venezuela write their numbers is tried, whatever the site's country: ``987654321`` is both Peru's
        +51 987 654 321 and Ecuador's +593 98 765 4321 without its 0, so it may find two accounts (login checks the
        password against each). Failing those, the first account a looser reading finds (``phone_candidates``).
        """
        readings = phone_readings_anywhere(phone)
        candidates = phone_candidates(phone)
        if not readings and not candidates:
            return []
        found = {user.phone: user for user in User.objects.filter(phone__in={*readings, *candidates})}
        users = [found[number] for number in readings if number in found]
        if users:
            return users
        return next(([found[number]] for number in candidates if number in found), [])

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # A temporary password was read out by a trainer: ask for a personal one straight away.
        if getattr(request.user, "password_is_temporary", False):
            messages.warning(
                request, _("Entraste con una contraseña temporal. Crea ahora una contraseña que solo tú conozcas.")
            )
            return reverse("account_change_password")
        return super().get_login_redirect_url(request)

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        # allauth sends the person back to an empty change form; after a temporary password that looks as if
        # nothing happened. They go to "Mis cursos", where the "Cambiaste tu contraseña." message is shown.
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def set_password(self, user: User, password: str) -> None:  # type: ignore[override]
        # Change-password page and e-mail reset link: the person chose a password of their own.
        user.password_is_temporary = False
        if user.signed_in_on_own_at is None:
            user.signed_in_on_own_at = timezone.now()
        super().set_password(user, password)

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:  # type: ignore[override]
        # Sign-up: the person created the account and its password themselves.
        user.signed_in_on_own_at = user.signed_in_on_own_at or timezone.now()
        return super().save_user(request, user, form, commit=commit)

    def clean_username(self, username: str, shallow: bool = False) -> str:
        # A username that could be read as a phone number would make "987654321" ambiguous at login.
        if not phone_candidates(username):
            return super().clean_username(username, shallow=shallow)
        raise forms.ValidationError(
            _("Tu nombre de usuario no puede ser un número de teléfono. Escribe tu número en el campo del celular."),
            code="username_is_phone",
        )

    def populate_username(self, request: HttpRequest, user: User) -> None:  # type: ignore[override]
        # Nobody is asked for a username at sign-up: it is made from the name they typed.
        if not user.username:
            user.username = services.username_generate(first_name=user.first_name, last_name=user.last_name)

    def send_verification_code_sms(self, user: User, phone: str, code: str, **kwargs: Any) -> None:
        # No SMS gateway is configured (phone verification is disabled); nothing is sent.
        return None
