"""Staff forms for issuing, revoking, re-issuing and bulk issuing certificates (validation of input only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
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

    def __init__(self, *args: Any, institutions: QuerySet[Institution] | None = None, **kwargs: Any) -> None:
        """``institutions``: where the staff member may issue (None: everywhere, for superusers and holders of the
        global permission). Then only those institutions' programmes are offered, and as issuer only the
        programmes' issuers and co-issuers; ``clean`` checks the pair."""
        super().__init__(*args, **kwargs)
        self.scoped = institutions is not None
        if institutions is not None:
            programmes = CertificateProgramme.objects.filter(is_active=True, issuer__in=institutions)
            self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
            self.fields["issuer"].queryset = Institution.objects.filter(  # type: ignore[attr-defined]
                Q(pk__in=programmes.values("issuer")) | Q(pk__in=programmes.values("co_issuers")), is_active=True
            )

    def clean_username(self):
        user = User.objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(_("No existe una persona con ese usuario."))
        return user

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        programme, issuer = cleaned.get("programme"), cleaned.get("issuer")
        if self.scoped and programme is not None and issuer is not None and not issuer_of_programme(programme, issuer):
            self.add_error("issuer", _("Elige la institución del programa o una de sus instituciones coemisoras."))
        return cleaned

    def units(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("competency_units", "").splitlines() if line.strip()]


def issuer_of_programme(programme: CertificateProgramme, institution: Institution) -> bool:
    """True when ``institution`` is the programme's issuer or one of its co-issuers."""
    return institution.pk == programme.issuer_id or programme.co_issuers.filter(pk=institution.pk).exists()


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

    def __init__(self, *args: Any, institutions: QuerySet[Institution] | None = None, **kwargs: Any) -> None:
        """``institutions`` as for ``IssueForm``: only their programmes are offered."""
        super().__init__(*args, **kwargs)
        if institutions is not None:
            field = self.fields["programme"]
            field.queryset = field.queryset.filter(issuer__in=institutions)  # type: ignore[attr-defined]


class HolderDidForm(forms.Form):
    """The DID a learner's wallet gave them, to bind their credential to it (blank: no binding).

    Typed by hand it is not proven to be theirs (the QR offer proves it), so only an Ed25519 ``did:key`` is taken
    (``services.holder_did_normalize``): it names a key, never a website or another organisation.
    """

    did = forms.CharField(
        label=_("DID de tu billetera digital (opcional)"),
        max_length=300,
        required=False,
        help_text=_(
            "Solo un did:key de clave Ed25519: empieza con «did:key:z6Mk». Lo copias desde tu billetera. Ruta no "
            "comprueba que esa billetera sea tuya; para eso usa «Guardar en mi billetera (código QR)». Vacío: sin DID."
        ),
    )

    def clean_did(self) -> str:
        from .services import CertificateRuleError, holder_did_normalize

        try:
            return holder_did_normalize(self.cleaned_data["did"])
        except CertificateRuleError as error:
            raise forms.ValidationError(str(error), code="invalid") from error
