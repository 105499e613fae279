"""Fixtures for content: test pages holding activities, and a helper to submit answers."""

import uuid

import pytest
from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from tests.content.pages import ActivityTestPage, HookedActivityTestPage  # their tables: tests/conftest.py


def _site_root():
    """The default site's root page; rebuilt when a transactional test has flushed the migrated tree."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page
    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    tree_root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = tree_root.add_child(instance=Page(title="Inicio", slug="inicio"))
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    return home


CHOICE = {
    "title": "Clientes",
    "prompt": "¿Qué conviene hacer antes de invertir?",
    "max_attempts": 2,
    "pass_mark": 60,
    "weight": "1",
    "options": [
        {"text": "Comprar mercadería", "correct": False, "feedback": "Primero valida tu idea."},
        {"text": "Hablar con posibles clientes", "correct": True, "feedback": "Así validas tu idea."},
        {"text": "Pedir un préstamo", "correct": False, "feedback": "Es pronto para endeudarse."},
    ],
}


@pytest.fixture
def make_page(db):
    """``make_page({"single_choice": value, ...}, hooked=False)`` → (page, {type: usage_id})."""

    def make(activities: dict, *, hooked: bool = False, title: str = "Lección de prueba"):
        root = _site_root()
        ids = {kind: str(uuid.uuid4()) for kind in activities}
        body = [{"type": kind, "value": value, "id": ids[kind]} for kind, value in activities.items()]
        model = HookedActivityTestPage if hooked else ActivityTestPage
        page = root.add_child(instance=model(title=title, slug=f"leccion-{uuid.uuid4().hex[:8]}", body=body))
        return page, ids

    return make


@pytest.fixture
def choice_page(make_page):
    page, ids = make_page({"single_choice": CHOICE})
    return page, ids["single_choice"]


@pytest.fixture
def submit():
    """``submit(user, page, usage_id, answer, submission_id=None)`` through the service."""
    from content.services import activity_submit

    def do(user, page, usage_id, answer, submission_id=None):
        return activity_submit(
            user=user, page=page, usage_id=usage_id, answer=answer, submission_id=submission_id or uuid.uuid4()
        )

    return do


@pytest.fixture
def scored(db):
    """Collects ``activity_scored`` sends."""
    from content.signals import activity_scored

    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    activity_scored.connect(receiver, dispatch_uid="tests.content.scored")
    yield calls
    activity_scored.disconnect(dispatch_uid="tests.content.scored")


VALUES = {
    "single_choice": CHOICE,
    "multiple_choice": {
        "prompt": "¿Cuáles son costos fijos?",
        "max_attempts": 0,
        "pass_mark": 100,
        "weight": "2",
        "options": [
            {"text": "Alquiler del local", "correct": True, "feedback": "Se paga cada mes."},
            {"text": "Harina para el pan", "correct": False, "feedback": "Varía con lo que produces."},
            {"text": "Sueldo fijo de la ayudante", "correct": True, "feedback": "No depende de las ventas."},
        ],
    },
    "true_false": {
        "prompt": "Separar el dinero del negocio del de la casa ayuda a saber si ganas.",
        "max_attempts": 1,
        "pass_mark": 60,
        "weight": "1",
        "correct_answer": "true",
        "feedback_correct": "Así ves tus ganancias reales.",
        "feedback_incorrect": "Si los mezclas no sabrás cuánto ganas.",
    },
    "fill_blanks": {
        "prompt": "Completa la fórmula.",
        "max_attempts": 3,
        "pass_mark": 100,
        "weight": "1",
        "text": "Ganancia = ingresos menos [[costos|gastos]] del [[período]].",
        "feedback_correct": "Fórmula completa.",
        "feedback_incorrect": "A los ingresos les restas lo que gastas.",
    },
    "matching": {
        "prompt": "Relaciona cada término con su significado.",
        "max_attempts": 0,
        "pass_mark": 100,
        "weight": "1",
        "pairs": [
            {"item": "Ingreso", "match": "Dinero que entra"},
            {"item": "Costo", "match": "Dinero que sale"},
            {"item": "Ganancia", "match": "Lo que queda"},
        ],
        "feedback_correct": "Dominas los términos.",
        "feedback_incorrect": "Repasa el glosario de la lección.",
    },
    "ordering": {
        "prompt": "Ordena los pasos para formalizar tu negocio.",
        "max_attempts": 0,
        "pass_mark": 100,
        "weight": "1",
        "items": ["Elegir el régimen tributario", "Obtener el RUC", "Emitir comprobantes"],
        "feedback_correct": "Ese es el orden.",
        "feedback_incorrect": "Primero el régimen, luego el RUC.",
    },
    "free_text": {
        "prompt": "Describe a tu cliente ideal.",
        "max_attempts": 2,
        "pass_mark": 50,
        "weight": "3",
        "max_length": 500,
        "rubric": [
            {
                "criterion": "Claridad",
                "description": "Se entiende quién es.",
                "levels": [{"label": "En proceso", "points": 1}, {"label": "Logrado", "points": 3}],
            },
            {
                "criterion": "Necesidad",
                "description": "",
                "levels": [{"label": "No la nombra", "points": 0}, {"label": "La nombra", "points": 1}],
            },
        ],
    },
    "self_reflection": {
        "prompt": "¿Qué aplicarás mañana en tu negocio?",
        "closing_message": "Gracias por compartir tu reflexión.",
        "max_length": 300,
    },
}


@pytest.fixture
def all_page(make_page):
    """A page with one activity of every type."""
    return make_page(VALUES)
