"""Answers from a phone on a poor connection reach Ruta as the learner gave them.

- On a slow connection a learner sends an answer and, before its reply arrives, corrects it and sends again: both
  reach the server, in order, and the page ends on the corrected answer's verdict (audit 2026-12-07: the reply to
  the first answer deleted the queued correction, which was never sent).
- An operator changes DJANGO_SECRET_KEY (the old one kept in DJANGO_SECRET_KEY_FALLBACKS) while an answer waits on
  the phone without signal: a page drawn under the new key still sends it as hers (operator audit 2026-12-07: the
  learner's tag changed with the key and the answer was stranded)."""

import pytest
from django.core.cache import caches
from playwright.sync_api import expect

from tests.browser_helpers import login, signal
from tests.courses.test_browser import ensure_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quiz():
    """A course with one lesson and one question, and its page."""
    from courses.models import LessonPage
    from tests.courses.factories import (
        CoursePageFactory,
        LessonPageFactory,
        ModulePageFactory,
        ProgrammePageFactory,
        single_choice,
        text_block,
    )

    ensure_site()
    course = CoursePageFactory(parent=ProgrammePageFactory(title="IMESUN"), title="Genere su Idea", code="GIN-LENTO")
    lesson = LessonPageFactory(
        parent=ModulePageFactory(parent=course, title="Tu idea"),
        title="Pon a prueba tu idea",
        completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        body=[text_block("Responde esta pregunta."), single_choice("¿Qué conviene hacer antes de invertir?")],
    )
    return course, lesson


def enrolled(page, live_server, learner, quiz):
    """The learner signs in, enrols through the course page's button and opens the lesson."""
    course, lesson = quiz
    login(page, live_server, learner)
    page.goto(course.url)
    page.get_by_role("button", name="Inscribirme en este curso").click()
    page.goto(lesson.url)


def test_a_correction_sent_while_the_first_answer_is_on_its_way_is_not_lost(phone_page, live_server, screenshot, quiz):
    from content.models import Submission
    from tests.lms.accounts.factories import UserFactory

    learner = UserFactory(first_name="José Ángel", last_name="Ñáñez", phone="+593991234567", email="")
    page = phone_page
    enrolled(page, live_server, learner, quiz)
    section = page.locator("section.activity").first

    # A slow 3G phone: each request takes well over a second to come back.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 1500, "downloadThroughput": 50_000, "uploadThroughput": 50_000},
    )
    section.get_by_label("Comprar mercadería").check()
    section.get_by_role("button", name="Enviar respuesta").click()
    section.get_by_label("Conversar con clientes").check()  # the learner sees her mistake at once
    section.get_by_role("button", name="Enviar respuesta").click()

    expect(page.locator("section.activity").first).to_contain_text("¡Aprobaste!", timeout=30_000)
    page.wait_for_timeout(2000)  # nothing else arrives later to change it
    expect(page.locator("section.activity").first).to_contain_text("¡Aprobaste!")
    screenshot(page, "answer-corrected-in-flight")
    answers = [s.answer for s in Submission.objects.filter(user=learner).order_by("created_at", "pk")]
    assert len(answers) == 2, answers
    assert answers[0] != answers[1]

    # Then the signal goes: a new answer waits on the phone, and the earlier «¡Aprobaste!» no longer shows under
    # it as if it were this answer's verdict.
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})  # fmt: skip
    signal(page, up=False)
    section = page.locator("section.activity").first
    section.get_by_label("Comprar mercadería").check()
    section.get_by_role("button", name="Enviar otra respuesta").click()
    expect(section.locator("[data-activity-status]")).to_contain_text("Sin conexión")
    expect(section).not_to_contain_text("¡Aprobaste!")
    signal(page, up=True)
    expect(page.locator("section.activity").first).to_contain_text("Todavía no apruebas", timeout=20_000)


def test_an_answer_kept_offline_is_sent_after_the_secret_key_changed(phone_page, live_server, settings, quiz):
    from content.models import Submission
    from tests.lms.accounts.factories import UserFactory

    _course, lesson = quiz
    learner = UserFactory(first_name="Ñusta", last_name="Huamán Quispe", phone="+51987650777", email="")
    page = phone_page
    context = page.context
    enrolled(page, live_server, learner, quiz)

    signal(page, up=False)
    section = page.locator("section.activity").first
    section.get_by_label("Conversar con clientes").check()
    section.get_by_role("button", name="Enviar respuesta").click()
    expect(section.locator("[data-activity-status]")).to_contain_text("Sin conexión")

    page.close()  # the learner puts the phone away, still without signal

    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "una-clave-nueva-para-ruta-" + "z" * 40
    caches["default"].clear()  # pages kept for her were drawn with her old tag: as after a cache restart
    signal(page, up=True)
    page = context.new_page()
    page.goto(live_server.url + lesson.url)  # drawn under the new key: a new tag for her, the old one beside it
    attrs = page.evaluate("[document.body.dataset.learner, document.body.dataset.learnerPrevious]")
    assert attrs[0] and attrs[1] and attrs[0] not in attrs[1].split()
    for _ in range(100):
        if Submission.objects.exists():
            break
        page.wait_for_timeout(200)
    assert [s.user_id for s in Submission.objects.all()] == [learner.pk]
    expect(page.locator("section.activity").first).to_contain_text("¡Aprobaste!")
