"""Ruta's own verdict on an answer («¡Correcto!», «No es la respuesta correcta.»…) is read in the language of
the page the learner looks at, not frozen in the language they answered in; the author's feedback stays as the
author wrote it. Results stored before verdicts were kept untranslated (the text as shown then, in Spanish or
English) still show, in the language of the page."""

import uuid

import pytest
from lxml import html as lxml_html
from xblock.fields import Scope
from xblock.runtime import KeyValueStore

from content.xblocks.kvs import DjangoKeyValueStore
from tests.content.conftest import VALUES
from tests.content.helpers import answers, post_answer, section
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def switch(client, language: str, page) -> None:
    """The header's language switch, as the learner uses it on the lesson."""
    response = client.get(f"/idioma/?language={language}&next={page.url}", HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 302


def feedback(content: bytes | str, usage_id: str) -> list[tuple[str, str | None]]:
    """Each feedback line under the activity's result (not the pass verdict and score): (text, its own ``lang``
    or None when it has none)."""
    tree = lxml_html.fromstring(section(content, usage_id) + "</section>")
    lines = tree.xpath('//*[@data-activity-feedback]//p[not(contains(@class, "activity-verdict"))]')
    return [(" ".join(p.text_content().split()), p.get("lang")) for p in lines]


@pytest.fixture
def peruvian(client):
    learner = UserFactory(first_name="Ñusta", last_name="Quispe Huamán", phone="+51987650002", email="")
    client.force_login(learner)
    return learner


@pytest.fixture
def ecuadorian(client):
    learner = UserFactory(first_name="Mónica", last_name="Chávez Andrade", phone="+593991234567", email="")
    client.force_login(learner)
    return learner


def test_an_answer_given_in_english_reads_in_spanish_once_the_learner_switches(client, peruvian, make_page):
    page, ids = make_page({kind: VALUES[kind] for kind in ("single_choice", "multiple_choice", "fill_blanks")})
    switch(client, "en", page)
    lesson = client.get(page.url).content
    for kind, usage_id in ids.items():
        _right, wrong = answers(kind, section(lesson, usage_id))
        if kind == "multiple_choice":
            wrong = {"choices": ["0"]}  # «Alquiler del local» only: half right, one right option left out
        replied = post_answer(client, page, usage_id, wrong, as_json=True)  # as activities.js sends it
        assert replied.status_code == 200 and replied.json()["ok"]
    english = client.get(page.url).content
    assert feedback(english, ids["single_choice"]) == [("That is not the correct answer.", "en")]

    switch(client, "es", page)
    spanish = client.get(page.url).content
    assert feedback(spanish, ids["single_choice"]) == [("No es la respuesta correcta.", "es")]
    assert feedback(spanish, ids["multiple_choice"]) == [
        ("Tu respuesta es parcialmente correcta.", "es"),
        ("Te faltó marcar alguna opción correcta.", "es"),
    ]
    # Ruta's verdict in Spanish; the author's own line as written (no lang: the course's, from the lesson).
    assert feedback(spanish, ids["fill_blanks"]) == [
        ("Algunos espacios no son correctos.", "es"),
        ("A los ingresos les restas lo que gastas.", None),
    ]
    assert b"That is not the correct answer." not in spanish and b"Some blanks are not correct." not in spanish


def test_an_answer_given_in_spanish_reads_in_english(client, ecuadorian, make_page):
    page, ids = make_page({kind: VALUES[kind] for kind in ("single_choice", "ordering", "free_text")})
    lesson = client.get(page.url).content
    right, _wrong = answers("single_choice", section(lesson, ids["single_choice"]))
    post_answer(client, page, ids["single_choice"], right)
    right, _wrong = answers("ordering", section(lesson, ids["ordering"]))
    post_answer(client, page, ids["ordering"], right)
    post_answer(client, page, ids["free_text"], {"text": "Mi clienta ideal es una vecina de Guayaquil."})
    spanish = client.get(page.url).content
    assert feedback(spanish, ids["single_choice"]) == [("¡Correcto!", "es")]

    switch(client, "en", page)
    replied = post_answer(  # the next answer's JSON reply shows the activity in English too
        client, page, ids["single_choice"], {"choice": "0"}, as_json=True
    )
    assert feedback(replied.json()["html"], ids["single_choice"]) == [("That is not the correct answer.", "en")]
    english = client.get(page.url).content
    assert feedback(english, ids["ordering"]) == [("Correct!", "en"), ("Ese es el orden.", None)]
    assert "¡Correcto!" not in section(english, ids["ordering"])
    assert "Awaiting review." in section(english, ids["free_text"])
    assert "Pendiente de revisión." not in section(english, ids["free_text"])


def store_result(learner, usage_id: str, result: dict, answer: dict) -> None:
    store = DjangoKeyValueStore(user=learner)

    def key(name):
        return KeyValueStore.Key(scope=Scope.user_state, user_id=learner.pk, block_scope_id=usage_id, field_name=name)

    store.set_many({key("attempts"): 1, key("last_answer"): answer, key("last_result"): result})


def test_results_stored_translated_before_still_show_in_the_language_of_the_page(client, peruvian, make_page):
    """Results stored before verdicts were kept untranslated hold the text as shown then: «¡Correcto!» by someone
    answering in Spanish, "That is not the correct answer." in English. Each reads in the page's language; a
    line Ruta does not know is shown as stored."""
    reflection = {**VALUES["self_reflection"], "closing_message": ""}
    page, ids = make_page(
        {"single_choice": VALUES["single_choice"], "matching": VALUES["matching"], "self_reflection": reflection}
    )
    store_result(
        peruvian,
        ids["single_choice"],
        {"score": 0.0, "passed": False, "feedback": ["That is not the correct answer."], "items": {}},
        {"choice": 0, "option": "Comprar mercadería"},
    )
    store_result(
        peruvian,
        ids["matching"],
        {"score": 1.0, "passed": True, "feedback": ["¡Correcto!", "Dominas los términos."], "items": {}},
        {"matches": [0, 1, 2]},
    )
    store_result(
        peruvian,
        ids["self_reflection"],
        {"score": None, "passed": True, "feedback": ["Thank you for sharing your reflection."], "items": {}},
        {"text": "Anotaré mis ventas cada día."},
    )

    spanish = client.get(page.url).content
    assert feedback(spanish, ids["single_choice"]) == [("No es la respuesta correcta.", "es")]
    assert feedback(spanish, ids["matching"]) == [("¡Correcto!", "es"), ("Dominas los términos.", None)]
    assert feedback(spanish, ids["self_reflection"]) == [("Gracias por compartir tu reflexión.", "es")]

    switch(client, "en", page)
    english = client.get(page.url).content
    assert feedback(english, ids["single_choice"]) == [("That is not the correct answer.", "en")]
    assert feedback(english, ids["matching"]) == [("Correct!", "en"), ("Dominas los términos.", None)]
    assert feedback(english, ids["self_reflection"]) == [("Thank you for sharing your reflection.", "en")]

    store_result(
        peruvian,
        ids["single_choice"],
        {"score": 0.0, "passed": False, "feedback": ["Respuesta revisada."], "items": {}},
        {"choice": 0, "option": "Comprar mercadería"},
    )
    assert feedback(client.get(page.url).content, ids["single_choice"]) == [("Respuesta revisada.", "en")]


def test_the_state_handler_gives_the_verdict_in_the_language_of_the_request(client, peruvian, make_page):
    page, ids = make_page({"single_choice": VALUES["single_choice"]})
    usage_id = ids["single_choice"]
    post_answer(client, page, usage_id, {"choice": "0"}, submission_id=str(uuid.uuid4()))
    url = f"/actividades/{page.pk}/{usage_id}/handler/state/"
    assert client.post(url, "{}", content_type="application/json").json()["result"]["feedback"] == [
        "No es la respuesta correcta."
    ]
    switch(client, "en", page)
    assert client.post(url, "{}", content_type="application/json").json()["result"]["feedback"] == [
        "That is not the correct answer."
    ]
