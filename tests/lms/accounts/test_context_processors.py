"""The header's «Informes» link appears exactly when the person has a report they can open (browser audit)."""

import pytest
from django.urls import reverse

from lms.accounts.context_processors import REPORT_ROLES
from lms.accounts.models import Role
from lms.reports.selectors.roles import VIEWS, report_views_for_user
from tests.courses.cohorts.factories import CohortFactory, CohortTrainerFactory
from tests.lms.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def reports_link_shown(client, user) -> bool:
    client.force_login(user)
    return f'href="{reverse("reports:index")}"' in client.get("/").text


def test_the_report_roles_are_the_roles_of_the_report_views():
    assert {role for role, _title in VIEWS.values()} == REPORT_ROLES


@pytest.mark.parametrize("role", [Role.INSTITUTION_ADMIN, Role.EVALUATOR, Role.MASTER_TRAINER, Role.PARTICIPANT])
def test_people_without_a_report_see_no_reports_link(client, role):
    user = MembershipFactory(role=role).user
    assert not reports_link_shown(client, user)
    assert client.get(reverse("reports:index")).status_code == 403


@pytest.mark.parametrize("role", sorted(REPORT_ROLES))
def test_people_with_a_report_see_the_link_and_it_opens(client, role):
    user = MembershipFactory(role=role).user
    assert reports_link_shown(client, user)
    assert client.get(reverse("reports:index")).status_code in (200, 302)


def test_a_master_trainer_who_teaches_a_cohort_sees_the_link():
    from django.test import Client

    cohort = CohortFactory()
    user = MembershipFactory(role=Role.MASTER_TRAINER, institution=cohort.institution).user
    CohortTrainerFactory(cohort=cohort, user=user)
    assert report_views_for_user(user=user) == ["facilitacion"]
    client = Client()
    assert reports_link_shown(client, user)


def test_superusers_see_the_link(client):
    assert reports_link_shown(client, UserFactory(is_superuser=True, is_staff=True))
