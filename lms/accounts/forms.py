"""Account forms. Sign-up asks only for what is needed; everything sensitive lives in the optional profile."""

from __future__ import annotations

from typing import Any

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


NAME_HELP = _(
    "Es el nombre que se imprime en tus certificados: escríbelo completo y con tildes, tal como quieres que se lea."
)


class SignupExtraForm(forms.Form):
    """Extra sign-up fields for allauth: the name printed on certificates and the consent to the terms.

    Nobody chooses a username: it is made from the name (``services.username_generate``). A phone number or an
    e-mail is needed to log in again.
    """

    field_order = ["first_name", "last_name", "phone", "email", "password1", "password2", "accept_terms"]

    first_name = forms.CharField(label=_("Nombres"), max_length=150, required=True, help_text=NAME_HELP)
    last_name = forms.CharField(
        label=_("Apellidos"),
        max_length=150,
        required=False,
        help_text=_("Si tienes dos apellidos, escribe los dos."),
    )
    accept_terms = forms.BooleanField(
        label=_("Acepto las condiciones de uso y el aviso de privacidad"),
        required=True,
        error_messages={"required": _("Para crear tu cuenta debes aceptar las condiciones de uso.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].error_messages["required"] = _(
            "Escribe tu nombre: es el que aparecerá en tus certificados."
        )
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean() or {}
        # A taken phone or e-mail is not reported here (that would tell anyone who has an account):
        # ``auth_forms.SignupForm.try_save`` answers without creating anything.
        missing = not (cleaned_data.get("phone") or cleaned_data.get("email"))
        if "phone" in self.fields and missing and not (self.has_error("phone") or self.has_error("email")):
            self.add_error("phone", _("Escribe tu número de celular o tu correo: con él vas a entrar a Ruta."))
        return cleaned_data

    def signup(self, request: HttpRequest, user: User) -> None:
        user.first_name = self.cleaned_data.get("first_name", "").strip()
        user.last_name = self.cleaned_data.get("last_name", "").strip()
        user.save(update_fields=["first_name", "last_name"])
        services.consent_record(user=user, purpose=ConsentRecord.Purpose.TERMS, granted=True)
        # No message here: the sign-up answer must be the same whether or not the number already had an account
        # (auth_forms.SignupForm.try_save); the username shows under "Mi cuenta" once the person is in.


class ProfileForm(forms.ModelForm):
    """The printed name plus the optional profile; every field may be left empty and says why it is asked."""

    first_name = forms.CharField(
        label=_("Nombres"),
        max_length=150,
        required=True,
        help_text=NAME_HELP,
        error_messages={"required": _("Escribe tu nombre: es el que aparecerá en tus certificados.")},
    )
    last_name = forms.CharField(
        label=_("Apellidos"),
        max_length=150,
        required=False,
        help_text=_("Si tienes dos apellidos, escribe los dos."),
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
