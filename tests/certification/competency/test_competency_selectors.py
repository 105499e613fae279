"""Bulk eligibility for the body's page agrees with the one-by-one rule."""

import pytest

from certification.competency import selectors, services
from tests.courses.cohorts.factories import CohortFactory, CohortMemberFactory, CohortTrainerFactory
from tests.lms.accounts.factories import UserFactory
from tests.query_counting import assert_max_data_queries

from .factories import evaluator_of, make_standard

pytestmark = pytest.mark.django_db


def test_bulk_eligibility_matches_single_rule():
    standard = make_standard(units=1)
    body = standard.certifying_body
    evaluators = [evaluator_of(body) for _ in range(3)]
    applications = [
        services.application_create(candidate=UserFactory(), standard=standard, experience="x") for _ in range(4)
    ]
    services.conflict_declare(evaluator=evaluators[0], candidate=applications[0].candidate, reason="Familiar")
    cohort = CohortFactory()
    CohortTrainerFactory(cohort=cohort, user=evaluators[1])
    CohortMemberFactory(cohort=cohort, user=applications[1].candidate)
    evaluator_of(make_standard(units=1).certifying_body)  # another body's evaluator never appears

    with assert_max_data_queries(4):
        bulk = selectors.eligible_evaluators_by_application(applications=applications)
    for application in applications:
        assert set(bulk[application.pk]) == set(selectors.eligible_evaluators(application=application))
    assert evaluators[0] not in bulk[applications[0].pk] and evaluators[1] not in bulk[applications[1].pk]
    assert set(bulk[applications[2].pk]) == set(evaluators)
