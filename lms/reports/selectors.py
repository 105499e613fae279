"""Read models for reports: who may see what (universes), the indicators, disaggregated and suppressed tables.

Reports is the top layer: it reads every app (through ``django.apps`` so that an app still being built
yields "no disponible" rather than an import error) and writes nothing here.
Every table that leaves this module has passed through ``lms.reports.suppression``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Model, OuterRef, Q, QuerySet, Sum
from django.db.models import Exists as ExistsExpr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import Institution, Membership, Profile, Role, User

from . import suppression
from .dimensions import DIMENSIONS, NOT_STATED, Dimension, dimension_annotations, ordered_values, value_label

# --------------------------------------------------------------------------------------------- sources


def _model(label: str) -> type[Model] | None:
    """The model ``app_label.Name`` or None when that app has not shipped it (yet)."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def k_threshold() -> int:
    return int(getattr(settings, "RUTA_SMALL_CELL_THRESHOLD", 5))


# ------------------------------------------------------------------------------------------- universes


@dataclass(frozen=True)
class Universe:
    """A set of facts: those in these courses, OR reached through these cohorts, OR issued by these bodies.

    ``everything`` means no restriction. Role scopes and report filters are both universes; a fact
    counts when it is in every one of them.
    """

    everything: bool = False
    course_ids: frozenset[int] = frozenset()
    cohort_ids: frozenset[int] = frozenset()
    institution_ids: frozenset[int] = frozenset()
    # False when ``institution_ids`` should only catch facts tied to no course (certificates, competency),
    # as for the country filter: an enrolment's country is its cohort's place.
    institutions_for_courses: bool = True

    @property
    def is_empty(self) -> bool:
        return not self.everything and not (self.course_ids or self.cohort_ids or self.institution_ids)


EVERYTHING = Universe(everything=True)


@dataclass(frozen=True)
class FactSpec:
    """How one kind of fact reaches a person, a course, a cohort and an institution."""

    user: str
    course: str | None
    cohort: str | None = None  # a direct cohort link (attendance)
    institution: str | None = None


ENROLLMENT = FactSpec(user="user", course="course_id", institution="course__institution_id")
CERTIFICATE = FactSpec(user="holder", course="programme__course_id", institution="issuer_id")
ATTENDANCE = FactSpec(
    user="user", course=None, cohort="session__cohort_id", institution="session__cohort__institution_id"
)
APPLICATION = FactSpec(user="candidate", course=None, institution="standard__certifying_body_id")
MEMBER = FactSpec(user="user", course=None, cohort="cohort_id", institution="cohort__institution_id")


def _programme_course_ids(programme_ids: Iterable[int]) -> dict[int, set[int]]:
    """Course ids under each programme (Wagtail tree: a course's path starts with its programme's path)."""
    programme_model = _model("courses.ProgrammePage")
    course_model = _model("courses.CoursePage")
    result: dict[int, set[int]] = {}
    if not programme_model or not course_model:
        return result
    for pk, path in programme_model.objects.filter(pk__in=list(programme_ids)).values_list("pk", "path"):
        result[pk] = set(course_model.objects.filter(path__startswith=path).values_list("pk", flat=True))
    return result


def _cohort_courses(cohort_ids: Iterable[int]) -> dict[int, set[int]]:
    """The course ids each cohort covers (its course, or every course of its programme)."""
    cohort_model = _model("cohorts.Cohort")
    if cohort_model is None:
        return {}
    rows = list(cohort_model.objects.filter(pk__in=list(cohort_ids)).values_list("pk", "course_id", "programme_id"))
    programmes = _programme_course_ids({p for _, _, p in rows if p})
    return {pk: ({course} if course else programmes.get(programme, set())) for pk, course, programme in rows}


def universe_q(universe: Universe, spec: FactSpec) -> Q:
    """The filter selecting ``spec`` facts inside ``universe``."""
    if universe.everything:
        return Q()
    q = Q(pk__in=[])
    if universe.course_ids and spec.course:
        q |= Q(**{f"{spec.course}__in": universe.course_ids})
    if universe.institution_ids and spec.institution and (universe.institutions_for_courses or spec is not ENROLLMENT):
        q |= Q(**{f"{spec.institution}__in": universe.institution_ids})
    if universe.cohort_ids:
        if spec.cohort:
            q |= Q(**{f"{spec.cohort}__in": universe.cohort_ids})
        elif spec.course:
            member = _model("cohorts.CohortMember")
            cohort_model = _model("cohorts.Cohort")
            if member is not None and cohort_model is not None:
                # A fact counts when its person is a member of a cohort covering its course. One correlated
                # EXISTS for course cohorts (PostgreSQL plans it as a hash semi-join), one per programme.
                ids = list(universe.cohort_ids)
                q |= ExistsExpr(
                    member.objects.filter(
                        user_id=OuterRef(f"{spec.user}_id"),
                        cohort_id__in=ids,
                        cohort__course_id=OuterRef(spec.course),
                    )
                )
                by_programme: dict[int, list[int]] = defaultdict(list)
                for pk, programme_id in cohort_model.objects.filter(pk__in=ids, programme_id__isnull=False).values_list(
                    "pk", "programme_id"
                ):
                    by_programme[programme_id].append(pk)
                course_sets = _programme_course_ids(by_programme)
                for programme_id, cohort_ids in by_programme.items():
                    q |= Q(**{f"{spec.course}__in": course_sets.get(programme_id, set())}) & ExistsExpr(
                        member.objects.filter(user_id=OuterRef(f"{spec.user}_id"), cohort_id__in=cohort_ids)
                    )
    return q


def universe_applies(universe: Universe, spec: FactSpec) -> bool:
    """Whether facts of this kind can be in the universe at all (competency has no course or cohort)."""
    if universe.everything:
        return True
    return bool(
        (universe.course_ids and (spec.course or spec.cohort))
        or (universe.cohort_ids and (spec.course or spec.cohort))
        or (universe.institution_ids and spec.institution)
    )


def _course_ids_of_institutions(institution_ids: Iterable[int]) -> set[int]:
    course_model = _model("courses.CoursePage")
    if course_model is None:
        return set()
    return set(course_model.objects.filter(institution_id__in=list(institution_ids)).values_list("pk", flat=True))


def _cohort_ids(**filters: Any) -> set[int]:
    cohort_model = _model("cohorts.Cohort")
    if cohort_model is None:
        return set()
    return set(cohort_model.objects.filter(**filters).values_list("pk", flat=True))


def _funding_tokens(value: str) -> set[str]:
    return {t.strip().casefold() for t in re.split(r"[,;/+|]| y ", value or "") if t.strip()}


def cohort_ids_for_funding_source(source: str) -> set[int]:
    """Cohorts funded (possibly among others) by ``source``: "USAID + AECID" counts for both."""
    cohort_model = _model("cohorts.Cohort")
    if cohort_model is None or not source.strip():
        return set()
    wanted = source.strip().casefold()
    rows = cohort_model.objects.exclude(funding_source="").values_list("pk", "funding_source")
    return {pk for pk, value in rows if wanted in _funding_tokens(value)}


def funding_sources() -> list[str]:
    cohort_model = _model("cohorts.Cohort")
    if cohort_model is None:
        return []
    found: dict[str, str] = {}
    for value in cohort_model.objects.exclude(funding_source="").values_list("funding_source", flat=True).distinct():
        for token in re.split(r"[,;/+|]| y ", value):
            if token.strip():
                found.setdefault(token.strip().casefold(), token.strip())
    return sorted(found.values(), key=str.casefold)


# --- Role views -------------------------------------------------------------------------------------

#: The report views, by URL slug: the role that may open it, and its title.
VIEWS: dict[str, tuple[str, Any]] = {
    "monitoreo": (Role.ME_OFFICER, _("Monitoreo y evaluación")),
    "programa": (Role.PROGRAMME_MANAGER, _("Gestión de programa")),
    "cooperante": (Role.DONOR_VIEWER, _("Cooperante")),
    "facilitacion": (Role.TRAINER, _("Mis grupos")),
    "datos": (Role.DATA_STEWARD, _("Custodia de datos")),
}


def report_views_for_user(user: User) -> list[str]:
    """The report views a person may open (in the order of ``VIEWS``)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return list(VIEWS)
    roles = set(Membership.objects.filter(user=user, institution__is_active=True).values_list("role", flat=True))
    views = [slug for slug, (role, _title) in VIEWS.items() if role in roles]
    if Role.TRAINER not in roles and "facilitacion" not in views:
        cohort_trainer = _model("cohorts.CohortTrainer")
        if cohort_trainer is not None and cohort_trainer.objects.filter(user=user).exists():
            views.append("facilitacion")
    return views


def _memberships(user: User, role: str) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role=role, institution__is_active=True)


def institution_universe(institution_ids: Iterable[int]) -> Universe:
    """Everything of some institutions: the courses they own, the cohorts they run, what they issue."""
    ids = set(institution_ids)
    return Universe(
        course_ids=frozenset(_course_ids_of_institutions(ids)),
        cohort_ids=frozenset(_cohort_ids(institution_id__in=ids)),
        institution_ids=frozenset(ids),
    )


def row_request_institutions(user: User) -> QuerySet[Any]:
    """Institutions whose participant list this person may ask for (as their M&E officer)."""
    from lms.accounts.models import Institution

    return Institution.objects.filter(pk__in=_memberships(user, Role.ME_OFFICER).values("institution_id"))


def steward_institution_ids(user: User) -> set[int]:
    return set(_memberships(user, Role.DATA_STEWARD).values_list("institution_id", flat=True))


def row_requests_to_decide(user: User) -> QuerySet[Any]:
    """Pending requests a data steward may decide: their institutions', never their own."""
    from .models import RowExportRequest

    qs = RowExportRequest.objects.filter(status=RowExportRequest.Status.PENDING)
    if not user.is_superuser:
        qs = qs.filter(institution_id__in=steward_institution_ids(user))
    return qs.exclude(requester=user).select_related("requester", "institution")


def universe_for(user: User, view: str) -> Universe:
    """What a person may see in a report view. An empty universe when they hold no such role.

    * M&E officer and data steward: everything of their institutions (courses they own, cohorts they run,
      certificates they issue, competency standards they hold);
    * programme manager: every course of the programmes their institutions take part in;
    * donor viewer: the cohorts funded by their funding source (``Membership.scope``);
    * trainer: the cohorts they teach.
    """
    if view not in VIEWS or not user.is_authenticated or not user.is_active:
        return Universe()
    if user.is_superuser:
        return EVERYTHING
    role = VIEWS[view][0]
    if view == "facilitacion":
        cohort_trainer = _model("cohorts.CohortTrainer")
        if cohort_trainer is None:
            return Universe()
        taught = cohort_trainer.objects.filter(user=user).values_list("cohort_id", flat=True)
        return Universe(cohort_ids=frozenset(taught))
    memberships = list(_memberships(user, role))
    if not memberships:
        return Universe()
    institution_ids = {m.institution_id for m in memberships}
    if view in ("monitoreo", "datos"):
        return institution_universe(institution_ids)
    if view == "programa":
        return Universe(course_ids=frozenset(_course_ids_for_programmes(programmes_for_manager(user))))
    if view == "cooperante":
        cohorts: set[int] = set()
        for membership in memberships:
            if membership.scope.strip():  # a donor viewer without a funding source sees nothing
                cohorts |= cohort_ids_for_funding_source(membership.scope)
        return Universe(cohort_ids=frozenset(cohorts))
    return Universe()


def programmes_for_manager(user: User) -> set[int]:
    """Programmes a programme manager follows: those with a course or a cohort of their institutions."""
    programme_model = _model("courses.ProgrammePage")
    if programme_model is None:
        return set()
    if user.is_superuser:
        return set(programme_model.objects.values_list("pk", flat=True))
    institution_ids = set(_memberships(user, Role.PROGRAMME_MANAGER).values_list("institution_id", flat=True))
    course_ids = _course_ids_of_institutions(institution_ids)
    cohort_model = _model("cohorts.Cohort")
    programme_ids: set[int] = set()
    if cohort_model is not None:
        for course_id, programme_id in cohort_model.objects.filter(institution_id__in=institution_ids).values_list(
            "course_id", "programme_id"
        ):
            if programme_id:
                programme_ids.add(programme_id)
            if course_id:
                course_ids.add(course_id)
    course_model = _model("courses.CoursePage")
    if course_model is not None and course_ids:
        paths = course_model.objects.filter(pk__in=course_ids).values_list("path", flat=True)
        parent_paths = {path[: -programme_model.steplen] for path in paths}
        programme_ids |= set(programme_model.objects.filter(path__in=parent_paths).values_list("pk", flat=True))
    return programme_ids


def _course_ids_for_programmes(programme_ids: Iterable[int]) -> set[int]:
    ids: set[int] = set()
    for course_ids in _programme_course_ids(programme_ids).values():
        ids |= course_ids
    return ids


# ----------------------------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """What a report is narrowed to (all optional). Country and region are those of the cohort's place."""

    start: date | None = None
    end: date | None = None
    programme: int | None = None
    course: int | None = None
    cohort: int | None = None
    institution: int | None = None
    country: str = ""
    region: str = ""
    funding_source: str = ""

    def as_dict(self) -> dict[str, Any]:
        items = self.__dict__.items()
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in items if v not in (None, "")}

    @property
    def restricts_delivery(self) -> bool:
        """True when a filter ties facts to courses or cohorts (competency assessment then does not apply)."""
        return bool(self.programme or self.course or self.cohort or self.region or self.funding_source)


def filter_universes(filters: Filters) -> list[Universe]:
    universes: list[Universe] = []
    if filters.programme:
        universes.append(Universe(course_ids=frozenset(_course_ids_for_programmes([filters.programme]))))
    if filters.course:
        universes.append(Universe(course_ids=frozenset({filters.course})))
    if filters.cohort:
        universes.append(Universe(cohort_ids=frozenset({filters.cohort})))
    if filters.institution:
        universes.append(
            Universe(
                course_ids=frozenset(_course_ids_of_institutions([filters.institution])),
                cohort_ids=frozenset(_cohort_ids(institution_id=filters.institution)),
                institution_ids=frozenset({filters.institution}),
            )
        )
    if filters.country:
        universes.append(
            Universe(
                cohort_ids=frozenset(_cohort_ids(country=filters.country)),
                institution_ids=frozenset(
                    Institution.objects.filter(country=filters.country).values_list("pk", flat=True)
                ),
                institutions_for_courses=False,
            )
        )
    if filters.region:
        universes.append(Universe(cohort_ids=frozenset(_cohort_ids(region__iexact=filters.region))))
    if filters.funding_source:
        universes.append(Universe(cohort_ids=frozenset(cohort_ids_for_funding_source(filters.funding_source))))
    return universes


def _period_bounds(filters: Filters) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(filters.start, time.min, tzinfo=tz) if filters.start else None
    end = datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=tz) if filters.end else None
    return start, end


def _in_period(field_name: str, filters: Filters, *, is_date: bool = False) -> Q:
    q = Q(**{f"{field_name}__isnull": False})
    if is_date:
        if filters.start:
            q &= Q(**{f"{field_name}__gte": filters.start})
        if filters.end:
            q &= Q(**{f"{field_name}__lte": filters.end})
        return q
    start, end = _period_bounds(filters)
    if start:
        q &= Q(**{f"{field_name}__gte": start})
    if end:
        q &= Q(**{f"{field_name}__lt": end})
    return q


@dataclass(frozen=True)
class Scope:
    """The role universe and the filters of one report request."""

    universe: Universe
    filters: Filters = field(default_factory=Filters)

    def universes(self) -> list[Universe]:
        return [self.universe, *filter_universes(self.filters)]

    def q(self, spec: FactSpec) -> Q:
        q = Q()
        for universe in self.universes():
            q &= universe_q(universe, spec)
        return q

    def applies(self, spec: FactSpec) -> bool:
        return all(universe_applies(u, spec) for u in self.universes())

    @property
    def reference_date(self) -> date:
        return self.filters.end or timezone.localdate()


# ------------------------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Any
    kind: str  # "count" (people), "rate" (percent), "mean" (a score), "days"
    definition: Any


INDICATORS: list[Indicator] = [
    Indicator(
        "enrolled",
        _("Personas inscritas"),
        "count",
        _("Personas con al menos una inscripción en el periodo."),
    ),
    Indicator(
        "enrollments",
        _("Inscripciones"),
        "count",
        _("Inscripciones en el periodo (una persona puede tener varias)."),
    ),
    Indicator(
        "active",
        _("Personas activas"),
        "count",
        _("Personas con actividad en algún curso durante el periodo (sin contar retiros)."),
    ),
    Indicator(
        "completed",
        _("Completaron"),
        "count",
        _("Personas que completaron al menos un curso en el periodo."),
    ),
    Indicator(
        "certified_course",
        _("Certificación de curso"),
        "count",
        _("Personas con un certificado de curso o de ruta vigente emitido en el periodo."),
    ),
    Indicator(
        "certified_competency",
        _("Certificación de competencias"),
        "count",
        _("Personas con un certificado de competencias laborales vigente emitido en el periodo."),
    ),
    Indicator(
        "certified_trainers",
        _("Facilitación certificada"),
        "count",
        _("Personas con una certificación de facilitador·a vigente emitida en el periodo."),
    ),
    Indicator(
        "attendance_rate",
        _("Asistencia (%)"),
        "rate",
        _("Asistencias «presente» entre todas las registradas en sesiones en vivo del periodo."),
    ),
    Indicator(
        "average_score",
        _("Nota promedio (%)"),
        "mean",
        _("Promedio de la nota final de los cursos completados en el periodo."),
    ),
    Indicator(
        "days_to_complete",
        _("Días hasta completar"),
        "days",
        _("Promedio de días entre la inscripción y la finalización de los cursos completados en el periodo."),
    ),
]
INDICATOR_KEYS = [i.key for i in INDICATORS]


@dataclass
class GroupStats:
    """Raw figures for one group of people (a dimension value, or everybody)."""

    counts: dict[str, int] = field(default_factory=dict)
    # For rates and means: (value, number of people it is computed from)
    ratios: dict[str, tuple[float | None, int]] = field(default_factory=dict)


def _group(qs: QuerySet, dimension: Dimension | None, user_path: str, ref: date) -> QuerySet:
    if dimension is None:
        return qs
    return qs.annotate(**dimension_annotations(dimension, user_path, ref)).values("_dim")


def _plain(value: Any) -> Any:
    """PostgreSQL sums integers as NUMERIC: give plain ints (and floats) back."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _rows(
    qs: QuerySet,
    dimension: Dimension | None,
    per_person: dict[str, Any],
    outer: dict[str, tuple[str, str]],
    user_path: str,
    ref: date,
) -> dict:
    """``{dimension value (or None): {name: value}}`` by aggregating twice, in one SQL statement.

    The inner query groups facts by person (and dimension value) with ``per_person`` aggregates; the outer
    one adds them up per dimension value: ``("people", x)`` counts people whose ``x`` is positive,
    ``("sum", x)`` sums ``x``. Counting distinct people this way is a hash aggregate instead of a sort
    per ``COUNT(DISTINCT ...)``, which is what keeps reports fast at 100,000 people.
    """
    user_field = f"{user_path}_id"
    # Aggregate per person first, without touching profiles; the dimension is joined afterwards, on one
    # row per person rather than one per fact (400,000 attendance records become 100,000 people).
    inner = qs.values(user_field).annotate(**per_person).order_by()
    try:
        sql, params = inner.query.sql_with_params()
        if dimension is not None:
            people = User.objects.annotate(**dimension_annotations(dimension, "", ref)).values("id", "_dim")
            dim_sql, dim_params = people.query.sql_with_params()
    except EmptyResultSet:  # an empty universe: nothing to count
        return {} if dimension is not None else {None: dict.fromkeys(outer)}
    quote = connection.ops.quote_name
    columns = []
    for name, (kind, source) in outer.items():
        if kind == "people":
            columns.append(f"SUM(CASE WHEN t.{quote(source)} > 0 THEN 1 ELSE 0 END) AS {quote(name)}")
        else:
            columns.append(f"SUM(t.{quote(source)}) AS {quote(name)}")
    select = ", ".join(columns)
    # Names below are ours (quoted); every value is a parameter.
    if dimension is not None:
        statement = (
            f"SELECT d.{quote('_dim')}, {select} FROM ({sql}) t "  # noqa: S608
            f"INNER JOIN ({dim_sql}) d ON d.{quote('id')} = t.{quote(user_field)} GROUP BY d.{quote('_dim')}"
        )
        params = (*params, *dim_params)
    else:
        statement = f"SELECT {select} FROM ({sql}) t"  # noqa: S608
    names = list(outer)
    result: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for record in cursor.fetchall():
            if dimension is not None:
                key, values = record[0] or NOT_STATED, record[1:]
            else:
                key, values = None, record
            result[key] = {n: _plain(v) for n, v in zip(names, values, strict=True)}
    return result


def _merge(
    target: dict[Any, GroupStats], rows: dict, counts: Iterable[str], ratios: dict[str, tuple[str, str]]
) -> None:
    for key, row in rows.items():
        stats = target.setdefault(key, GroupStats())
        for name in counts:
            stats.counts[name] = stats.counts.get(name, 0) + (row.get(name) or 0)
        for name, (value_key, n_key) in ratios.items():
            stats.ratios[name] = (row.get(value_key), row.get(n_key) or 0)


def _finish_ratios(row: dict) -> dict:
    """Ratios from raw sums (sums add up across groups, so totals need no second query)."""
    row["_score"] = round(row["_score_sum"] / row["_score_cnt"], 1) if row.get("_score_cnt") else None
    duration = row.get("_dur_sum")
    if duration is not None and row.get("_dur_cnt"):
        seconds = duration.total_seconds() if hasattr(duration, "total_seconds") else duration / 1_000_000
        row["_days"] = round(seconds / 86400 / row["_dur_cnt"], 1)
    else:
        row["_days"] = None
    row["_rate"] = round(100 * row["_present"] / row["_records"], 1) if row.get("_records") else None
    return row


def _with_total(rows: dict, dimension: Dimension | None) -> dict:
    """Add the total (key None) by summing the groups: every person falls in exactly one group."""
    if dimension is None:
        return rows
    total: dict[str, Any] = {}
    for row in rows.values():
        for key, value in row.items():
            if key == "_dim" or value is None:
                continue
            total[key] = total[key] + value if key in total else value
    rows[None] = total
    return rows


def indicator_figures(scope: Scope, dimension: Dimension | None = None) -> tuple[dict[Any, GroupStats], set[str]]:
    """Every indicator, grouped by ``dimension`` (plus the total under key ``None``).

    Returns (groups, unavailable keys). One grouped query per source: enrolments, certificates,
    attendance; totals are the sums of the groups (each person has exactly one value per dimension).
    """
    ref = scope.reference_date
    f = scope.filters
    groups: dict[Any, GroupStats] = {}
    unavailable: set[str] = set()

    enrollment = _model("courses.Enrollment")
    if enrollment is None:
        unavailable |= {"enrolled", "enrollments", "active", "completed", "average_score", "days_to_complete"}
    else:
        enrolled_q = _in_period("enrolled_at", f)
        active_q = _in_period("last_activity_at", f) & ~Q(status="withdrawn")
        completed_q = _in_period("completed_at", f)
        qs = enrollment.objects.filter(scope.q(ENROLLMENT)).filter(enrolled_q | active_q | completed_q)
        scored_q = completed_q & Q(score__isnull=False)
        duration = ExpressionWrapper(F("completed_at") - F("enrolled_at"), output_field=DurationField())
        per_person = {
            "e": Count("id", filter=enrolled_q),
            "a": Count("id", filter=active_q),
            "c": Count("id", filter=completed_q),
            "sc": Count("id", filter=scored_q),
            "ss": Sum("score", filter=scored_q),
            "ds": Sum(duration, filter=completed_q),
        }
        outer = {
            "enrolled": ("people", "e"),
            "enrollments": ("sum", "e"),
            "active": ("people", "a"),
            "completed": ("people", "c"),
            "_score_n": ("people", "sc"),
            "_score_cnt": ("sum", "sc"),
            "_score_sum": ("sum", "ss"),
            "_dur_sum": ("sum", "ds"),
            "_dur_cnt": ("sum", "c"),
        }
        rows = _with_total(_rows(qs, dimension, per_person, outer, "user", ref), dimension)
        for row in rows.values():
            _finish_ratios(row)
        _merge(
            groups,
            rows,
            ["enrolled", "enrollments", "active", "completed"],
            {"average_score": ("_score", "_score_n"), "days_to_complete": ("_days", "completed")},
        )

    certificate = _model("certification.Certificate")
    if certificate is None:
        unavailable |= {"certified_course", "certified_competency", "certified_trainers"}
    else:
        kinds = {
            "certified_course": ["course", "learning_path"],
            "certified_competency": ["competency_standard"],
            "certified_trainers": ["trainer_qualification"],
        }
        qs = certificate.objects.filter(
            _in_period("issued_on", f, is_date=True), revoked_at__isnull=True, replaced_by__isnull=True
        ).filter(scope.q(CERTIFICATE))
        per_person = {name: Count("id", filter=Q(programme__kind__in=values)) for name, values in kinds.items()}
        outer = {name: ("people", name) for name in kinds}
        rows = _with_total(_rows(qs, dimension, per_person, outer, "holder", ref), dimension)
        _merge(groups, rows, list(kinds), {})
        if f.restricts_delivery or not (scope.universe.everything or scope.universe.institution_ids):
            # Competency certificates are tied to no course or cohort: they only make sense for a whole
            # institution (its certifying body) or the whole platform.
            unavailable.add("certified_competency")

    attendance = _model("cohorts.Attendance")
    if attendance is None:
        unavailable.add("attendance_rate")
    else:
        qs = attendance.objects.filter(_in_period("session__starts_at", f)).filter(scope.q(ATTENDANCE))
        per_person = {"p": Count("id", filter=Q(status="present")), "r": Count("id")}
        outer = {"_present": ("sum", "p"), "_records": ("sum", "r"), "_people": ("people", "r")}
        rows = _with_total(_rows(qs, dimension, per_person, outer, "user", ref), dimension)
        for row in rows.values():
            _finish_ratios(row)
        _merge(groups, rows, [], {"attendance_rate": ("_rate", "_people")})
    return groups, unavailable


# ------------------------------------------------------------------------------------------------ tables


@dataclass
class Cell:
    value: float | int | None
    text: str
    hidden: str = ""  # "", "primary" or "complementary"

    @property
    def is_number(self) -> bool:
        return not self.hidden and self.value is not None


@dataclass
class TableRow:
    key: str
    label: str
    cells: list[Cell]
    is_total: bool = False


@dataclass
class Column:
    key: str
    label: str
    kind: str = "count"
    definition: str = ""


@dataclass
class Table:
    """A suppressed table ready for a page or an export. Raw values of hidden cells never leave it."""

    key: str
    caption: str
    row_header: str
    columns: list[Column]
    rows: list[TableRow]
    notes: list[str] = field(default_factory=list)

    @property
    def body_rows(self) -> list[TableRow]:
        return [r for r in self.rows if not r.is_total]

    @property
    def total_row(self) -> TableRow | None:
        return next((r for r in self.rows if r.is_total), None)

    def has_hidden(self) -> bool:
        return any(c.hidden for r in self.rows for c in r.cells)


def _fmt(kind: str, value: float | int | None) -> str:
    if kind == "count":
        return suppression.display(value, "", k_threshold())
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",")


def suppressed_count_column(values: list[int], total: int, k: int) -> tuple[list[Cell], Cell]:
    """Cells for one additive count column and its total, with primary and complementary suppression."""
    hidden, total_hidden = suppression.suppress_column(values, total, k)
    cells = [Cell(v if not h else None, suppression.display(v, h, k), h) for v, h in zip(values, hidden, strict=True)]
    return cells, Cell(total if not total_hidden else None, suppression.display(total, total_hidden, k), total_hidden)


def _ratio_column(kind: str, ratios: list[tuple[float | None, int]], total: tuple[float | None, int], k: int):
    """A rate or mean is hidden wherever the number of people behind it is hidden (so it cannot be solved for)."""
    hidden, total_hidden = suppression.suppress_column([n for _, n in ratios], total[1], k)
    cells = []
    for (value, _n), h in zip(ratios, hidden, strict=True):
        cells.append(Cell(None, suppression.display(None, h, k), h) if h else Cell(value, _fmt(kind, value)))
    total_cell = (
        Cell(None, suppression.display(None, total_hidden, k), total_hidden)
        if total_hidden
        else Cell(total[0], _fmt(kind, total[0]))
    )
    return cells, total_cell


def _unavailable_cell(reason: str) -> Cell:
    return Cell(None, reason)


def indicator_table(scope: Scope, dimension_key: str, indicators: list[str] | None = None) -> Table:
    """Indicators (columns) by the values of one dimension (rows), with a total row, suppressed."""
    dimension = DIMENSIONS[dimension_key]
    k = k_threshold()
    chosen = [i for i in INDICATORS if indicators is None or i.key in indicators]
    groups, unavailable = indicator_figures(scope, dimension)
    total_stats = groups.get(None, GroupStats())
    values = ordered_values(dimension, {key for key in groups if key is not None})
    columns_cells: list[list[Cell]] = []
    total_cells: list[Cell] = []
    for indicator in chosen:
        if indicator.key in unavailable:
            reason = str(_("No aplica")) if _model("certification.Certificate") else str(_("No disponible"))
            columns_cells.append([_unavailable_cell(reason) for _v in values])
            total_cells.append(_unavailable_cell(reason))
            continue
        if indicator.kind == "count":
            column_values = [groups.get(v, GroupStats()).counts.get(indicator.key, 0) for v in values]
            cells, total_cell = suppressed_count_column(column_values, total_stats.counts.get(indicator.key, 0), k)
        else:
            ratios = [groups.get(v, GroupStats()).ratios.get(indicator.key, (None, 0)) for v in values]
            cells, total_cell = _ratio_column(
                indicator.kind, ratios, total_stats.ratios.get(indicator.key, (None, 0)), k
            )
        columns_cells.append(cells)
        total_cells.append(total_cell)
    rows = [
        TableRow(value or "no-indicado", value_label(dimension, value), [col[i] for col in columns_cells])
        for i, value in enumerate(values)
    ]
    rows.append(TableRow("total", str(_("Total")), total_cells, is_total=True))
    return Table(
        key=f"indicadores-{dimension.key}",
        caption=str(_("Indicadores por %(dimension)s") % {"dimension": str(dimension.label).lower()}),
        row_header=str(dimension.label),
        columns=[Column(i.key, str(i.label), i.kind, str(i.definition)) for i in chosen],
        rows=rows,
        notes=_table_notes(k),
    )


def _table_notes(k: int) -> list[str]:
    return [
        str(_("«<%(k)s»: menos de %(k)s personas; la cifra se oculta para proteger su identidad.") % {"k": k}),
        str(_("«*»: cifra oculta para que no se pueda deducir otra celda pequeña a partir del total.")),
    ]


def cross_table(scope: Scope, row_dimension: str, column_dimension: str, indicator: str = "enrolled") -> Table:
    """People enrolled (or completing, or certified) by two dimensions at once, suppressed in both directions."""
    rows_dim, cols_dim = DIMENSIONS[row_dimension], DIMENSIONS[column_dimension]
    k = k_threshold()
    ref = scope.reference_date
    enrollment = _model("courses.Enrollment")
    counts: dict[tuple[str, str], int] = {}
    if enrollment is not None:
        period = {"enrolled": "enrolled_at", "completed": "completed_at", "active": "last_activity_at"}[indicator]
        qs = enrollment.objects.filter(scope.q(ENROLLMENT)).filter(_in_period(period, scope.filters))
        annotations = {
            **dimension_annotations(rows_dim, "user", ref, name="r_dim"),
            **dimension_annotations(cols_dim, "user", ref, name="c_dim"),
        }
        for row in (
            qs.annotate(**annotations).values("r_dim", "c_dim").annotate(n=Count("user_id", distinct=True)).order_by()
        ):
            counts[(row["r_dim"] or NOT_STATED, row["c_dim"] or NOT_STATED)] = row["n"]
    row_values = ordered_values(rows_dim, {r for r, _c in counts})
    col_values = ordered_values(cols_dim, {c for _r, c in counts})
    grid = [[counts.get((r, c), 0) for c in col_values] for r in row_values]
    result = suppression.suppress_cross_table(grid, k)
    rows = []
    for i, value in enumerate(row_values):
        cells = [
            Cell(None if h else v, suppression.display(v, h, k), h)
            for v, h in zip(result.cells[i], result.hidden[i], strict=True)
        ]
        rt, rh = result.row_totals[i], result.row_totals_hidden[i]
        cells.append(Cell(None if rh else rt, suppression.display(rt, rh, k), rh))
        rows.append(TableRow(value or "no-indicado", value_label(rows_dim, value), cells))
    total_cells = [
        Cell(None if h else v, suppression.display(v, h, k), h)
        for v, h in zip(result.col_totals, result.col_totals_hidden, strict=True)
    ]
    g, gh = result.grand_total, result.grand_total_hidden
    total_cells.append(Cell(None if gh else g, suppression.display(g, gh, k), gh))
    rows.append(TableRow("total", str(_("Total")), total_cells, is_total=True))
    indicator_label = next(str(i.label) for i in INDICATORS if i.key == indicator)
    return Table(
        key=f"cruce-{rows_dim.key}-{cols_dim.key}",
        caption=str(
            _("%(indicator)s por %(rows)s y %(cols)s")
            % {"indicator": indicator_label, "rows": str(rows_dim.label).lower(), "cols": str(cols_dim.label).lower()}
        ),
        row_header=str(rows_dim.label),
        columns=[Column(v or "no-indicado", value_label(cols_dim, v)) for v in col_values]
        + [Column("total", str(_("Total")))],
        rows=rows,
        notes=_table_notes(k),
    )


# ------------------------------------------------------------------------------------------ gender quota

QUOTA_SHARE = 50


@dataclass
class QuotaRow:
    cohort_id: int
    name: str
    place: str
    women: Cell
    total: Cell
    share: float | None  # None when hidden
    status: str  # "ok", "warning" (enrolment still open), "bad"
    open: bool
    women_only: bool


def _cohort_open(cohort: Any, today: date) -> bool:
    return bool(cohort.join_open and (cohort.ends_on is None or cohort.ends_on >= today))


def gender_quota(scope: Scope) -> tuple[list[QuotaRow], Table | None]:
    """Share of women per cohort (≥ 50 %), with an early warning while enrolment is still open.

    "No indicado" is never counted as women. Counts are suppressed as a cohort × sex cross-table.
    """
    cohort_model = _model("cohorts.Cohort")
    member_model = _model("cohorts.CohortMember")
    if cohort_model is None or member_model is None:
        return [], None
    k = k_threshold()
    members = member_model.objects.filter(scope.q(MEMBER))
    cohort_ids = list(members.values_list("cohort_id", flat=True).distinct().order_by())
    if not cohort_ids:
        return [], None
    cohorts = {c.pk: c for c in cohort_model.objects.filter(pk__in=cohort_ids).order_by("-starts_on", "name")}
    sex = DIMENSIONS["sexo"]
    counts: dict[tuple[int, str], int] = {}
    for row in (
        members.annotate(**dimension_annotations(sex, "user", scope.reference_date))
        .values("cohort_id", "_dim")
        .annotate(n=Count("id"))  # one row per (cohort, person): no DISTINCT needed
        .order_by()
    ):
        counts[(row["cohort_id"], row["_dim"] or NOT_STATED)] = row["n"]
    sexes = ordered_values(sex, set())
    order = list(cohorts)
    grid = [[counts.get((pk, s), 0) for s in sexes] for pk in order]
    result = suppression.suppress_cross_table(grid, k)
    today = timezone.localdate()
    quota_rows = []
    table_rows = []
    women_index = sexes.index("F")
    for i, pk in enumerate(order):
        cohort = cohorts[pk]
        women, women_h = result.cells[i][women_index], result.hidden[i][women_index]
        total, total_h = result.row_totals[i], result.row_totals_hidden[i]
        share_value = round(100 * women / total, 1) if total else None
        is_open = _cohort_open(cohort, today)
        ok = share_value is not None and share_value >= QUOTA_SHARE
        status = "ok" if ok else ("warning" if is_open else "bad")
        shown_share = share_value if not (women_h or total_h) else None
        quota_rows.append(
            QuotaRow(
                cohort_id=pk,
                name=cohort.name,
                place=cohort.place,
                women=Cell(None if women_h else women, suppression.display(women, women_h, k), women_h),
                total=Cell(None if total_h else total, suppression.display(total, total_h, k), total_h),
                share=shown_share,
                status=status,
                open=is_open,
                women_only=cohort.women_only,
            )
        )
        cells = [
            Cell(None if h else v, suppression.display(v, h, k), h)
            for v, h in zip(result.cells[i], result.hidden[i], strict=True)
        ]
        cells.append(Cell(None if total_h else total, suppression.display(total, total_h, k), total_h))
        cells.append(Cell(shown_share, _fmt("rate", shown_share) if shown_share is not None else "—"))
        cells.append(Cell(None, str(QUOTA_STATUS[status])))
        table_rows.append(TableRow(str(pk), f"{cohort.name} ({cohort.place})", cells))
    total_cells = [
        Cell(None if h else v, suppression.display(v, h, k), h)
        for v, h in zip(result.col_totals, result.col_totals_hidden, strict=True)
    ]
    g, gh = result.grand_total, result.grand_total_hidden
    total_cells.append(Cell(None if gh else g, suppression.display(g, gh, k), gh))
    wt, wth = result.col_totals[women_index], result.col_totals_hidden[women_index]
    overall = round(100 * wt / g, 1) if g and not (wth or gh) else None
    total_cells.append(Cell(overall, _fmt("rate", overall) if overall is not None else "—"))
    total_cells.append(Cell(None, ""))
    table_rows.append(TableRow("total", str(_("Total")), total_cells, is_total=True))
    table = Table(
        key="cuota-mujeres",
        caption=str(_("Participación de mujeres por grupo (meta: al menos 50 %)")),
        row_header=str(_("Grupo")),
        columns=[Column(s or "no-indicado", value_label(sex, s)) for s in sexes]
        + [
            Column("total", str(_("Total"))),
            Column("share", str(_("Mujeres (%)")), "rate"),
            Column("status", str(_("Estado")), "text"),
        ],
        rows=table_rows,
        notes=[
            *_table_notes(k),
            str(_("«No indicado» nunca se cuenta como mujer.")),
        ],
    )
    return quota_rows, table


QUOTA_STATUS = {
    "ok": _("Cumple"),
    "warning": _("Alerta: inscripción abierta y mujeres por debajo del 50 %"),
    "bad": _("No cumple"),
}


# ------------------------------------------------------------------------------------------- competency


def competency_table(scope: Scope) -> Table | None:
    """Competency assessment: candidates per stage, decisions and pass rate (competent among decided)."""
    application = _model("competency.Application")
    if application is None or scope.filters.restricts_delivery or not scope.applies(APPLICATION):
        return None
    k = k_threshold()
    f = scope.filters
    qs = application.objects.filter(scope.q(APPLICATION))
    start, end = _period_bounds(f)
    if end:
        qs = qs.filter(created_at__lt=end)
    if start:
        qs = qs.filter(Q(decided_at__isnull=True) | Q(decided_at__gte=start))
    if not qs.exists():
        return None
    stages = list(application.Status.choices)
    # One row per application (a candidate assessed against one standard): the stages add up to the total.
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    cells, total_cell = suppressed_count_column([by_status.get(s, 0) for s, _label in stages], qs.count(), k)
    decided = qs.filter(_in_period("decided_at", f), status__in=["decided", "appealed"])
    decided_n = decided.count()
    competent_n = decided.filter(result="competent").count()
    rate_hidden = decided_n < k
    rows = [TableRow(s, str(label), [c]) for (s, label), c in zip(stages, cells, strict=True)]
    rows.append(TableRow("total", str(_("Total")), [total_cell], is_total=True))
    pass_rate = round(100 * competent_n / decided_n, 1) if decided_n else None
    notes = [
        *_table_notes(k),
        str(
            _("Tasa de aprobación: %(rate)s de %(n)s decisiones en el periodo (competente entre las decididas).")
            % {
                "rate": "—" if pass_rate is None else (f"<{k}" if rate_hidden else f"{_fmt('rate', pass_rate)} %"),
                "n": f"<{k}" if rate_hidden else decided_n,
            }
        ),
    ]
    table = Table(
        key="competencias-etapas",
        caption=str(_("Evaluación de competencias: candidatas y candidatos por etapa")),
        row_header=str(_("Etapa")),
        columns=[Column("applications", str(_("Postulaciones")))],
        rows=rows,
        notes=notes,
    )
    table.pass_rate = None if rate_hidden else pass_rate  # type: ignore[attr-defined]
    table.decided = None if rate_hidden else decided_n  # type: ignore[attr-defined]
    return table


def competency_pass_rate(scope: Scope) -> tuple[float | None, int]:
    """(pass rate in percent, decided applications) in the period, unsuppressed (for tests and internal use)."""
    application = _model("competency.Application")
    if application is None:
        return None, 0
    decided = application.objects.filter(scope.q(APPLICATION)).filter(
        _in_period("decided_at", scope.filters), status__in=["decided", "appealed"]
    )
    n = decided.count()
    competent = decided.filter(result="competent").count()
    return (round(100 * competent / n, 1) if n else None), n


# -------------------------------------------------------------------------------------- filter choices


def filter_choices(universe: Universe) -> dict[str, list[tuple[Any, str]]]:
    """The programmes, courses, cohorts and institutions a person may narrow a report to."""
    choices: dict[str, list[tuple[Any, str]]] = {"programme": [], "course": [], "cohort": [], "institution": []}
    course_model = _model("courses.CoursePage")
    programme_model = _model("courses.ProgrammePage")
    cohort_model = _model("cohorts.Cohort")
    course_ids: set[int] | None = None if universe.everything else set(universe.course_ids)
    cohort_ids: set[int] | None = None if universe.everything else set(universe.cohort_ids)
    if cohort_model is not None and cohort_ids is not None and course_ids is not None:
        for ids in _cohort_courses(cohort_ids).values():
            course_ids |= ids
        cohort_ids |= set(cohort_model.objects.filter(course_id__in=course_ids).values_list("pk", flat=True))
    if course_model is not None:
        courses = course_model.objects.all() if course_ids is None else course_model.objects.filter(pk__in=course_ids)
        choices["course"] = [(c.pk, str(c)) for c in courses.order_by("title")]
        if programme_model is not None:
            paths = {c.path[: -programme_model.steplen] for c in courses}
            programmes = programme_model.objects.all()
            if course_ids is not None:
                programmes = programmes.filter(path__in=paths)
            choices["programme"] = [(p.pk, p.title) for p in programmes.order_by("title")]
    if cohort_model is not None:
        cohorts = cohort_model.objects.all() if cohort_ids is None else cohort_model.objects.filter(pk__in=cohort_ids)
        choices["cohort"] = [(c.pk, c.name) for c in cohorts.order_by("name")]
    institutions = Institution.objects.filter(is_active=True)
    if not universe.everything:
        ids = set(universe.institution_ids)
        if cohort_model is not None and cohort_ids:
            ids |= set(cohort_model.objects.filter(pk__in=cohort_ids).values_list("institution_id", flat=True))
        if course_model is not None and course_ids:
            owners = course_model.objects.filter(pk__in=course_ids).values_list("institution_id", flat=True)
            ids |= {i for i in owners if i}
        institutions = institutions.filter(pk__in=ids)
    choices["institution"] = [(i.pk, str(i)) for i in institutions.order_by("name")]
    return choices


# --------------------------------------------------------------------------------------- row-level list

#: Row-level fields always available to a data steward, and the sensitive ones that must be asked for.
ROW_FIELDS: list[tuple[str, Any]] = [
    ("participante", _("Participante (usuario)")),
    ("nombre", _("Nombre")),
    ("curso", _("Curso")),
    ("inscripcion", _("Fecha de inscripción")),
    ("estado", _("Estado")),
    ("avance", _("Avance (%)")),
    ("nota", _("Nota (%)")),
    ("completado", _("Fecha de finalización")),
]
SENSITIVE_FIELDS: list[tuple[str, Any]] = [
    ("sexo", _("Sexo")),
    ("anio_nacimiento", _("Año de nacimiento")),
    ("nacionalidad", _("Nacionalidad")),
    ("pais", _("País de residencia")),
    ("region", _("Región o provincia")),
    ("ciudad", _("Ciudad")),
    ("situacion_migratoria", _("Situación migratoria (solo con consentimiento)")),
    ("tipo_documento", _("Tipo de documento")),
    ("discapacidad", _("Discapacidad")),
]


def participant_rows(scope: Scope, sensitive: Iterable[str] = ()) -> tuple[list[str], list[list[Any]]]:
    """Row-level enrolments in the scope (for data stewards). Sensitive fields only when asked for;
    migratory status only for people whose latest reporting consent is granted."""
    enrollment = _model("courses.Enrollment")
    wanted = [key for key, _label in SENSITIVE_FIELDS if key in set(sensitive)]
    headers = [str(label) for _k, label in ROW_FIELDS] + [str(label) for k, label in SENSITIVE_FIELDS if k in wanted]
    if enrollment is None:
        return headers, []
    f = scope.filters
    qs = (
        enrollment.objects.filter(scope.q(ENROLLMENT))
        .filter(_in_period("enrolled_at", f) | _in_period("completed_at", f) | _in_period("last_activity_at", f))
        .order_by("user__username", "course_id")
    )
    consent_ok: set[int] = set()
    if "situacion_migratoria" in wanted:
        from lms.accounts.models import ConsentRecord

        latest: dict[int, bool] = {}
        for user_id, granted in (
            ConsentRecord.objects.filter(purpose=ConsentRecord.Purpose.REPORTING, user__enrollments__in=qs)
            .order_by("user_id", "-created_at", "-id")
            .values_list("user_id", "granted")
        ):
            latest.setdefault(user_id, granted)
        consent_ok = {u for u, g in latest.items() if g}
    status_labels = {k: str(v) for k, v in enrollment.Status.choices} if hasattr(enrollment, "Status") else {}
    course_names = {pk: str(c) for pk, c in _course_labels(qs)}
    profile_fields = {key: name for key, name in _SENSITIVE_PROFILE_FIELDS.items() if key in wanted}
    columns = [
        "user_id",
        "user__username",
        "user__first_name",
        "user__last_name",
        "course_id",
        "enrolled_at",
        "status",
        "progress",
        "score",
        "completed_at",
        *[f"user__profile__{name}" for name in profile_fields.values()],
    ]
    labels = {
        "sex": {k: str(v) for k, v in Profile.Sex.choices if k},
        "migratory_status": {k: str(v) for k, v in Profile.MigratoryStatus.choices if k},
        "id_document_type": {k: str(v) for k, v in Profile.DocumentType.choices if k},
        "disability": {k: str(v) for k, v in Profile.Disability.choices if k},
    }
    tz = timezone.get_current_timezone()
    rows: list[list[Any]] = []
    # Plain tuples, not model instances: 100,000 rows in seconds rather than tens of seconds.
    for values in qs.values_list(*columns).iterator(chunk_size=5000):
        user_id, username, first, last, course_id, enrolled, status, progress, score, completed = values[:10]
        row: list[Any] = [
            username,
            f"{first} {last}".strip() or username,
            course_names.get(course_id, ""),
            enrolled.astimezone(tz).date().isoformat() if enrolled else "",
            status_labels.get(status, status),
            progress,
            score if score is not None else "",
            completed.astimezone(tz).date().isoformat() if completed else "",
        ]
        for (key, profile_field), value in zip(profile_fields.items(), values[10:], strict=True):
            if key == "situacion_migratoria" and user_id not in consent_ok:
                value = ""
            value = "" if value is None else value
            row.append(labels.get(profile_field, {}).get(value, value) if value != "" else "")
        rows.append(row)
    return headers, rows


_SENSITIVE_PROFILE_FIELDS = {
    "sexo": "sex",
    "anio_nacimiento": "birth_year",
    "nacionalidad": "nationality",
    "pais": "country",
    "region": "region",
    "ciudad": "city",
    "situacion_migratoria": "migratory_status",
    "tipo_documento": "id_document_type",
    "discapacidad": "disability",
}


def _course_labels(qs: QuerySet) -> list[tuple[int, Any]]:
    course_model = _model("courses.CoursePage")
    if course_model is None:
        return []
    ids = set(qs.values_list("course_id", flat=True).distinct().order_by())
    return [(c.pk, c) for c in course_model.objects.filter(pk__in=ids)]
