"""Factories for cohorts, their trainers and members, and live sessions."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from courses.cohorts.models import Cohort, CohortMember, CohortTrainer, LiveSession
from lms.accounts.models import Membership, Role
from tests.accounts.factories import InstitutionFactory, UserFactory
from tests.courses.factories import build_course


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = Cohort

    institution = factory.SubFactory(InstitutionFactory)
    course = factory.LazyFunction(lambda: build_course(modules=1, lessons_per_module=1))
    name = factory.Sequence(lambda n: f"Grupo {n}")
    country = "PE"
    region = "Lima"
    city = "Lima"


class CohortTrainerFactory(DjangoModelFactory):
    class Meta:
        model = CohortTrainer

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    lead = True


class CohortMemberFactory(DjangoModelFactory):
    class Meta:
        model = CohortMember

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)


class LiveSessionFactory(DjangoModelFactory):
    class Meta:
        model = LiveSession

    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Sesión {n}")
    starts_at = factory.LazyFunction(timezone.now)


def trainer_of(cohort, user=None):
    """A trainer (with a trainer membership in the cohort's institution) teaching ``cohort``."""
    user = user or UserFactory()
    Membership.objects.get_or_create(user=user, institution=cohort.institution, role=Role.TRAINER)
    CohortTrainerFactory(cohort=cohort, user=user)
    return user


def member_of(cohort, user=None):
    user = user or UserFactory()
    Membership.objects.get_or_create(user=user, institution=cohort.institution, role=Role.PARTICIPANT)
    CohortMemberFactory(cohort=cohort, user=user)
    return user
