"""What an author changes after learners answered: a stored answer keeps meaning what the learner chose, and the
editor refuses activities a learner could never pass (a word list without the answer, a rubric worth 0 points)."""

import re

import pytest
from wagtail.blocks import StructBlockValidationError
from xblock.fields import Scope
from xblock.runtime import KeyValueStore

from content.blocks import FillBlanksBlock, FreeTextBlock
from content.models import Submission
from content.xblocks.kvs import DjangoKeyValueStore
from tests.content.conftest import VALUES
from tests.content.helpers import option_value, post_answer, section, select_name_for_label
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGED = "Esta pregunta cambió después de tu respuesta"

CAPITAL = {
    "title": "Capitales",
    "prompt": "¿Cuál es la capital del Perú?",
    "max_attempts": 0,
    "pass_mark": 100,
    "weight": "1",
    "options": [
        {"text": "Bogotá", "correct": False, "feedback": "Bogotá es la capital de Colombia."},
        {"text": "Lima", "correct": True, "feedback": "¡Bien! Lima es la capital."},
        {"text": "Quito", "correct": False, "feedback": "Quito es la capital del Ecuador."},
    ],
}


@pytest.fixture
def learner(client):
    person = UserFactory(first_name="Yésica", last_name="Peña Quispe", phone="+51987650123", email="")
    client.force_login(person)
    return person


def republish(page, kind, usage_id, value):
    """The author edits the activity in the page editor and publishes: same block, new value."""
    page.body = [{"type": kind, "value": value, "id": usage_id}]
    page.save_revision().publish()
    page.refresh_from_db()


def options_seen(html):
    """Each choice as the learner sees it: (label, checked, mark text)."""
    seen = []
    for chunk in re.split(r'<div class="activity-option[ "]', html)[1:]:
        label = re.search(r"<label [^>]*>([^<]*)</label>", chunk).group(1)
        mark = re.search(r'<span class="activity-mark[^"]*"[^>]*>([^<]*)</span>', chunk)
        checked = " checked" in re.search(r"<input [^>]*>", chunk).group(0)
        seen.append((label, checked, mark.group(1) if mark else ""))
    return seen


def choice_value(html, label):
    match = re.search(r'value="(\d+)" id="([^"]+)"[^>]*>\s*<label for="\2">' + re.escape(label) + "<", html)
    assert match, f"no option «{label}»"
    return match.group(1)


def selected_in(html, row_label):
    """The visible text of the option selected in the row labelled ``row_label`` ("" when none)."""
    name = select_name_for_label(html, row_label)
    select = html[html.index(f'<select name="{name}"') :]
    select = select[: select.index("</select>")]
    chosen = re.search(r"<option value=\"[^\"]*\" selected>([^<]*)</option>", select)
    return chosen.group(1) if chosen else ""


def test_reordering_options_keeps_the_learners_answer_on_the_option_they_chose(client, learner, make_page):
    page, ids = make_page({"single_choice": CAPITAL})
    usage_id = ids["single_choice"]
    before = section(client.get(page.url).content, usage_id)
    post_answer(client, page, usage_id, {"choice": choice_value(before, "Lima")})

    # «Subir» on Quito: it now stands above Lima.
    bogota, lima, quito = CAPITAL["options"]
    republish(page, "single_choice", usage_id, {**CAPITAL, "options": [bogota, quito, lima]})

    html = section(client.get(page.url).content, usage_id)
    assert options_seen(html) == [
        ("Bogotá", False, ""),
        ("Quito", False, ""),
        ("Lima", True, "Correcto: ¡Bien! Lima es la capital."),
    ]
    assert "¡Aprobaste!" in html and CHANGED not in html
    # «Enviar otra respuesta» sends what is checked: Lima again, still right.
    checked = re.search(r'name="choice" value="(\d+)"[^>]* checked', html).group(1)
    post_answer(client, page, usage_id, {"choice": checked})
    last = Submission.objects.filter(user=learner, usage_id=usage_id).order_by("-attempt_number").first()
    assert last.attempt_number == 2 and last.score == 1.0


def test_an_answer_whose_option_was_removed_is_shown_as_not_chosen_with_a_note(client, learner, make_page):
    page, ids = make_page({"single_choice": CAPITAL})
    usage_id = ids["single_choice"]
    post_answer(client, page, usage_id, {"choice": "1"})  # Lima

    bogota, _lima, quito = CAPITAL["options"]
    cusco = {"text": "Cusco", "correct": False, "feedback": "Fue la capital inca."}
    republish(page, "single_choice", usage_id, {**CAPITAL, "options": [quito, cusco, bogota]})

    html = section(client.get(page.url).content, usage_id)
    assert options_seen(html) == [("Quito", False, ""), ("Cusco", False, ""), ("Bogotá", False, "")]
    assert CHANGED in html
    assert Submission.objects.get(user=learner, usage_id=usage_id).score == 1.0  # stored scores are not re-graded


def test_multiple_choice_answers_follow_their_options(client, learner, make_page):
    value = VALUES["multiple_choice"]
    page, ids = make_page({"multiple_choice": value})
    usage_id = ids["multiple_choice"]
    post_answer(client, page, usage_id, {"choices": ["0", "1"]})  # Alquiler (right), Harina (wrong)

    alquiler, harina, sueldo = value["options"]
    republish(page, "multiple_choice", usage_id, {**value, "options": [sueldo, alquiler, harina]})

    html = section(client.get(page.url).content, usage_id)
    assert options_seen(html) == [
        ("Sueldo fijo de la ayudante", False, ""),
        ("Alquiler del local", True, "Correcto: Se paga cada mes."),
        ("Harina para el pan", True, "Incorrecto: Varía con lo que produces."),
    ]
    assert CHANGED not in html


def test_matching_answers_follow_their_items_and_matches(client, learner, make_page):
    value = VALUES["matching"]
    page, ids = make_page({"matching": value})
    usage_id = ids["matching"]
    before = section(client.get(page.url).content, usage_id)
    answer = {
        select_name_for_label(before, "Ingreso"): option_value(before, "Dinero que entra"),
        select_name_for_label(before, "Costo"): option_value(before, "Lo que queda"),  # wrong
        select_name_for_label(before, "Ganancia"): option_value(before, "Dinero que sale"),  # wrong
    }
    post_answer(client, page, usage_id, answer)

    ingreso, costo, ganancia = value["pairs"]
    republish(page, "matching", usage_id, {**value, "pairs": [ganancia, ingreso, costo]})

    html = section(client.get(page.url).content, usage_id)
    assert selected_in(html, "Ingreso") == "Dinero que entra"
    assert selected_in(html, "Costo") == "Lo que queda"
    assert selected_in(html, "Ganancia") == "Dinero que sale"
    rows = html.split('<div class="activity-row">')[1:]
    marks = {re.search(r"<label [^>]*>([^<]*)<", row).group(1): "is-correct" in row for row in rows}
    assert marks == {"Ganancia": False, "Ingreso": True, "Costo": False}
    assert CHANGED not in html

    # A pair removed: its row is gone and the learner is told the question changed.
    republish(page, "matching", usage_id, {**value, "pairs": [ganancia, ingreso]})
    html = section(client.get(page.url).content, usage_id)
    assert selected_in(html, "Ingreso") == "Dinero que entra"
    assert selected_in(html, "Ganancia") == ""  # it had «Dinero que sale», which is no longer offered
    assert CHANGED in html


def test_ordering_answers_follow_their_steps(client, learner, make_page):
    value = VALUES["ordering"]
    page, ids = make_page({"ordering": value})
    usage_id = ids["ordering"]
    before = section(client.get(page.url).content, usage_id)
    regimen, ruc, comprobantes = value["items"]
    placed = {regimen: "1", ruc: "3", comprobantes: "2"}
    post_answer(client, page, usage_id, {select_name_for_label(before, step): n for step, n in placed.items()})

    republish(page, "ordering", usage_id, {**value, "items": [ruc, regimen, comprobantes]})
    html = section(client.get(page.url).content, usage_id)
    assert {step: selected_in(html, step) for step in placed} == placed
    assert CHANGED not in html

    paso = "Abrir una cuenta del negocio"
    republish(page, "ordering", usage_id, {**value, "items": [regimen, ruc, paso, comprobantes]})
    html = section(client.get(page.url).content, usage_id)
    assert {step: selected_in(html, step) for step in placed} == placed
    assert selected_in(html, paso) == ""
    assert CHANGED in html


def test_answers_stored_by_index_before_this_change_still_show(client, learner, make_page):
    """State written before answers kept their texts has only indexes: it is read as it always was."""
    page, ids = make_page({"single_choice": CAPITAL})
    usage_id = ids["single_choice"]
    store = DjangoKeyValueStore(user=learner)

    def key(name):
        return KeyValueStore.Key(scope=Scope.user_state, user_id=learner.pk, block_scope_id=usage_id, field_name=name)

    result = {"score": 1.0, "passed": True, "feedback": ["¡Correcto!"], "items": {"1": {"correct": True}}}
    store.set_many({key("attempts"): 1, key("last_answer"): {"choice": 1}, key("last_result"): result})

    html = section(client.get(page.url).content, usage_id)
    assert options_seen(html)[1] == ("Lima", True, "Correcto")


def test_a_word_list_without_a_blanks_answer_is_refused_naming_it():
    block = FillBlanksBlock()
    value = {
        "prompt": "Completa la idea.",
        "text": "Lo que sale son [[costos|gastos]]; lo que queda es la [[ganancia]].",
        "word_bank": "ingresos\nventas\nganancia",
    }
    with pytest.raises(StructBlockValidationError) as refused:
        block.clean(block.to_python(value))
    message = " ".join(refused.value.block_errors["word_bank"].messages)
    assert "«costos» / «gastos»" in message and "le falta la respuesta de un espacio" in message
    assert "ganancia" not in message.split(":", 1)[1].split(".")[0]  # the blank the list answers is not named

    fine = {**value, "word_bank": "ingresos\nventas\nGanancia\nGASTOS"}  # case and accents do not matter
    assert block.clean(block.to_python(fine))["word_bank"] == fine["word_bank"]
    assert block.clean(block.to_python({**value, "word_bank": ""}))  # typed answers: no list to check


def test_a_rubric_worth_no_points_is_refused():
    block = FreeTextBlock()
    value = {
        **VALUES["free_text"],
        "rubric": [
            {"criterion": "Claridad", "description": "", "levels": [{"label": "En proceso", "points": 0}]},
            {"criterion": "Necesidad", "description": "", "levels": [{"label": "La nombra", "points": 0}]},
        ],
    }
    with pytest.raises(StructBlockValidationError) as refused:
        block.clean(block.to_python(value))
    assert "La rúbrica no da ningún punto" in " ".join(refused.value.block_errors["rubric"].messages)

    value["rubric"][1]["levels"].append({"label": "La explica", "points": 2})
    assert block.clean(block.to_python(value))["rubric"]


def test_a_page_opened_before_the_author_reordered_still_records_the_option_the_learner_saw(client, learner, make_page):
    """The learner opened the lesson (or answered offline); meanwhile the author moved Quito above Lima. The form
    sends Lima's old position: Ruta records Lima, not whatever now stands there; an option since removed asks to
    choose again instead of recording another one."""
    page, ids = make_page({"single_choice": CAPITAL})
    usage_id = ids["single_choice"]
    opened = section(client.get(page.url).content, usage_id)
    shown = re.search(r'name="shown" value="([^"]+)"', opened).group(1)
    lima_then = choice_value(opened, "Lima")

    bogota, lima, quito = CAPITAL["options"]
    republish(page, "single_choice", usage_id, {**CAPITAL, "options": [bogota, quito, lima]})
    post_answer(client, page, usage_id, {"choice": lima_then, "shown": shown})
    stored = Submission.objects.get(user=learner, usage_id=usage_id)
    assert stored.answer["option"] == "Lima" and stored.score == 1.0

    # Lima removed since the page was drawn: nothing is recorded in its place, the learner is asked again.
    republish(page, "single_choice", usage_id, {**CAPITAL, "options": [bogota, quito]})
    response = post_answer(client, page, usage_id, {"choice": lima_then, "shown": shown})
    assert Submission.objects.filter(user=learner, usage_id=usage_id).count() == 1
    assert "Esta pregunta cambió mientras la tenías abierta" in client.get(response.url).content.decode()


def test_a_new_secret_key_does_not_change_what_a_kept_answer_means(client, learner, make_page, settings):
    """An operator who changes DJANGO_SECRET_KEY (keeping the old one as a fallback) must not strand an answer a
    phone kept offline: the page's option keys do not depend on the secret."""
    page, ids = make_page({"single_choice": CAPITAL})
    usage_id = ids["single_choice"]
    opened = section(client.get(page.url).content, usage_id)
    shown = re.search(r'name="shown" value="([^"]+)"', opened).group(1)
    lima_then = choice_value(opened, "Lima")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "una-clave-nueva-" + "x" * 40
    client.force_login(learner)  # the session carries over through the fallback; signing in again is the same
    post_answer(client, page, usage_id, {"choice": lima_then, "shown": shown})
    stored = Submission.objects.get(user=learner, usage_id=usage_id)
    assert stored.answer["option"] == "Lima" and stored.score == 1.0
