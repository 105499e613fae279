"""Filters and scope: what one report request is narrowed to, and the choices a person may narrow it by.

``Scope`` is the role universe plus the ``Filters``; every figure selector takes one. The period is
inclusive on both days, in the current time zone (``America/Lima``). Must not import views, forms or services.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from courses.cohorts.models import Cohort
from courses.models import CoursePage, ProgrammePage
from lms.accounts.models import Institution

from .universes import (
    FactSpec,
    Universe,
    _cohort_courses,
    _cohort_ids,
    _course_ids_for_programmes,
    _course_ids_of_institutions,
    cohort_ids_for_funding_source,
    course_universe,
    universe_applies,
    universe_q,
)


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


def filter_universes(*, filters: Filters) -> list[Universe]:
    universes: list[Universe] = []
    if filters.programme:
        universes.append(
            course_universe(
                course_ids=_course_ids_for_programmes([filters.programme]), programme_ids=[filters.programme]
            )
        )
    if filters.course:
        universes.append(course_universe(course_ids=[filters.course]))
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
        universes.append(Universe(cohort_ids=frozenset(cohort_ids_for_funding_source(source=filters.funding_source))))
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
        return [self.universe, *filter_universes(filters=self.filters)]

    def q(self, spec: FactSpec) -> Q:
        q = Q()
        for universe in self.universes():
            q &= universe_q(universe=universe, spec=spec)
        return q

    def applies(self, spec: FactSpec) -> bool:
        return all(universe_applies(universe=u, spec=spec) for u in self.universes())

    @property
    def reference_date(self) -> date:
        return self.filters.end or timezone.localdate()


def filter_choices(*, universe: Universe) -> dict[str, list[tuple[Any, str]]]:
    """The programmes, courses, cohorts and institutions a person may narrow a report to.

    Cohorts: those of the universe and those running its own courses, never the other cohorts of a course a
    cohort covers (a trainer's choices are the cohorts they teach, a donor's the cohorts it funds). Courses: the
    universe's and those its cohorts cover. Institutions: the universe's, those running the cohorts and those
    owning the universe's own courses."""
    choices: dict[str, list[tuple[Any, str]]] = {"programme": [], "course": [], "cohort": [], "institution": []}
    course_ids: set[int] | None = None if universe.everything else set(universe.course_ids)
    cohort_ids: set[int] | None = None if universe.everything else set(universe.cohort_ids)
    if cohort_ids is not None and course_ids is not None:
        if course_ids:
            cohort_ids |= set(Cohort.objects.filter(course_id__in=course_ids).values_list("pk", flat=True))
        for ids in _cohort_courses(universe.cohort_ids).values():
            course_ids |= ids
    courses = CoursePage.objects.all() if course_ids is None else CoursePage.objects.filter(pk__in=course_ids)
    choices["course"] = [(c.pk, str(c)) for c in courses.order_by("title")]
    paths = {c.path[: -ProgrammePage.steplen] for c in courses}
    programmes = ProgrammePage.objects.all()
    if course_ids is not None:
        programmes = programmes.filter(path__in=paths)
    choices["programme"] = [(p.pk, p.title) for p in programmes.order_by("title")]
    cohorts = Cohort.objects.all() if cohort_ids is None else Cohort.objects.filter(pk__in=cohort_ids)
    choices["cohort"] = [(c.pk, c.name) for c in cohorts.order_by("name")]
    institutions = Institution.objects.filter(is_active=True)
    if not universe.everything:
        ids = set(universe.institution_ids)
        if cohort_ids:
            ids |= set(Cohort.objects.filter(pk__in=cohort_ids).values_list("institution_id", flat=True))
        if universe.course_ids:
            owners = CoursePage.objects.filter(pk__in=universe.course_ids).values_list("institution_id", flat=True)
            ids |= {i for i in owners if i}
        institutions = institutions.filter(pk__in=ids)
    choices["institution"] = [(i.pk, str(i)) for i in institutions.order_by("name")]
    return choices
