"""Knowledge-test questions reuse content's activity definitions and XBlocks; grading per activity type."""

import pytest
from django.core.exceptions import ValidationError

from certification.competency import knowledge
from lms.demo.standards_data import mc, sc, tf


def test_bank_questions_are_checked_against_the_activity_blocks():
    value = knowledge.validate("single_choice", sc("¿Qué haces primero?", "Saludar", "Ignorar")["value"])
    assert value["options"][0] == {"text": "Saludar", "correct": True, "feedback": ""}
    two_right = sc("x", "a", "b")["value"]
    two_right["options"][1]["correct"] = True
    with pytest.raises(ValidationError):
        knowledge.validate("single_choice", two_right)
    with pytest.raises(ValidationError):  # not auto-gradable
        knowledge.validate("free_text", {"prompt": "Describe", "rubric": []})


def test_grading_each_activity_type():
    single = sc("p", "bien", "mal")["value"]
    assert knowledge.grade("single_choice", single, "0") == 1 and knowledge.grade("single_choice", single, "1") == 0
    assert knowledge.grade("single_choice", single, "9") == 0
    multiple = mc("p", ["a", "b"], ["c"])["value"]
    assert knowledge.grade("multiple_choice", multiple, ["0", "1"]) == 1
    assert 0 < knowledge.grade("multiple_choice", multiple, ["0"]) < 1  # partial credit, as lessons give
    assert knowledge.grade("true_false", tf("p", False)["value"], "false") == 1
    assert knowledge.grade("true_false", tf("p", False)["value"], "true") == 0
    blanks = {"text": "Ganancia = ingresos menos [[costos|gastos]] y [[impuestos]]."}
    assert knowledge.grade("fill_blanks", blanks, ["Gastos", "IMPUESTOS"]) == 1
    assert knowledge.grade("fill_blanks", blanks, ["costos", ""]) == 0.5
    matching = {"pairs": [{"item": "Ingreso", "match": "Entra"}, {"item": "Costo", "match": "Sale"}]}
    assert knowledge.grade("matching", matching, ["Entra", "Sale"]) == 1
    assert knowledge.grade("matching", matching, ["Sale", "Entra"]) == 0
    ordering = {"items": ["RUC", "Régimen", "Comprobantes"]}
    assert knowledge.grade("ordering", ordering, ["RUC", "Régimen", "Comprobantes"]) == 1
    assert knowledge.grade("single_choice", single, None) == 0


def test_question_view_hides_answers_and_shuffles_reproducibly():
    class Q:
        pk = 7
        block_type = "single_choice"
        value = sc("p", "uno", "dos", "tres", "cuatro", "cinco")["value"]

    first = knowledge.question_view(Q, number=1, seed="abc")
    assert knowledge.question_view(Q, number=1, seed="abc").choices == first.choices
    assert sorted(first.choices) == [("0", "uno"), ("1", "dos"), ("2", "tres"), ("3", "cuatro"), ("4", "cinco")]
    orders = {tuple(knowledge.question_view(Q, number=1, seed=str(i)).choices) for i in range(10)}
    assert len(orders) > 1
    assert "correct" not in repr(first)


@pytest.mark.django_db
def test_grading_leaves_no_lesson_state_behind():
    from content.models import XBlockState

    assert knowledge.grade("true_false", tf("p", True)["value"], "true", key="99") == 1
    assert not XBlockState.objects.exists()
