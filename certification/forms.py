"""Staff forms for issuing, revoking, re-issuing and bulk issuing certificates (validation of input only)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import Institution, User

from .models import CertificateProgramme


class IssueForm(forms.Form):
    programme = forms.ModelChoiceField(CertificateProgramme.objects.filter(is_active=True), label=_("Programa"))
    username = forms.CharField(label=_("Usuario de la persona titular"), max_length=150)
    achievement = forms.CharField(
        label=_("Logro"), required=False, max_length=200, help_text=_("Vacío: el título del programa.")
    )
    hours = forms.IntegerField(label=_("Horas"), required=False, min_value=0, max_value=5000)
    competency_units = forms.CharField(
        label=_("Unidades de competencia"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Una por línea."),
    )
    trainer_name = forms.CharField(label=_("Facilitador·a"), required=False, max_length=200)
    issuer = forms.ModelChoiceField(
        Institution.objects.filter(is_active=True),
        label=_("Institución emisora"),
        required=False,
        help_text=_("Vacío: la del programa."),
    )
    reference = forms.CharField(
        label=_("Referencia de origen"),
        max_length=80,
        help_text=_("Qué sustenta la emisión (p. ej. acta 2026-014). Con la misma referencia no se emite dos veces."),
    )

    def clean_username(self):
        user = User.objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(_("No existe una persona con ese usuario."))
        return user

    def units(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("competency_units", "").splitlines() if line.strip()]


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo (solo queda en el registro interno)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ReissueForm(forms.Form):
    holder_name = forms.CharField(label=_("Nombre tal como debe imprimirse"), max_length=200)
    reason = forms.CharField(label=_("Motivo"), widget=forms.Textarea(attrs={"rows": 3}))


class BulkIssueForm(forms.Form):
    programme = forms.ModelChoiceField(
        CertificateProgramme.objects.filter(is_active=True, course__isnull=False), label=_("Programa (con curso)")
    )
    cohort_id = forms.IntegerField(
        label=_("Grupo (id)"), required=False, help_text=_("Vacío: todas las personas que completaron el curso.")
    )


class HolderDidForm(forms.Form):
    """The DID a learner's wallet gave them, to bind their credential to it (blank: no binding)."""

    did = forms.RegexField(
        label=_("DID de tu billetera digital (opcional)"),
        regex=r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+(#[A-Za-z0-9._:%-]+)?$",
        max_length=300,
        required=False,
        help_text=_("Empieza con «did:», p. ej. did:key:z6Mk… Lo copias desde tu billetera. Vacío: sin DID."),
        error_messages={
            "invalid": _("Eso no parece un DID. Cópialo tal cual desde tu billetera (empieza con «did:»).")
        },
    )
