"""Forms of the cohort pages: they parse and validate input; services apply the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage, ProgrammePage
from lms.accounts.adapter import normalise_phone
from lms.accounts.models import Role, User
from lms.accounts.phones import ambiguous_error, phone_readings

from .models import COHORT_FIELDS, COHORT_FIELDS_FIXED, Attendance, Cohort
from .places import region_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class CohortForm(forms.ModelForm):
    """Create or edit a cohort. Institutions and trainers are limited to those the person may use."""

    trainers = forms.ModelMultipleChoiceField(
        label=_("Facilitadoras y facilitadores"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Si eres facilitador·a, quedas a cargo del grupo."),
    )

    class Meta:
        model = Cohort
        fields = list(COHORT_FIELDS)
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.fields["institution"].queryset = institutions
            self.fields["trainers"].queryset = (
                User.objects.filter(
                    memberships__institution__in=institutions,
                    memberships__role__in=[Role.TRAINER, Role.MASTER_TRAINER],
                )
                .distinct()
                .order_by("first_name", "last_name")
            )
        self.fields["course"].queryset = CoursePage.objects.live().order_by("title")
        self.fields["programme"].queryset = ProgrammePage.objects.live().order_by("title")
        self.fields["course"].required = False
        self.fields["programme"].required = False
        self.fields["region"].widget = forms.TextInput(attrs={"list": "regiones"})
        if self.instance.pk:
            for name in COHORT_FIELDS_FIXED:
                self.fields.pop(name)
            self.fields["trainers"].queryset = (
                User.objects.filter(
                    memberships__institution=self.instance.institution,
                    memberships__role__in=[Role.TRAINER, Role.MASTER_TRAINER],
                )
                .distinct()
                .order_by("first_name", "last_name")
            )
            self.fields["trainers"].initial = list(self.instance.trainers.values_list("pk", flat=True))
            self.fields["trainers"].help_text = _("La primera persona marcada que ya facilitaba sigue a cargo.")
        self.fields["trainers"].label_from_instance = lambda user: user.printed_name

    def clean(self):
        data = super().clean()
        if not self.instance.pk and bool(data.get("course")) == bool(data.get("programme")):
            raise forms.ValidationError(_("Elige un curso o una ruta de aprendizaje (solo uno)."))
        return data

    @staticmethod
    def region_options():
        return region_choices()


class MemberForm(forms.Form):
    """Add one person by hand: a name and at least one way to find them (phone, e-mail or username)."""

    first_name = forms.CharField(label=_("Nombres"), max_length=150)
    last_name = forms.CharField(label=_("Apellidos"), max_length=150, required=False)
    phone = forms.CharField(
        label=_("Teléfono móvil"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("Correo electrónico (opcional)"), required=False)
    username = forms.CharField(label=_("Usuario (si ya tiene cuenta)"), max_length=150, required=False)
    region = forms.CharField(label=_("Región / provincia"), max_length=100, required=False)
    city = forms.CharField(label=_("Ciudad"), max_length=100, required=False)
    share_contact = forms.BooleanField(
        label=_("La persona aceptó que el equipo del grupo vea su celular y su correo"),
        required=False,
        help_text=_(
            "Pregúntaselo antes de marcarlo. Solo cuenta si creamos una cuenta nueva: si la persona ya tiene "
            "cuenta, le enviamos una invitación y ella decide."
        ),
    )

    def __init__(self, *args, country: str = "PE", **kwargs):
        self.country = country
        super().__init__(*args, **kwargs)

    def clean_phone(self):
        """A number that fits two countries (``987 654 321`` in an Ecuadorian group) is the one that belongs to an
        account when exactly one does — that person is then invited, as a roster import does —; otherwise the
        trainer is asked for the country code (they are at the form: a question costs less than a wrong number)."""
        value = self.cleaned_data["phone"].strip()
        if not value:
            return ""
        readings = phone_readings(value, region=self.country)
        if len(readings) > 1:
            owned = User.objects.filter(phone__in=readings).values_list("phone", flat=True)
            if len(owned) == 1:
                return owned[0]
            raise ambiguous_error(value, readings)
        return normalise_phone(value, region=self.country)

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or data.get("email") or data.get("username")):
            raise forms.ValidationError(_("Escribe el teléfono, el correo o el usuario de la persona."))
        return data


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Archivo CSV o Excel (.xlsx)"),
        help_text=_("Columnas: nombres, apellidos, teléfono, correo, usuario, región, ciudad."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


_SHARE_CONTACT_LABEL = _("Comparto mi celular y mi correo con el equipo de mis grupos")
_SHARE_CONTACT_HELP = _(
    "Opcional. Así tu facilitador·a puede llamarte o escribirte. Puedes cambiarlo cuando quieras en "
    "Mi cuenta › Consentimientos."
)


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Código del grupo"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    share_contact = forms.BooleanField(label=_SHARE_CONTACT_LABEL, help_text=_SHARE_CONTACT_HELP, required=False)

    def __init__(self, *args, share_contact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share_contact"].initial = share_contact


class InvitationAnswerForm(forms.Form):
    """Accept (optionally sharing one's contact with the team) or decline one of one's own invitations."""

    invitation = forms.IntegerField(widget=forms.HiddenInput)
    share_contact = forms.BooleanField(label=_SHARE_CONTACT_LABEL, help_text=_SHARE_CONTACT_HELP, required=False)
    answer = forms.ChoiceField(choices=[("accept", "accept"), ("decline", "decline")])

    def __init__(self, *args, share_contact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["share_contact"].initial = share_contact


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Código de la sesión"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        # «Mis grupos» shows this form next to JoinForm, whose field is also ``code``: its own ids keep each label
        # (and the error and help text references) on its own box. The field's name, what is posted, stays ``code``.
        kwargs.setdefault("auto_id", "id_check_in_%s")
        super().__init__(*args, **kwargs)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Tema de la sesión"), max_length=160)
    starts_at = forms.DateTimeField(
        label=_("Fecha y hora"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(label=_("Duración (minutos)"), min_value=15, max_value=600, initial=120)
    location = forms.CharField(label=_("Lugar o enlace"), max_length=300, required=False)


class AttendanceForm(forms.Form):
    """One radio group per member: present, absent or excused."""

    def __init__(self, *args, rows=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for user, status in rows:
            name = f"u{user.pk}"
            self.fields[name] = forms.ChoiceField(
                label=user.printed_name,
                choices=Attendance.Status.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=status or None,
            )
            self.rows.append((user, self[name]))

    def marks(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items() if name.startswith("u") and value}


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Asunto"), max_length=160)
    body = forms.CharField(label=_("Mensaje"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))

    def clean_title(self) -> str:
        # A subject is one line (it becomes a mail's Subject header).
        return " ".join(self.cleaned_data["title"].split())


class GradeForm(forms.Form):
    """The activity's rubric: one level per criterion, and feedback for the learner."""

    feedback = forms.CharField(
        label=_("Comentario para la persona"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, rubric=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = []
        for index, criterion in enumerate(rubric):
            name = f"c{index}"
            self.fields[name] = forms.ChoiceField(
                label=criterion.get("criterion", ""),
                help_text=criterion.get("description", ""),
                choices=[
                    (str(level["points"]), f"{level['label']} ({level['points']})") for level in criterion["levels"]
                ],
                widget=forms.RadioSelect,
            )
            self.criteria.append(self[name])
        self.order_fields([*(f"c{i}" for i in range(len(self.criteria))), "feedback"])

    def rubric_scores(self) -> dict[str, int]:
        return {name[1:]: int(value) for name, value in self.cleaned_data.items() if name.startswith("c")}
