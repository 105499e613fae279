"""Who may see what: the report views per role and the universe each person gets in each of them.

Reads memberships (``lms.accounts``), cohorts and the course tree; must not import views, forms or services.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from courses.cohorts.models import Cohort, CohortTrainer
from courses.models import CoursePage, ProgrammePage
from lms.accounts.models import Membership, Role, User

from .universes import (
    EVERYTHING,
    Universe,
    _course_ids_for_programmes,
    _course_ids_of_institutions,
    cohort_ids_for_funding_source,
    course_universe,
    institution_universe,
)

#: The report views, by URL slug: the role that may open it, and its title.
VIEWS: dict[str, tuple[str, Any]] = {
    "monitoreo": (Role.ME_OFFICER, _("Monitoreo y evaluación")),
    "programa": (Role.PROGRAMME_MANAGER, _("Gestión de programa")),
    "cooperante": (Role.DONOR_VIEWER, _("Cooperante")),
    "facilitacion": (Role.TRAINER, _("Mis grupos")),
    "datos": (Role.DATA_STEWARD, _("Custodia de datos")),
}


def report_views_for_user(*, user: User) -> list[str]:
    """The report views a person may open (in the order of ``VIEWS``)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return list(VIEWS)
    roles = set(Membership.objects.filter(user=user, institution__is_active=True).values_list("role", flat=True))
    views = [slug for slug, (role, _title) in VIEWS.items() if role in roles]
    if Role.TRAINER not in roles and "facilitacion" not in views and CohortTrainer.objects.filter(user=user).exists():
        views.append("facilitacion")
    return views


def _memberships(user: User, role: str) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role=role, institution__is_active=True)


def universe_for(*, user: User, view: str) -> Universe:
    """What a person may see in a report view. An empty universe when they hold no such role.

    * M&E officer and data steward: everything of their institutions (courses they own, cohorts they run,
      certificates they issue, competency standards they hold);
    * programme manager: every course of the programmes their institutions take part in, and every cohort of
      those courses and programmes (attendance, the gender quota and the cohorts' facilitators are reached
      through cohorts);
    * donor viewer: the cohorts funded by their funding source (``Membership.scope``);
    * trainer: the cohorts they teach.
    """
    if view not in VIEWS or not user.is_authenticated or not user.is_active:
        return Universe()
    if user.is_superuser:
        return EVERYTHING
    role = VIEWS[view][0]
    if view == "facilitacion":
        taught = CohortTrainer.objects.filter(user=user).values_list("cohort_id", flat=True)
        return Universe(cohort_ids=frozenset(taught))
    memberships = list(_memberships(user, role))
    if not memberships:
        return Universe()
    institution_ids = {m.institution_id for m in memberships}
    if view in ("monitoreo", "datos"):
        return institution_universe(institution_ids=institution_ids)
    if view == "programa":
        programmes = programmes_for_manager(user=user)
        return course_universe(course_ids=_course_ids_for_programmes(programmes), programme_ids=programmes)
    if view == "cooperante":
        cohorts: set[int] = set()
        for membership in memberships:
            if membership.scope.strip():  # a donor viewer without a funding source sees nothing
                cohorts |= cohort_ids_for_funding_source(source=membership.scope)
        return Universe(cohort_ids=frozenset(cohorts))
    return Universe()


def programmes_for_manager(*, user: User) -> set[int]:
    """Programmes a programme manager follows: those with a course or a cohort of their institutions."""
    if user.is_superuser:
        return set(ProgrammePage.objects.values_list("pk", flat=True))
    institution_ids = set(_memberships(user, Role.PROGRAMME_MANAGER).values_list("institution_id", flat=True))
    course_ids = _course_ids_of_institutions(institution_ids)
    programme_ids: set[int] = set()
    for course_id, programme_id in Cohort.objects.filter(institution_id__in=institution_ids).values_list(
        "course_id", "programme_id"
    ):
        if programme_id:
            programme_ids.add(programme_id)
        if course_id:
            course_ids.add(course_id)
    if course_ids:
        paths = CoursePage.objects.filter(pk__in=course_ids).values_list("path", flat=True)
        parent_paths = {path[: -ProgrammePage.steplen] for path in paths}
        programme_ids |= set(ProgrammePage.objects.filter(path__in=parent_paths).values_list("pk", flat=True))
    return programme_ids


def donor_scope_for(*, user: User, view: str) -> str:
    """The funding sources a donor viewer's report is fixed to, for display ("AECID, USAID"); empty in other
    views and for superusers, whose funding filter stays free."""
    if view != "cooperante" or user.is_superuser:
        return ""
    scopes = (
        Membership.objects.filter(user=user, role=Role.DONOR_VIEWER).exclude(scope="").values_list("scope", flat=True)
    )
    return ", ".join(sorted(set(scopes)))
