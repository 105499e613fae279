"""Account forms. Sign-up asks only for what is needed; everything sensitive lives in the optional profile."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .adapter import RutaPhoneField
from .models import ConsentRecord, Profile, User

#: Countries offered in the profile (ISO 3166-1 alpha-2). "ZZ" (user-assigned code) means another country.
OTHER_COUNTRY = "ZZ"
COUNTRY_CHOICES = [
    ("", _("Prefiero no decirlo")),
    ("VE", _("Venezuela")),
    ("PE", _("Perú")),
    ("EC", _("Ecuador")),
    ("CO", _("Colombia")),
    ("BO", _("Bolivia")),
    ("CL", _("Chile")),
    ("AR", _("Argentina")),
    ("DO", _("República Dominicana")),
    ("HT", _("Haití")),
    (OTHER_COUNTRY, _("Otro país")),
]
#: The youngest participants are 14 (the legal minimum working age in the programme countries).
MINIMUM_AGE = 14
OLDEST_BIRTH_YEAR = 1930


class SignupExtraForm(forms.Form):
    """Extra sign-up fields for allauth: the name to print on certificates and the consent to the terms."""

    field_order = ["username", "password1", "password2", "phone", "email", "first_name", "last_name", "accept_terms"]

    first_name = forms.CharField(
        label=_("Nombres (opcional)"),
        max_length=150,
        required=False,
        help_text=_("Tal como quieres que aparezcan en tus certificados."),
    )
    last_name = forms.CharField(
        label=_("Apellidos (opcional)"),
        max_length=150,
        required=False,
        help_text=_("Tal como quieres que aparezcan en tus certificados."),
    )
    accept_terms = forms.BooleanField(
        label=_("Acepto las condiciones de uso y el aviso de privacidad"),
        required=True,
        error_messages={"required": _("Para crear tu cuenta debes aceptar las condiciones de uso.")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean() or {}
        phone = cleaned_data.get("phone")
        # Refused openly (not hidden behind allauth's enumeration prevention): there is no SMS gateway
        # to tell the owner instead, and usernames are visible anyway.
        if phone and get_adapter().get_user_by_phone(phone):
            self.add_error("phone", _("Ya existe una cuenta con este número de celular. ¿Quieres entrar?"))
        return cleaned_data

    def signup(self, request: HttpRequest, user: User) -> None:
        user.first_name = self.cleaned_data.get("first_name", "")
        user.last_name = self.cleaned_data.get("last_name", "")
        user.save(update_fields=["first_name", "last_name"])
        services.consent_record(user=user, purpose=ConsentRecord.Purpose.TERMS, granted=True)


class ProfileForm(forms.ModelForm):
    """The printed name plus the optional profile; every field may be left empty and says why it is asked."""

    first_name = forms.CharField(
        label=_("Nombres"),
        max_length=150,
        required=False,
        help_text=_("Opcional. Tal como quieres que aparezcan en tus certificados (con tildes)."),
    )
    last_name = forms.CharField(
        label=_("Apellidos"),
        max_length=150,
        required=False,
        help_text=_("Opcional. Tal como quieres que aparezcan en tus certificados (con tildes)."),
    )
    nationality = forms.ChoiceField(
        label=_("Nacionalidad"),
        choices=COUNTRY_CHOICES,
        required=False,
        help_text=Profile._meta.get_field("nationality").help_text,
    )
    country = forms.ChoiceField(
        label=_("País donde vives"),
        choices=COUNTRY_CHOICES,
        required=False,
        help_text=Profile._meta.get_field("country").help_text,
    )

    class Meta:
        model = Profile
        fields = [
            "sex",
            "birth_year",
            "nationality",
            "country",
            "region",
            "city",
            "migratory_status",
            "id_document_type",
            "disability",
        ]

    field_order = ["first_name", "last_name"]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.initial.setdefault("first_name", user.first_name)
            self.initial.setdefault("last_name", user.last_name)
        birth_year = self.fields["birth_year"]
        birth_year.widget = forms.NumberInput(attrs={"inputmode": "numeric", "min": OLDEST_BIRTH_YEAR})
        birth_year.widget.attrs["max"] = self.latest_birth_year()
        for name in ("region", "city"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")

    @staticmethod
    def latest_birth_year() -> int:
        return timezone.localdate().year - MINIMUM_AGE

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year is None:
            return None
        latest = self.latest_birth_year()
        if not OLDEST_BIRTH_YEAR <= year <= latest:
            raise forms.ValidationError(
                _("Escribe un año entre %(first)s y %(last)s, o deja el campo vacío."),
                code="birth_year_range",
                params={"first": OLDEST_BIRTH_YEAR, "last": latest},
            )
        return year

    def save(self, commit: bool = True) -> Profile:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return services.profile_update(
            user=self.user,
            first_name=self.cleaned_data["first_name"],
            last_name=self.cleaned_data["last_name"],
            fields=fields,
        )


class PhoneForm(forms.Form):
    """Add, change or remove the mobile number used to log in."""

    phone = RutaPhoneField(required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["phone"].label = _("Número de celular")
        self.fields["phone"].help_text = _(
            "Con él puedes entrar en lugar de tu nombre de usuario. Déjalo vacío para quitarlo. "
            "Escríbelo como siempre: 987 654 321 (Perú), 099 123 4567 (Ecuador) o con el código de país, "
            "por ejemplo +58 412 123 4567."
        )
        if not self.is_bound and user.phone:
            self.initial["phone"] = user.phone


class ConsentForm(forms.Form):
    """Grant or withdraw one purpose."""

    purpose = forms.ChoiceField(choices=ConsentRecord.Purpose.choices, widget=forms.HiddenInput)
    granted = forms.TypedChoiceField(
        choices=[("1", _("Dar mi consentimiento")), ("0", _("Retirar mi consentimiento"))],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )


class HelperSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Buscar participante"),
        max_length=100,
        required=False,
        help_text=_("Escribe su usuario, su número de celular o su nombre."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class AccountDeleteForm(forms.Form):
    """Confirms an account deletion with the person's current password."""

    password = forms.CharField(
        label=_("Tu contraseña actual"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("La pedimos para confirmar que eres tú."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("La contraseña no es correcta."), code="password_incorrect")
        return password
