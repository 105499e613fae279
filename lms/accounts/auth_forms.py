"""allauth form subclasses (kept apart from ``forms.py``, which allauth itself imports for sign-up)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.userkit import filter_users_by_email
from allauth.account.signals import user_signed_up
from allauth.account.utils import get_next_redirect_url
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User

#: Django's own Spanish help for the password validators says "usted"; Ruta always says "tú".
PASSWORD_HELP = _("Al menos 8 caracteres; que no sea solo números, ni tu nombre, ni una clave muy común.")


class ChangePasswordForm(AllauthChangePasswordForm):
    """allauth's form with Ruta's words ("tú") for the help texts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["oldpassword"].label = _("Tu contraseña actual")
        self.fields["oldpassword"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("account_reset_password"), _("¿Olvidaste tu contraseña?")
        )
        self.fields["password1"].label = _("Contraseña nueva")
        self.fields["password1"].help_text = PASSWORD_HELP
        self.fields["password2"].label = _("Repite la contraseña nueva")
        for name in ("oldpassword", "password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if "password2" in self.errors and cleaned_data.get("password1") != self.data.get("password2"):
            self.errors["password2"] = self.error_class(
                [_("Escribe la misma contraseña las dos veces.")],
                renderer=self.renderer,
                field_id=self["password2"].auto_id,  # the id the box's aria-describedby points to
            )
        return cleaned_data


class LoginForm(AllauthLoginForm):
    """One box for the username, e-mail or mobile number (local or international format)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Número de celular, correo o usuario")
        login.help_text = _(
            "Escribe tu número como siempre, con o sin código de país: 987 654 321, 099 123 4567 o +593 99 123 4567."
        )
        login.widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        login.widget.attrs.pop("placeholder", None)
        if "password" in self.fields:
            # The page has its own "¿Olvidaste tu contraseña?" link, which also explains help without e-mail.
            self.fields["password"].help_text = ""
            self.fields["password"].widget.attrs.pop("placeholder", None)


class SignupForm(AllauthSignupForm):
    """Name, phone or e-mail, password. Whether the phone or e-mail already has an account is never revealed.

    Every sign-up gets the same answer, in the same time (one password hash): "if these details were new your
    account is ready; if they already had an account we did not create another; either way, log in now". A new
    account is created but not logged in; a taken number or address creates nothing and its owner is told by
    e-mail where they have one. Logging in reveals nothing either (``backends``), so nobody can learn from Ruta
    whether a migrant's number is registered. Without an SMS gateway there is no other way: logging the new person
    in at once would tell anyone who tries a number that it was free.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "phone" in self.fields:
            self.fields["phone"].label = _("Número de celular")
        if "email" in self.fields:
            self.fields["email"].label = _("Correo electrónico (opcional)")
            self.fields["email"].help_text = _("Si tienes correo, te sirve para recuperar tu contraseña.")
            self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields["password1"].help_text = PASSWORD_HELP
        self.fields["password1"].widget.attrs.pop("placeholder", None)
        if "password2" in self.fields:
            self.fields["password2"].label = _("Repite la contraseña")
            self.fields["password2"].widget.attrs.pop("placeholder", None)

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if "password2" in self.errors and cleaned_data.get("password1") != self.data.get("password2"):
            # allauth's Spanish for this says "usted"; Ruta always says "tú".
            self.errors["password2"] = self.error_class(
                [_("Escribe la misma contraseña las dos veces.")],
                renderer=self.renderer,
                field_id=self["password2"].auto_id,  # the id the box's aria-describedby points to
            )
        return cleaned_data

    def validate_unique_email(self, value: str) -> str:
        # allauth refuses a taken address openly unless e-mail verification is mandatory (it is optional here,
        # since most participants have no e-mail): answer like for a taken phone instead.
        if filter_users_by_email(value):
            self.account_already_exists = True
        return get_adapter().validate_unique_email(value)

    def _owners(self) -> list[User]:
        owners: list[User] = []
        phone = self.cleaned_data.get("phone")
        if phone:
            owner = get_adapter().get_user_by_phone(phone)
            if owner is not None:
                owners.append(owner)
        email = self.cleaned_data.get("email")
        if email:
            owners += [user for user in filter_users_by_email(email) if user not in owners]
        return owners

    def try_save(self, request: HttpRequest) -> tuple[User | None, HttpResponse | None]:
        if not self.account_already_exists:
            user = self.save(request)  # hashes the password once
            user_signed_up.send(sender=user.__class__, request=request, user=user)
        else:
            password = self.cleaned_data.get("password1") or ""
            owners = self._owners()
            # One hash, as for a new account: the typed password is checked against the first owner only (the
            # number's, else the address's), before looking at is_active, and hashed anyway when the account went
            # away meanwhile. Checking it against a second owner, or skipping a deactivated one, would tell.
            first = owners[0] if owners else None
            typed_own = first is not None and first.check_password(password) and first.is_active
            if first is None:
                User().set_password(password)
            for owner in owners:  # the owner typing their own password needs no warning; anyone else's attempt does
                if owner is first and typed_own:
                    continue
                phone = self.cleaned_data.get("phone")
                identifier = owner.phone_display if owner.phone and owner.phone == phone else ""
                services.account_signup_attempt_announce(user=owner, identifier=identifier or owner.email)
        # allauth's save() leaves a key in the session (the e-mail it verified, here none), which made a new
        # number's answer set a session cookie and a registered one's not: the headers told who is on Ruta. Leave
        # the session as each branch found it, marked changed in both (an empty one sets no cookie; one that
        # already held something is saved again either way).
        request.session.pop("account_verified_email", None)
        request.session.modified = True
        return None, render(request, "account/signup_check.html", {"login_next": get_next_redirect_url(request)})
