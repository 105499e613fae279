"""The knowledge test is not sent with a question left unanswered unless the candidate says so: the form comes back
naming the questions left, with the answers given, and «Enviar de todas formas» sends it as it is."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.competency import forms, knowledge, services
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    standard = make_standard(units=1, questions=4, title="Ventas y atención al cliente")
    candidate = UserFactory(first_name="Yénifer", last_name="Colmenares Ruíz", phone="+51987123456")
    application = services.application_create(candidate=candidate, standard=standard, experience="Vendo en Gamarra.")
    evaluator = evaluator_of(standard.certifying_body, first_name="Patricia", last_name="Gómez")
    admin = body_admin_of(standard.certifying_body, first_name="Ángela", last_name="Quispe")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Gamarra, La Victoria"
    )
    return application


def _open(client, application):
    unit = application.units.get()
    client.force_login(application.candidate)
    url = reverse("competency:knowledge_test", args=[application.pk, unit.pk])
    page = client.get(url, follow=True)
    assert "Prueba de conocimientos" in page.content.decode(), _text(page)[:3000]
    return url, application.knowledge_attempts.get()


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_an_unanswered_question_is_named_and_the_answers_given_are_kept(client, application):
    url, attempt = _open(client, application)
    first, second, third = attempt.question_ids
    response = client.post(url, {"attempt": attempt.pk, f"q{first}": "0", f"q{third}": "1"})
    assert response.status_code == 200
    text = _text(response)
    assert "Aún no enviamos tu prueba: te falta responder la pregunta 2." in text
    assert "Enviar de todas formas, con la pregunta 2 sin responder" in text
    html = response.content.decode()
    assert re.search(rf'name="q{first}" value="0" checked', html)
    assert re.search(rf'name="q{third}" value="1" checked', html)
    assert not re.search(rf'name="q{second}" value="\d" checked', html)
    assert 'href="#pregunta-2"' in html and 'id="pregunta-2"' in html
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.score is None

    # Answering it sends the test.
    response = client.post(url, {"attempt": attempt.pk} | {f"q{q}": "0" for q in attempt.question_ids})
    assert "Obtuviste 100 %" in _text(response)


def test_the_candidate_may_send_it_anyway_and_the_question_left_counts_as_wrong(client, application):
    url, attempt = _open(client, application)
    first, second, third = attempt.question_ids
    response = client.post(url, {"attempt": attempt.pk, f"q{first}": "0", f"q{second}": "0"})
    assert "las preguntas" not in _text(response) and "la pregunta 3" in _text(response)
    data = {"attempt": attempt.pk, f"q{first}": "0", f"q{second}": "0", forms.KnowledgeTestForm.CONFIRM: "1"}
    response = client.post(url, data)
    assert "Obtuviste 67 %" in _text(response)
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.answers[str(third)] is None


def test_several_questions_left_and_rows_left_empty_are_named():
    def view(pk, number, kind, rows=()):
        return knowledge.QuestionView(pk, number, kind, "¿…?", [("0", "a"), ("1", "b")], list(rows))

    questions = [
        view(1, 1, "single_choice"),
        view(2, 2, "multiple_choice"),
        view(3, 3, "fill_blanks", rows=["", ""]),
        view(4, 4, "matching", rows=["Ingreso", "Costo"]),
    ]
    from django.http import QueryDict

    post = QueryDict("q1=0&q3_0=costos&q3_1=&q4_0=0&q4_1=1")
    test = forms.KnowledgeTestForm(questions, post)
    assert test.missing == [2, 3]
    assert test.missing_text() == "las preguntas 2 y 3"
    assert test.needs_confirmation
    shown = {q.number: q for q in test.shown()}
    assert shown[3].rows == [("", "costos"), ("", "")] and shown[3].missing
    assert shown[1].given == "0" and not shown[1].missing
    assert not forms.KnowledgeTestForm(questions, QueryDict("q1=0&q2=1&q3_0=a&q3_1=b&q4_0=0&q4_1=1")).missing
