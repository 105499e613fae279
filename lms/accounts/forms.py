"""Account forms. Sign-up asks only for what is needed; everything sensitive lives in the optional profile."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ConsentRecord, User


class SignupExtraForm(forms.Form):
    """Extra sign-up fields for allauth: the name to print on certificates and the consent to the terms."""

    first_name = forms.CharField(
        label=_("Nombres"),
        max_length=150,
        required=False,
        help_text=_("Tal como quieres que aparezcan en tus certificados."),
    )
    last_name = forms.CharField(label=_("Apellidos"), max_length=150, required=False)
    accept_terms = forms.BooleanField(
        label=_("Acepto las condiciones de uso y el aviso de privacidad"),
        required=True,
        error_messages={"required": _("Para crear tu cuenta debes aceptar las condiciones de uso.")},
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        user.first_name = self.cleaned_data.get("first_name", "")
        user.last_name = self.cleaned_data.get("last_name", "")
        user.save(update_fields=["first_name", "last_name"])
        services.consent_record(user=user, purpose=ConsentRecord.Purpose.TERMS, granted=True)
