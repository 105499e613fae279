"""Disaggregation dimensions (DOMAIN.md §5.1): how each is computed from a person's optional profile.

Every dimension is optional for the participant, so every one has a "No indicado" row (the empty value).
Migratory status is only used when the person's latest ``reporting`` consent is granted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import ConsentRecord, Profile

NOT_STATED = ""
NOT_STATED_LABEL = _("No indicado")

#: Default age bands (DOMAIN.md §5.1), inclusive; the last one is open-ended.
AGE_BANDS: list[tuple[str, int, int | None]] = [
    ("15-17", 15, 17),
    ("18-24", 18, 24),
    ("25-29", 25, 29),
    ("30-34", 30, 34),
    ("35-44", 35, 44),
    ("45-59", 45, 59),
    ("60+", 60, None),
]

#: Below the youngest band: its own row, so that «No indicado» only ever means "no year of birth given".
UNDER_AGE_KEY = "menos-15"
UNDER_AGE_LABEL = _("Menos de 15 años")

NATIONALITIES = {
    "VE": _("Venezolana"),
    "PE": _("Peruana"),
    "EC": _("Ecuatoriana"),
    "CO": _("Colombiana"),
    "other": _("Otra"),
}

COUNTRIES = {
    "PE": _("Perú"),
    "EC": _("Ecuador"),
    "CO": _("Colombia"),
    "AR": _("Argentina"),
    "DO": _("República Dominicana"),
    "VE": _("Venezuela"),
}


@dataclass(frozen=True)
class Dimension:
    key: str  # the URL value (Spanish, short)
    label: object  # lazy translated label
    sensitive: bool
    # Builds the grouping expression given the path from the fact model to the person ("user", "holder"...)
    # and the reference date (for ages).
    expression: Callable[[str, date], Expression]
    # The ordered known values and their labels; unknown free-text values are shown as they are.
    labels: Callable[[], dict[str, object]]
    free_text: bool = False


def _profile(path: str, name: str) -> str:
    """The lookup of a profile field from a fact model (``path`` to the person) or from User (``path`` "")."""
    return f"{path}__profile__{name}" if path else f"profile__{name}"


def _user_id(path: str) -> str:
    return f"{path}_id" if path else "id"


def _field(path: str, name: str) -> Expression:
    return Coalesce(F(_profile(path, name)), Value(NOT_STATED), output_field=CharField())


def _sex(path: str, ref: date) -> Expression:
    return _field(path, "sex")


def _nationality(path: str, ref: date) -> Expression:
    field = _profile(path, "nationality")
    known = [code for code in NATIONALITIES if code != "other"]
    return Case(
        When(Q(**{f"{field}__isnull": True}) | Q(**{field: ""}), then=Value(NOT_STATED)),
        When(**{f"{field}__in": known}, then=F(field)),
        default=Value("other"),
        output_field=CharField(),
    )


def _age_band(path: str, ref: date) -> Expression:
    field = _profile(path, "birth_year")
    youngest = AGE_BANDS[0][1]
    # Anyone younger than the youngest band (a year of birth after reference year − 15) is "under 15", never
    # "No indicado"; that row is only for people who gave no year of birth.
    whens = [When(Q(**{f"{field}__gt": ref.year - youngest}), then=Value(UNDER_AGE_KEY))]
    for key, low, high in AGE_BANDS:
        # Age is approximated as reference year − birth year (only the year of birth is stored).
        condition = Q(**{f"{field}__lte": ref.year - low})
        if high is not None:
            condition &= Q(**{f"{field}__gte": ref.year - high})
        whens.append(When(condition, then=Value(key)))
    return Case(*whens, default=Value(NOT_STATED), output_field=CharField())


def _migratory(path: str, ref: date) -> Expression:
    return _MigratoryExpr(path)  # type: ignore[return-value]


class _MigratoryExpr:
    """Marker: built by ``dimension_annotations``, which adds a helper annotation for the consent subquery."""

    def __init__(self, path: str) -> None:
        self.path = path


def _age_band_label(low: int, high: int | None) -> str:
    """«15 a 17 años», «60 años o más»: in the language of the request or export that asks for the labels."""
    if high is None:
        return _("%(low)s años o más") % {"low": low}
    return _("%(low)s a %(high)s años") % {"low": low, "high": high}


DIMENSIONS: dict[str, Dimension] = {}


def _register(dimension: Dimension) -> None:
    DIMENSIONS[dimension.key] = dimension


_register(Dimension("sexo", _("Sexo"), False, _sex, lambda: {k: v for k, v in Profile.Sex.choices if k}))
_register(Dimension("nacionalidad", _("Nacionalidad"), True, _nationality, lambda: dict(NATIONALITIES)))
_register(Dimension("pais", _("País de residencia"), False, lambda p, r: _field(p, "country"), lambda: dict(COUNTRIES)))
_register(Dimension("region", _("Región o provincia"), False, lambda p, r: _field(p, "region"), dict, True))
_register(Dimension("ciudad", _("Ciudad"), False, lambda p, r: _field(p, "city"), dict, True))
_register(
    Dimension(
        "edad",
        _("Grupo de edad"),
        False,
        _age_band,
        lambda: {
            UNDER_AGE_KEY: UNDER_AGE_LABEL,
            **{key: _age_band_label(low, high) for key, low, high in AGE_BANDS},
        },
    )
)
_register(
    Dimension(
        "situacion-migratoria",
        _("Situación migratoria"),
        True,
        _migratory,
        lambda: {k: v for k, v in Profile.MigratoryStatus.choices if k},
    )
)
_register(
    Dimension(
        "discapacidad",
        _("Discapacidad"),
        True,
        lambda p, r: _field(p, "disability"),
        lambda: {k: v for k, v in Profile.Disability.choices if k},
    )
)


def dimension_annotations(dimension: Dimension, user_path: str, ref: date, name: str = "_dim") -> dict[str, Expression]:
    """The annotations that put the dimension's value in ``name`` on a queryset of facts."""
    expression = dimension.expression(user_path, ref)
    if isinstance(expression, _MigratoryExpr) and connection.vendor == "postgresql":
        # One uncorrelated, hashed subquery: the people whose latest reporting decision is a grant.
        latest = (
            ConsentRecord.objects.filter(purpose=ConsentRecord.Purpose.REPORTING)
            .order_by("user_id", "-created_at", "-id")
            .distinct("user_id")
            .values("pk")
        )
        granted = ConsentRecord.objects.filter(pk__in=latest, granted=True).values("user_id")
        return {
            name: Case(
                When(Q(**{f"{_user_id(user_path)}__in": granted}), then=_field(user_path, "migratory_status")),
                default=Value(NOT_STATED),
                output_field=CharField(),
            )
        }
    if isinstance(expression, _MigratoryExpr):
        consent = ConsentRecord.objects.filter(
            user_id=OuterRef(_user_id(user_path)), purpose=ConsentRecord.Purpose.REPORTING
        )
        latest = Subquery(consent.order_by("-created_at", "-id").values("granted")[:1])
        return {
            f"{name}_consent": latest,
            name: Case(
                When(**{f"{name}_consent": True}, then=_field(user_path, "migratory_status")),
                default=Value(NOT_STATED),
                output_field=CharField(),
            ),
        }
    return {name: expression}


def value_label(dimension: Dimension, value: str) -> str:
    if value in ("", None):
        return str(NOT_STATED_LABEL)
    return str(dimension.labels().get(value, value))


def ordered_values(dimension: Dimension, found: set[str]) -> list[str]:
    """Known values first in their natural order, then free-text values alphabetically, "No indicado" last."""
    known = [v for v in dimension.labels() if v]
    extra = sorted(v for v in found if v and v not in known)
    values = [*known, *extra] if not dimension.free_text else extra
    return [*values, NOT_STATED]
