"""Forms of the trainer certification pages: they parse input; services apply the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.cohorts.models import Cohort
from lms.accounts.models import Institution, Role, User

from .models import MasterTrainer, TrainerTrack


class NominateForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institución que postula"), queryset=Institution.objects.none())
    trainer = forms.ModelChoiceField(label=_("Persona postulante"), queryset=User.objects.none())
    track = forms.ModelChoiceField(
        label=_("Metodología y submódulo"), queryset=TrainerTrack.objects.filter(is_active=True)
    )
    supervisor = forms.ModelChoiceField(
        label=_("Master trainer que supervisa"), queryset=User.objects.none(), required=False
    )
    commitment_letter = forms.BooleanField(label=_("Recibimos la carta de compromiso"), required=False)

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["trainer"].queryset = (
            User.objects.filter(
                memberships__institution__in=institutions,
                memberships__role__in=[Role.TRAINER, Role.MASTER_TRAINER, Role.INSTITUTION_ADMIN],
            )
            .distinct()
            .order_by("first_name", "last_name")
        )
        self.fields["trainer"].label_from_instance = lambda u: u.printed_name
        self.fields["supervisor"].queryset = User.objects.filter(
            pk__in=MasterTrainer.objects.filter(active=True).values("user_id")
        ).order_by("first_name")
        self.fields["supervisor"].label_from_instance = lambda u: u.printed_name

    def full_clean(self):
        super().full_clean()
        # Shown again after an error: the chosen candidate is no longer offered as their own supervisor.
        trainer = self.cleaned_data.get("trainer") if self.is_bound else None
        if trainer is not None:
            field = self.fields["supervisor"]
            field.queryset = field.queryset.exclude(pk=trainer.pk)


class CohortChoiceForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Grupo"), queryset=Cohort.objects.none())

    def __init__(self, *args, cohorts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts if cohorts is not None else Cohort.objects.none()


class ObservationForm(forms.Form):
    comments = forms.CharField(label=_("Comentarios"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    recommended = forms.BooleanField(label=_("Recomiendo su certificación"), required=False)

    def __init__(self, *args, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = []
        for index, label in enumerate(checklist):
            name = f"item{index}"
            self.fields[name] = forms.BooleanField(label=label, required=False)
            self.items.append((label, name))
        self.order_fields([name for _label, name in self.items] + ["comments", "recommended"])

    def checked(self) -> dict[str, bool]:
        return {label: bool(self.cleaned_data.get(name)) for label, name in self.items}


class WithdrawForm(forms.Form):
    ACTIONS = [("suspend", _("Suspender")), ("revoke", _("Revocar"))]
    action = forms.ChoiceField(label=_("Decisión"), choices=ACTIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Motivo"), widget=forms.Textarea(attrs={"rows": 3}))


class ReinstateForm(forms.Form):
    reason = forms.CharField(label=_("Motivo"), widget=forms.Textarea(attrs={"rows": 3}))


class SupervisorChangeForm(forms.Form):
    """Offers the eligible master trainers (``selectors.supervisor_candidates``) but parses any active account, so
    that the service's rule says why a person cannot supervise (the trainer herself, not a master trainer of the
    methodology) instead of a bare «not a valid choice»."""

    supervisor = forms.ModelChoiceField(
        label=_("Nueva o nuevo master trainer que supervisa"), queryset=User.objects.filter(is_active=True)
    )
    reason = forms.CharField(
        label=_("Motivo del cambio"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Queda en el historial de la ruta. Por ejemplo: dejó la institución, ya no es master trainer."),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["supervisor"]
        offered = list(candidates) if candidates is not None else []
        field.widget.choices = [("", "---------")] + [(user.pk, user.printed_name) for user in offered]
