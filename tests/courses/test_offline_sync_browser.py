"""A learner answers two activities without signal; meanwhile the author removes one of them. When the signal
returns the phone sends the answers one at a time in the order given: the remaining activity is graded, the
removed one's answer is kept for the trainer, the learner is told, and nothing stays queued or counts twice."""

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import login, signal
from tests.courses.test_offline_browser import answering_lesson, course  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "JSON.parse(localStorage.getItem('ruta:actividades-pendientes') || '{}')"


def test_answers_sync_in_order_and_one_to_a_removed_activity_is_kept(
    phone_page,
    live_server,
    screenshot,
    course,  # noqa: F811
):
    from content.models import KeptAnswer, Submission
    from courses.models import LessonPage
    from courses.services import enrollment_create
    from tests.courses.factories import single_choice, text_block
    from tests.lms.accounts.factories import UserFactory

    learner = UserFactory(first_name="Nayeli", last_name="Quiñónez Caicedo", phone="+593987650123", email="")
    enrollment_create(user=learner, course=course)
    lesson = LessonPage.objects.get(title="Pon a prueba tu idea")
    kept_block = single_choice("¿Quién compra primero?")
    graded_block = single_choice("¿Qué conviene hacer antes de invertir?")
    lesson.body = [text_block("Responde estas preguntas."), kept_block, graded_block]
    lesson.save_revision().publish()

    page = phone_page
    login(page, live_server, learner)
    page.goto(lesson.url)
    expect(page.locator("section.activity")).to_have_count(2)
    signal(page, up=False)
    for index in (0, 1):  # first the question the author will remove, then the other
        section = page.locator("section.activity").nth(index)
        section.get_by_label("Conversar con clientes").check()
        section.get_by_role("button", name="Enviar respuesta").click()
        expect(section.locator("[data-activity-status]")).to_contain_text("Sin conexión")
    expect(page.locator("#pending-answers")).to_have_text("2 respuestas por enviar")

    # Meanwhile the author removes the first question.
    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.body = [text_block("Responde esta pregunta."), graded_block]
    lesson.save_revision().publish()
    assert not Submission.objects.exists() and not KeptAnswer.objects.exists()

    signal(page, up=True)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    removed, remaining = page.locator("section.activity").nth(0), page.locator("section.activity").nth(1)
    expect(remaining).to_contain_text("¡Aprobaste!", timeout=20_000)
    expect(removed.locator("[data-activity-status]")).to_contain_text("Guardamos tu respuesta")
    screenshot(page, "offline-sync-removed-activity")
    assert page.evaluate(QUEUE) == {}
    [kept] = KeptAnswer.objects.filter(user=learner)
    [graded] = Submission.objects.filter(user=learner)
    assert kept.usage_id == kept_block["id"] and graded.usage_id == graded_block["id"]
    assert kept.received_at <= graded.created_at, "sent in the order they were given"
    page.reload()  # nothing is sent again
    expect(page.locator("h1")).to_have_text("Pon a prueba tu idea")
    page.wait_for_timeout(1_000)
    assert KeptAnswer.objects.count() == 1 and Submission.objects.count() == 1


def test_an_answer_sent_when_the_signal_returns_leaves_the_learner_typing_where_they_are(
    phone_page,
    live_server,
    course,  # noqa: F811
):

    page = phone_page
    learner, lesson = answering_lesson(
        page, live_server, course, first_name="Génesis", last_name="Mendoza Ávila", phone="+51987650456"
    )
    signal(page, up=False)
    first = page.locator("section.activity").nth(0)
    first.get_by_label("Conversar con clientes").check()
    first.get_by_role("button", name="Enviar respuesta").click()
    expect(first.locator("[data-activity-status]")).to_contain_text("Sin conexión")
    blank = page.locator("section.activity").nth(1).locator("input[type=text]").first
    blank.click()
    page.keyboard.type("cos")
    signal(page, up=True)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("section.activity").nth(0)).to_contain_text("¡Aprobaste!", timeout=20_000)
    page.keyboard.type("tos")  # still typing in the blank: nothing was lost to the first activity's result
    expect(blank).to_be_focused()
    expect(blank).to_have_value("costos")
