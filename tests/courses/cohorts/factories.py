"""Factories for cohorts, their trainers and members, and live sessions."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from courses.cohorts.models import Cohort, CohortMember, CohortTrainer, LiveSession
from lms.accounts.models import Membership, Role
from tests.courses.factories import build_course
from tests.lms.accounts.factories import InstitutionFactory, UserFactory


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


FREE_TEXT = {
    "title": "",
    "prompt": "Describe a tu cliente ideal.",
    "max_attempts": 0,
    "pass_mark": 50,
    "weight": "1",
    "max_length": 1000,
    "rubric": [
        {
            "criterion": "Claridad",
            "description": "Se entiende quién es el cliente.",
            "levels": [{"label": "En proceso", "points": 1}, {"label": "Logrado", "points": 2}],
        }
    ],
}


def cohort_with_free_text(**kwargs):
    """A cohort whose course has one lesson with a free-text activity; returns (cohort, lesson, usage id)."""
    import uuid

    from courses.models import LessonPage
    from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory

    course = CoursePageFactory()
    module = ModulePageFactory(parent=course)
    usage_id = str(uuid.uuid4())
    lesson = LessonPageFactory(
        parent=module,
        title="Mi cliente ideal",
        completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        body=[{"type": "free_text", "id": usage_id, "value": FREE_TEXT}],
    )
    cohort = CohortFactory(course=course, **kwargs)
    return cohort, lesson, usage_id


def free_text_answer(user, lesson, usage_id, text="Mujeres de mi barrio que cocinan para vender."):
    """A pending free-text submission, recorded through content's service (the learner must be enrolled)."""
    import uuid

    from content.services import activity_submit

    return activity_submit(user=user, page=lesson, usage_id=usage_id, answer={"text": text}, submission_id=uuid.uuid4())
