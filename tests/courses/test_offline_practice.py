"""Practice activities may correct themselves offline, where the author allows it: only they carry their answer
key in the page; graded activities (anything that counts for a score or certificate) never do."""

import html
import json
import re

import pytest
from wagtail.blocks import StructBlockValidationError

from content.blocks import SingleChoiceBlock, TrueFalseBlock
from courses.services import enrollment_create
from tests.courses.factories import build_course, single_choice, text_block
from tests.courses.test_offline import lessons_of, publish
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def practice(prompt, *, weight="0", allow=True):
    block = single_choice(prompt)
    block["value"].update(weight=weight, offline_feedback=allow)
    block["value"]["options"][1]["value"]["feedback"] = "Primero conversa con tus clientes."
    return block


def offline_keys(page_html: str) -> list[dict]:
    return [json.loads(html.unescape(raw)) for raw in re.findall(r'data-offline-key="([^"]+)"', page_html)]


def test_only_practice_activities_that_allow_it_carry_their_key(client):
    course = build_course(modules=1, lessons_per_module=1)
    lesson = lessons_of(course)[0]
    graded_but_flagged = practice("¿Cuánto cobras?", weight="1")  # saved around the editor's check: still refused
    publish(
        lesson,
        [text_block("Practica."), practice("¿Con quién conversas?"), single_choice(), graded_but_flagged,
         practice("¿Y ahora?", allow=False)],
    )  # fmt: skip
    learner = UserFactory(first_name="Ñusta", last_name="Huamán Quispe", phone="+51987654000", email="")
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    page = client.get(lesson.url).content.decode()
    assert offline_keys(page) == [
        {"field": "choice", "right": ["0"], "feedback": {"0": "", "1": "Primero conversa con tus clientes."}}
    ]
    assert page.count("data-activity-form") == 4


def test_the_editor_refuses_offline_correction_on_a_graded_activity():
    value = {**single_choice()["value"], "weight": "1", "offline_feedback": True}
    with pytest.raises(StructBlockValidationError):
        SingleChoiceBlock().clean(SingleChoiceBlock().to_python(value))
    fine = {**value, "weight": "0"}
    assert SingleChoiceBlock().clean(SingleChoiceBlock().to_python(fine))["offline_feedback"] is True
    true_false = {"prompt": "¿Separas el dinero?", "correct_answer": "true", "weight": "2", "offline_feedback": True}
    with pytest.raises(StructBlockValidationError):
        TrueFalseBlock().clean(TrueFalseBlock().to_python(true_false))
