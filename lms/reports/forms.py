"""The report filter form (period, delivery filters, the dimension to break indicators down by) and the form of
the row-level list requests. Forms parse; the rules are in ``selectors`` and ``services``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import Institution

from .dimensions import COUNTRIES, DIMENSIONS
from .models import RowExportRequest
from .selectors.filters import Filters
from .selectors.participants import SENSITIVE_FIELDS

INDICATOR_CHOICES_CROSS = [
    ("enrolled", _("Personas inscritas")),
    ("active", _("Personas activas")),
    ("completed", _("Completaron")),
]


# The period a report may ask for: beyond it a date cannot become a time zone-aware bound (9999-12-31 + 1 day
# overflows), and no fact of Ruta lies there.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
_DATE_RANGE_MESSAGE = _("Elige una fecha entre el 01/01/2000 y el 31/12/2100.")


def _period_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
        ),
        validators=[
            MinValueValidator(EARLIEST_DATE, message=_DATE_RANGE_MESSAGE),
            MaxValueValidator(LATEST_DATE, message=_DATE_RANGE_MESSAGE),
        ],
    )


class ReportFilterForm(forms.Form):
    desde = _period_field(_("Desde"))
    hasta = _period_field(_("Hasta"))
    programa = forms.TypedChoiceField(label=_("Programa"), required=False, coerce=int, empty_value=None)
    curso = forms.TypedChoiceField(label=_("Curso"), required=False, coerce=int, empty_value=None)
    grupo = forms.TypedChoiceField(label=_("Grupo"), required=False, coerce=int, empty_value=None)
    institucion = forms.TypedChoiceField(label=_("Institución"), required=False, coerce=int, empty_value=None)
    pais = forms.ChoiceField(label=_("País del grupo"), required=False)
    region = forms.CharField(label=_("Región o provincia del grupo"), required=False, max_length=100)
    fuente = forms.ChoiceField(label=_("Fuente de financiamiento"), required=False)
    por = forms.ChoiceField(label=_("Desagregar por"), required=False)
    cruce = forms.ChoiceField(label=_("Cruzar con"), required=False)
    indicador = forms.ChoiceField(label=_("Indicador del cruce"), required=False, choices=INDICATOR_CHOICES_CROSS)

    def __init__(self, *args: Any, choices: dict[str, list], funding: list[str], fixed_funding: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        everyone = [("", _("Todos"))]
        self.fields["programa"].choices = everyone + choices["programme"]
        self.fields["curso"].choices = everyone + choices["course"]
        self.fields["grupo"].choices = everyone + choices["cohort"]
        self.fields["institucion"].choices = everyone + choices["institution"]
        self.fields["pais"].choices = everyone + [(k, v) for k, v in COUNTRIES.items() if k != "VE"]
        self.fields["fuente"].choices = everyone + [(f, f) for f in funding]
        if fixed_funding:
            del self.fields["fuente"]
        dims = [(key, d.label) for key, d in DIMENSIONS.items()]
        self.fields["por"].choices = dims
        self.fields["cruce"].choices = [("", _("Sin cruce"))] + dims

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("desde"), data.get("hasta")
        if start and end and start > end:
            # On «Hasta», so the message is read with its box: a reversed period is an error, not an empty report.
            self.add_error("hasta", _("La fecha «Desde» debe ser anterior o igual a la fecha «Hasta»."))
        return data

    def filters(self) -> Filters:
        """The filters asked for. Only for a valid form: dropping an invalid field (or all of them) would widen
        the report beyond what was asked, so the view shows the errors and no figures instead."""
        if not self.is_valid():
            raise ValueError("ReportFilterForm.filters() needs a valid form")
        data = self.cleaned_data
        return Filters(
            start=data.get("desde"),
            end=data.get("hasta"),
            programme=data.get("programa"),
            course=data.get("curso"),
            cohort=data.get("grupo"),
            institution=data.get("institucion"),
            country=data.get("pais") or "",
            region=(data.get("region") or "").strip(),
            funding_source=data.get("fuente") or "",
        )

    def dimension(self) -> str:
        value = self.cleaned_data.get("por") if self.is_valid() else None
        return value or "sexo"

    def cross(self) -> tuple[str, str] | None:
        if not self.is_valid() or not self.cleaned_data.get("cruce"):
            return None
        if self.cleaned_data["cruce"] == self.dimension():
            return None
        return self.cleaned_data["cruce"], self.cleaned_data.get("indicador") or "enrolled"


class _AnyKeys(forms.MultipleChoiceField):
    """A list of keys, known or not: ``row_export_request_create`` keeps the known ones (no error for a stale page)."""

    def validate(self, value: Any) -> None:
        pass


class RowRequestForm(forms.Form):
    """The POST of the row-request page: an M&E officer asks for a list (``accion`` "pedir") or a data steward
    decides one ("aprobar", "rechazar"). Each action reads only its own fields."""

    accion = forms.CharField(required=False)
    institucion = forms.ModelChoiceField(
        queryset=Institution.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Elige la institución.")},
    )
    proposito = forms.CharField(required=False, strip=False)
    campos_sensibles = _AnyKeys(required=False, choices=SENSITIVE_FIELDS)
    formato = forms.CharField(required=False)
    solicitud = forms.ModelChoiceField(queryset=RowExportRequest.objects.none(), required=False)
    nota = forms.CharField(required=False, strip=False)

    def __init__(
        self,
        *args: Any,
        institutions: QuerySet[Institution],
        to_decide: QuerySet[RowExportRequest],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["institucion"].queryset = institutions
        self.fields["solicitud"].queryset = to_decide

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("accion") == "pedir" and data.get("institucion") is None and not self.has_error("institucion"):
            self.add_error("institucion", _("Elige la institución."))
        return data

    def ask_errors(self) -> list[str]:
        """What stops an officer's request, before the services' own rules."""
        fields = ("institucion", "proposito", "campos_sensibles", "formato")
        return [message for name in fields for message in self.errors.get(name, [])]
