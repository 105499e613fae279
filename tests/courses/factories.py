"""Factories for the course page tree, enrolments and lesson bodies."""

import uuid

import factory
import wagtail_factories
from factory.django import DjangoModelFactory
from wagtail.models import Page, Site

from courses.models import CataloguePage, CoursePage, Enrollment, LessonPage, ModulePage, ProgrammePage
from tests.lms.accounts.factories import UserFactory


def site_root() -> Page:
    return Site.objects.get(is_default_site=True).root_page


class CataloguePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CataloguePage

    title = "Cursos"
    slug = "cursos"
    parent = factory.LazyFunction(site_root)


def catalogue() -> CataloguePage:
    """The catalogue at /cursos/ (one per site root)."""
    return CataloguePage.objects.first() or CataloguePageFactory()


class ProgrammePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ProgrammePage

    title = factory.Sequence(lambda n: f"Programa {n}")
    parent = factory.LazyFunction(catalogue)


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"Curso {n}")
    code = factory.Sequence(lambda n: f"CURSO-{n}")
    pass_mark = 70
    parent = factory.SubFactory(ProgrammePageFactory)


class ModulePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = ModulePage

    title = factory.Sequence(lambda n: f"Módulo {n}")
    parent = factory.SubFactory(CoursePageFactory)


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"Lección {n}")
    parent = factory.SubFactory(ModulePageFactory)
    body = factory.LazyFunction(lambda: [text_block("Texto de la lección.")])
    completion_rule = LessonPage.CompletionRule.VIEWED


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CoursePageFactory)


# --- Lesson body helpers: raw StreamField JSON, with stable ids (the activities' usage ids).


def text_block(text: str) -> dict:
    return {"type": "text", "id": str(uuid.uuid4()), "value": f"<p>{text}</p>"}


def single_choice(prompt: str = "¿Qué conviene hacer antes de invertir?", *, block_id: str | None = None) -> dict:
    return {
        "type": "single_choice",
        "id": block_id or str(uuid.uuid4()),
        "value": {
            "title": "",
            "prompt": prompt,
            "max_attempts": 0,
            "pass_mark": 60,
            "weight": "1",
            "options": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {"text": "Conversar con clientes", "correct": True, "feedback": ""},
                },
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {"text": "Comprar mercadería", "correct": False, "feedback": ""},
                },
            ],
        },
    }


def true_false(prompt: str = "Separar el dinero del negocio ayuda.", *, answer: str = "true") -> dict:
    return {
        "type": "true_false",
        "id": str(uuid.uuid4()),
        "value": {
            "title": "",
            "prompt": prompt,
            "max_attempts": 0,
            "pass_mark": 60,
            "weight": "1",
            "correct_answer": answer,
            "feedback_correct": "",
            "feedback_incorrect": "",
        },
    }


def fill_blanks(text: str = "Ganancia = ingresos menos [[costos|gastos]].") -> dict:
    return {
        "type": "fill_blanks",
        "id": str(uuid.uuid4()),
        "value": {
            "title": "",
            "prompt": "Completa la fórmula.",
            "max_attempts": 0,
            "pass_mark": 60,
            "weight": "1",
            "text": text,
            "feedback_correct": "",
            "feedback_incorrect": "",
        },
    }


def reflection(prompt: str = "¿Qué aprendiste hoy?") -> dict:
    return {
        "type": "self_reflection",
        "id": str(uuid.uuid4()),
        "value": {"title": "", "prompt": prompt, "closing_message": "", "max_length": 3000},
    }


def build_course(*, modules: int = 1, lessons_per_module: int = 2, **course_kwargs) -> CoursePage:
    """A live course with modules and viewed-rule lessons."""
    course = CoursePageFactory(**course_kwargs)
    for m in range(modules):
        module = ModulePageFactory(parent=course, title=f"Módulo {m + 1}")
        for n in range(lessons_per_module):
            LessonPageFactory(parent=module, title=f"Lección {m + 1}.{n + 1}")
    return course
