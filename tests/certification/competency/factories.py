"""Factories for competency standards, units, bank questions and applications."""

import factory
from factory.django import DjangoModelFactory

from certification.competency.models import (
    Application,
    BankQuestion,
    CompetencyStandard,
    CompetencyUnit,
    PerformanceCriterion,
    RubricCriterion,
)
from lms.accounts.models import Membership, Role
from tests.lms.accounts.factories import InstitutionFactory, UserFactory


class StandardFactory(DjangoModelFactory):
    class Meta:
        model = CompetencyStandard

    certifying_body = factory.SubFactory(InstitutionFactory, type="university")
    code = factory.Sequence(lambda n: f"NC-{n:03d}")
    version = 1
    title = factory.Sequence(lambda n: f"Norma de prueba {n}")
    occupation = "Ventas"
    training_url = "https://ruta.example.org/cursos/ventas/"
    status = CompetencyStandard.Status.PUBLISHED


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = CompetencyUnit

    standard = factory.SubFactory(StandardFactory)
    code = factory.Sequence(lambda n: f"U{n}")
    order = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Atender a la clientela {n}")
    required_knowledge = ["Técnicas de venta"]
    evidence_requirements = ["Foto del exhibidor ordenado"]
    question_count = 3
    pass_threshold = 70


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = PerformanceCriterion

    unit = factory.SubFactory(UnitFactory)
    order = factory.Sequence(int)
    text = factory.Sequence(lambda n: f"Saluda y escucha a la persona cliente ({n})")
    is_critical = True


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = BankQuestion

    unit = factory.SubFactory(UnitFactory)
    block_type = "single_choice"
    value = factory.Sequence(
        lambda n: {
            "title": "",
            "prompt": f"Pregunta {n}: ¿qué haces primero?",
            "max_attempts": 0,
            "pass_mark": 60,
            "weight": 1,
            "options": [
                {"text": "Saludar", "correct": True, "feedback": ""},
                {"text": "Ignorar", "correct": False, "feedback": ""},
            ],
        }
    )


class RubricFactory(DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    unit = factory.SubFactory(UnitFactory)
    order = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Aspecto {n}")
    levels = ["Inicial", "En proceso", "Logrado"]
    weight = 1


def make_standard(units=2, criteria=2, questions=4, body=None, **kwargs):
    """A published standard with ``units`` units, each with criteria, a question bank and a rubric."""
    standard = StandardFactory(**({"certifying_body": body} if body else {}), **kwargs)
    for _i in range(units):
        unit = UnitFactory(standard=standard)
        CriterionFactory.create_batch(criteria, unit=unit)
        QuestionFactory.create_batch(questions, unit=unit)
        RubricFactory.create_batch(2, unit=unit)
    return standard


def evaluator_of(body, **kwargs):
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, institution=body, role=Role.EVALUATOR)
    return user


def body_admin_of(body, **kwargs):
    user = UserFactory(**kwargs)
    Membership.objects.create(user=user, institution=body, role=Role.INSTITUTION_ADMIN)
    return user


class ApplicationFactory(DjangoModelFactory):
    class Meta:
        model = Application
        skip_postgeneration_save = True

    candidate = factory.SubFactory(UserFactory)
    standard = factory.SubFactory(StandardFactory)
    experience = "Cinco años vendiendo en una bodega de San Juan de Lurigancho."
    experience_years = 5

    @factory.post_generation
    def with_units(obj, create, extracted, **kwargs):
        if create:
            obj.units.set(obj.standard.units.all())
