"""Fill in the blanks with a word bank: the learner chooses among the given words (H5P "drag the words")."""

from __future__ import annotations

import re

import pytest

from content.models import Submission
from content.packages.h5p import convert_h5p
from content.packages.outline import FillBlanksActivity
from content.packages.report import Findings
from tests.content.helpers import post_answer, section

pytestmark = pytest.mark.django_db

BANK = {
    "prompt": "Completa con las palabras de la lista.",
    "max_attempts": 0,
    "pass_mark": 100,
    "weight": "1",
    "text": "La ganancia es lo que queda de las [[ventas]] después de pagar los [[costos]].",
    "word_bank": "ventas\ncostos\nahorros",
    "feedback_correct": "",
    "feedback_incorrect": "",
}


def test_each_blank_is_a_list_of_the_given_words_that_works_without_javascript(client, user, make_page):
    page, ids = make_page({"fill_blanks": BANK})
    client.force_login(user)
    html = section(client.get(page.url).content, ids["fill_blanks"])
    assert 'type="text"' not in html  # nothing to guess and type
    selects = re.findall(r'<select name="blank" id="[^"]+">(.*?)</select>', html)
    assert len(selects) == 2
    # every blank offers the same words, alphabetically, so the order says nothing about the answer
    assert re.findall(r"<option>([^<]+)</option>", selects[0]) == ["ahorros", "costos", "ventas"]
    assert all(
        f'<label class="visually-hidden" for="{i}"' in html
        for i in re.findall(r'<select name="blank" id="([^"]+)"', html)
    )

    response = post_answer(client, page, ids["fill_blanks"], {"blank": ["ventas", "costos"]})
    assert response.status_code == 302
    submission = Submission.objects.get(user=user, usage_id=ids["fill_blanks"])
    assert (submission.score, submission.passed) == (1.0, True)
    again = section(client.get(page.url).content, ids["fill_blanks"])
    assert "<option selected>ventas</option>" in again  # the learner sees what they chose


def test_a_word_that_is_not_in_the_list_is_refused_without_using_an_attempt(client, user, make_page):
    page, ids = make_page({"fill_blanks": {**BANK, "max_attempts": 1}})
    client.force_login(user)
    response = post_answer(client, page, ids["fill_blanks"], {"blank": ["dinero", "costos"]}, as_json=True)
    assert response.status_code == 400
    assert "Elige cada palabra de la lista." in response.content.decode()
    assert not Submission.objects.filter(user=user).exists()


DRAG_TEXT = {
    "taskDescription": "Arrastra las palabras a su lugar.",
    "textField": "Separa el dinero del *negocio* y el de la *casa*.",
    "distractors": "*banco* *tarjeta*",
}


def test_h5p_drag_the_words_keeps_its_words_and_distractors():
    (activity,), complete = convert_h5p("H5P.DragText", DRAG_TEXT, Findings())
    assert complete
    assert isinstance(activity, FillBlanksActivity) and activity.drag_words
    assert activity.word_bank == ["negocio", "casa", "banco", "tarjeta"]
    assert [b.answers for b in activity.blanks] == [["negocio"], ["casa"]]


def test_h5p_mark_the_words_with_a_long_text_plays_in_the_h5p_player_rather_than_vanishing():
    long_text = " ".join(f"palabra{n}" for n in range(30)) + " *ganancia* y *ahorro*."
    findings = Findings()
    blocks, complete = convert_h5p("H5P.MarkTheWords", {"taskDescription": "Marca", "textField": long_text}, findings)
    assert (blocks, complete) == ([], False)  # not converted: the package's own player shows it
    assert any(f.code == "h5p_player" for f in findings.items)
    short, complete = convert_h5p(
        "H5P.MarkTheWords", {"taskDescription": "Marca", "textField": "El *ahorro* crece con *constancia*."}, Findings()
    )
    assert complete and short
