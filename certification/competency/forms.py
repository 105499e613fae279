"""Forms for competency pages. They parse input; the rules live in services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import knowledge
from .models import UnitResult


def block_error_messages(exc: forms.ValidationError) -> list[str]:
    """The readable messages inside a StreamField block's validation error (its own says only "Validation error
    in StructBlock"), each prefixed with where it is: ``options: El mínimo número de elementos es 2``."""
    found: list[str] = []
    if non_block := getattr(exc, "non_block_errors", None):
        found += forms.ValidationError(list(non_block)).messages
    block_errors = getattr(exc, "block_errors", None) or {}
    for name, error in dict(block_errors).items() if isinstance(block_errors, dict) else enumerate(block_errors):
        if error is not None:
            found += [f"{name}: {message}" for message in block_error_messages(error)]
    return found or exc.messages


class BankQuestionCleanMixin:
    """A bank question's ``value`` must be a valid definition of its activity type (the Django admin's and the
    Wagtail admin's question forms share this)."""

    def clean(self) -> dict:
        data = super().clean()  # type: ignore[misc]
        if data.get("block_type") and data.get("value") is not None:
            try:
                data["value"] = knowledge.validate(data["block_type"], data["value"])
            except forms.ValidationError as exc:
                self.add_error("value", forms.ValidationError(block_error_messages(exc)))  # type: ignore[attr-defined]
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ApplyForm(forms.Form):
    experience_years = forms.IntegerField(
        label=_("Años de experiencia en esta ocupación"), min_value=0, max_value=60, initial=0
    )
    experience = forms.CharField(
        label=_("Cuéntanos tu experiencia"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        help_text=_("Dónde trabajaste, qué tareas hacías y por cuánto tiempo. No necesitas documentos."),
    )
    documents = MultipleFileField(
        label=_("Documentos (opcional)"),
        required=False,
        help_text=_("Constancias de trabajo o cartas de referencia: fotos (JPG, PNG, WebP) o PDF, hasta 8 MB."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )

    SELF_CHOICES = [
        ("puedo", _("Lo hago sin ayuda")),
        ("con_ayuda", _("Lo hago con algo de ayuda")),
        ("aun_no", _("Aún no lo hago")),
    ]

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_fields = []
        for unit in units:
            name = f"self_{unit.code}"
            self.fields[name] = forms.ChoiceField(
                label=unit.title, choices=self.SELF_CHOICES, required=False, widget=forms.RadioSelect
            )
            self.unit_fields.append((unit, self[name]))

    def base_fields_bound(self):
        return [self[name] for name in ("experience_years", "experience", "documents")]

    def self_assessment(self) -> dict[str, str]:
        return {
            unit.code: self.cleaned_data.get(f"self_{unit.code}")
            for unit, _field in self.unit_fields
            if self.cleaned_data.get(f"self_{unit.code}")
        }


@dataclass
class ShownQuestion:
    """A test question as the form shows it, with the answer already given (when the form is shown again)."""

    pk: int
    number: int
    block_type: str
    prompt: str
    choices: list[tuple[str, str]]
    rows: list[tuple[str, str]]  # (label, value given)
    given: Any  # the value (single), the values (multiple) or the row values
    missing: bool


class KnowledgeTestForm:
    """The knowledge test as posted. A question left unanswered (or with a row left empty) counts as wrong, so the
    test is not sent while any is: the form comes back with the answers given, naming the questions left, unless
    the candidate ticks «Enviar de todas formas» (``CONFIRM``) — a question may be left on purpose."""

    CONFIRM = "enviar_sin_responder"

    def __init__(self, questions: list[knowledge.QuestionView], data: Any = None):
        self.questions = questions
        self.data = data
        kinds = {q.pk: q.block_type for q in questions}
        self.answers: dict[str, Any] = (
            knowledge.answers_from_post(data, [q.pk for q in questions], kinds) if data is not None else {}
        )

    def _given(self, question: knowledge.QuestionView) -> Any:
        return self.answers.get(str(question.pk))

    def _is_missing(self, question: knowledge.QuestionView) -> bool:
        given = self._given(question)
        if question.rows:
            values = list(given or [])
            return len(values) < len(question.rows) or any(not str(v).strip() for v in values)
        if isinstance(given, list):
            return not given
        return given is None or not str(given).strip()

    @property
    def missing(self) -> list[int]:
        """The numbers of the questions left unanswered, in the order shown."""
        if self.data is None:
            return []
        return [q.number for q in self.questions if self._is_missing(q)]

    @property
    def confirmed(self) -> bool:
        return self.data is not None and bool(self.data.get(self.CONFIRM))

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.missing) and not self.confirmed

    def missing_text(self) -> str:
        """«las preguntas 2, 3 y 5» / «la pregunta 4»."""
        numbers = [str(n) for n in self.missing]
        if len(numbers) == 1:
            return str(_("la pregunta %(n)s") % {"n": numbers[0]})
        listed = _("%(first)s y %(last)s") % {"first": ", ".join(numbers[:-1]), "last": numbers[-1]}
        return str(_("las preguntas %(list)s") % {"list": listed})

    def shown(self) -> list[ShownQuestion]:
        missing = set(self.missing)
        shown = []
        for q in self.questions:
            given = self._given(q)
            if q.rows:
                values = list(given or [])
                rows = [(label, values[i] if i < len(values) else "") for i, label in enumerate(q.rows)]
            else:
                rows = []
            if q.block_type == "multiple_choice":
                given = list(given or [])
            shown.append(
                ShownQuestion(q.pk, q.number, q.block_type, q.prompt, q.choices, rows, given, q.number in missing)
            )
        return shown


class ScheduleForm(forms.Form):
    """Date, time and place of the assessment. The date may not be before today (local time): earlier hours of
    today are allowed, so an evaluator who starts on site can still record when it began, and an unchanged date
    (``current``, only the place edited) is always kept. More than a year ahead is taken for a mistyped year."""

    #: How far ahead an assessment may be set before the year is taken for a typing mistake.
    MAX_DAYS_AHEAD = 366

    scheduled_at = forms.DateTimeField(
        label=_("Fecha y hora"),
        # The format a datetime-local input reads: without it a date already set shows as an empty field.
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Lugar"), max_length=200)

    def __init__(self, *args, current: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        earliest = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        if current:
            earliest = min(earliest, timezone.localtime(current))
        # The phone's date picker offers no day before today (nor before the date already set).
        self.fields["scheduled_at"].widget.attrs["min"] = f"{earliest:%Y-%m-%dT%H:%M}"

    def clean_scheduled_at(self) -> datetime:
        value = self.cleaned_data["scheduled_at"]
        if self.current and value.replace(second=0, microsecond=0) == self.current.replace(second=0, microsecond=0):
            return value
        now = timezone.localtime()
        if timezone.localtime(value).date() < now.date():
            raise forms.ValidationError(
                _("Esa fecha ya pasó (%(when)s). Elige hoy o una fecha futura.")
                % {"when": date_format(timezone.localtime(value), "DATE_FORMAT")}
            )
        if value > now + timedelta(days=self.MAX_DAYS_AHEAD):
            raise forms.ValidationError(
                _("Esa fecha es de aquí a más de un año (%(when)s). Revisa el año.")
                % {"when": date_format(timezone.localtime(value), "DATE_FORMAT")}
            )
        return value


class EvidenceForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Descripción de la evidencia"), max_length=200)
    upload = forms.FileField(
        label=_("Foto o PDF"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    url = forms.URLField(label=_("o un enlace (repositorio, página publicada)"), required=False, assume_scheme="https")


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Dictamen"), choices=UnitResult.Verdict.choices, widget=forms.RadioSelect)
    feedback = forms.CharField(
        label=_("Retroalimentación para la persona evaluada"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
    )


class SubmitForm(forms.Form):
    overall_feedback = forms.CharField(
        label=_("Comentario general"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class ValidateForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decisión"),
        choices=[("approve", _("Validar el resultado")), ("return", _("Devolver para revisión"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comentario"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=3000
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("¿Por qué no estás de acuerdo con el resultado?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
    )


class AppealResolveForm(forms.Form):
    response = forms.CharField(
        label=_("Respuesta a la apelación"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_fields = []
        for unit in units:
            name = f"unit_{unit.pk}"
            self.fields[name] = forms.BooleanField(
                label=_("Cambiar a «competente»: %(unit)s") % {"unit": unit}, required=False
            )
            self.unit_fields.append((unit, name))

    def changed_verdicts(self) -> dict[int, str]:
        return {unit.pk: UnitResult.Verdict.COMPETENT for unit, name in self.unit_fields if self.cleaned_data.get(name)}


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Evaluador o evaluadora"), queryset=None, empty_label=_("Elige…"))

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        from lms.accounts.models import User

        self.fields["person"].queryset = User.objects.filter(pk__in=[p.pk for p in people])
        self.fields["person"].label_from_instance = lambda u: u.printed_name


class ConflictForm(forms.Form):
    person = forms.CharField(
        label=_("Usuario, correo o teléfono de la persona"),
        max_length=150,
        help_text=_("Por ejemplo, un familiar, tu empleador o alguien con quien trabajas."),
    )
    reason = forms.CharField(label=_("Motivo"), max_length=250)
