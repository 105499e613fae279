"""Universes: the sets of facts a role may see or a filter keeps, and how each kind of fact reaches one.

Owns ``Universe``, the ``FactSpec`` of each source (enrolments, certificates, attendance, competency
applications, cohort members) and the course/cohort/institution look-ups behind them. Reads courses and
cohorts; must not import views, forms or services.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from courses.cohorts.models import Cohort, CohortMember, CohortTrainer
from courses.models import CoursePage, ProgrammePage


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
    # Facts tied to no course that still belong to a cohort's people: (lookup, value) selecting them. They reach a
    # cohort through their person, a member or a trainer of it (trainer qualifications: the cohort's certified
    # facilitators).
    by_person: tuple[str, str] | None = None


ENROLLMENT = FactSpec(user="user", course="course_id", institution="course__institution_id")
CERTIFICATE = FactSpec(
    user="holder",
    course="programme__course_id",
    institution="issuer_id",
    by_person=("programme__kind", "trainer_qualification"),
)
ATTENDANCE = FactSpec(
    user="user", course=None, cohort="session__cohort_id", institution="session__cohort__institution_id"
)
APPLICATION = FactSpec(user="candidate", course=None, institution="standard__certifying_body_id")
MEMBER = FactSpec(user="user", course=None, cohort="cohort_id", institution="cohort__institution_id")


def _programme_course_ids(programme_ids: Iterable[int]) -> dict[int, set[int]]:
    """Course ids under each programme (Wagtail tree: a course's path starts with its programme's path)."""
    result: dict[int, set[int]] = {}
    for pk, path in ProgrammePage.objects.filter(pk__in=list(programme_ids)).values_list("pk", "path"):
        result[pk] = set(CoursePage.objects.filter(path__startswith=path).values_list("pk", flat=True))
    return result


def _cohort_courses(cohort_ids: Iterable[int]) -> dict[int, set[int]]:
    """The course ids each cohort covers (its course, or every course of its programme)."""
    rows = list(Cohort.objects.filter(pk__in=list(cohort_ids)).values_list("pk", "course_id", "programme_id"))
    programmes = _programme_course_ids({p for _, _, p in rows if p})
    return {pk: ({course} if course else programmes.get(programme, set())) for pk, course, programme in rows}


def universe_q(*, universe: Universe, spec: FactSpec) -> Q:
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
            # A fact counts when its person is a member of a cohort covering its course. One correlated
            # EXISTS for course cohorts (PostgreSQL plans it as a hash semi-join), one per programme.
            ids = list(universe.cohort_ids)
            q |= Q(
                Exists(
                    CohortMember.objects.filter(
                        user_id=OuterRef(f"{spec.user}_id"),
                        cohort_id__in=ids,
                        cohort__course_id=OuterRef(spec.course),
                    )
                )
            )
            by_programme: dict[int, list[int]] = defaultdict(list)
            for pk, programme_id in Cohort.objects.filter(pk__in=ids, programme_id__isnull=False).values_list(
                "pk", "programme_id"
            ):
                by_programme[programme_id].append(pk)
            course_sets = _programme_course_ids(by_programme)
            for programme_id, cohort_ids in by_programme.items():
                q |= Q(**{f"{spec.course}__in": course_sets.get(programme_id, set())}) & Q(
                    Exists(CohortMember.objects.filter(user_id=OuterRef(f"{spec.user}_id"), cohort_id__in=cohort_ids))
                )
        if spec.by_person:
            lookup, value = spec.by_person
            person = OuterRef(f"{spec.user}_id")
            q |= Q(**{lookup: value}) & (
                Q(Exists(CohortMember.objects.filter(user_id=person, cohort_id__in=universe.cohort_ids)))
                | Q(Exists(CohortTrainer.objects.filter(user_id=person, cohort_id__in=universe.cohort_ids)))
            )
    return q


def universe_applies(*, universe: Universe, spec: FactSpec) -> bool:
    """Whether facts of this kind can be in the universe at all: competency has no course or cohort; attendance and
    cohort members have no course, so courses alone never reach them (the cohorts of those courses do)."""
    if universe.everything:
        return True
    return bool(
        (universe.course_ids and spec.course)
        or (universe.cohort_ids and (spec.course or spec.cohort))
        or (universe.institution_ids and spec.institution)
    )


def _course_ids_of_institutions(institution_ids: Iterable[int]) -> set[int]:
    return set(CoursePage.objects.filter(institution_id__in=list(institution_ids)).values_list("pk", flat=True))


def _cohort_ids(**filters: Any) -> set[int]:
    return set(Cohort.objects.filter(**filters).values_list("pk", flat=True))


def _course_ids_for_programmes(programme_ids: Iterable[int]) -> set[int]:
    ids: set[int] = set()
    for course_ids in _programme_course_ids(programme_ids).values():
        ids |= course_ids
    return ids


def course_universe(*, course_ids: Iterable[int], programme_ids: Iterable[int] = ()) -> Universe:
    """Some courses and the cohorts that run them: cohorts of one of the courses, or of one of ``programme_ids``
    (a learning-path cohort covers every course of its programme, so pass a programme only with all its courses).
    Without the cohorts, attendance and cohort members (no course link) would never be reached."""
    courses = set(course_ids)
    cohorts = Cohort.objects.filter(Q(course_id__in=courses) | Q(programme_id__in=list(programme_ids)))
    return Universe(course_ids=frozenset(courses), cohort_ids=frozenset(cohorts.values_list("pk", flat=True)))


def _funding_tokens(value: str) -> set[str]:
    return {t.strip().casefold() for t in re.split(r"[,;/+|]| y ", value or "") if t.strip()}


def cohort_ids_for_funding_source(*, source: str) -> set[int]:
    """Cohorts funded (possibly among others) by ``source``: "USAID + AECID" counts for both."""
    if not source.strip():
        return set()
    wanted = source.strip().casefold()
    rows = Cohort.objects.exclude(funding_source="").values_list("pk", "funding_source")
    return {pk for pk, value in rows if wanted in _funding_tokens(value)}


def funding_sources() -> list[str]:
    found: dict[str, str] = {}
    for value in Cohort.objects.exclude(funding_source="").values_list("funding_source", flat=True).distinct():
        for token in re.split(r"[,;/+|]| y ", value):
            if token.strip():
                found.setdefault(token.strip().casefold(), token.strip())
    return sorted(found.values(), key=str.casefold)


def institution_universe(*, institution_ids: Iterable[int]) -> Universe:
    """Everything of some institutions: the courses they own, the cohorts they run, what they issue."""
    ids = set(institution_ids)
    return Universe(
        course_ids=frozenset(_course_ids_of_institutions(ids)),
        cohort_ids=frozenset(_cohort_ids(institution_id__in=ids)),
        institution_ids=frozenset(ids),
    )
