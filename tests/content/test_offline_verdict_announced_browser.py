"""WCAG 4.1.3 (status messages): a learner answers two activities without signal and moves on to write a
reflection. When the signal returns the answers are sent and graded; focus stays in what she is writing, and the
page's polite live region says each verdict («Actividad 1: Todavía no apruebas…», «Actividad 2: ¡Aprobaste!…»),
not only that the answers were sent."""

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import signal
from tests.courses.test_offline_browser import answering_lesson, course  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_verdicts_of_answers_sent_when_the_signal_returns_are_announced_without_moving_focus(
    phone_page,
    live_server,
    screenshot,
    course,  # noqa: F811
):
    from content.models import Submission

    page = phone_page
    learner, lesson = answering_lesson(
        page, live_server, course, reflect=True, first_name="Maité", last_name="Cedeño Ordóñez", phone="+593987650789"
    )
    region = page.locator("#answer-results")
    expect(region).to_have_attribute("role", "status")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_have_text("")
    signal(page, up=False)
    first, second, third = (page.locator("section.activity").nth(i) for i in range(3))
    first.get_by_label("Comprar mercadería").check()  # wrong
    first.get_by_role("button", name="Enviar respuesta").click()
    expect(first.locator("[data-activity-status]")).to_contain_text("Sin conexión")
    second.locator("input[type=text]").first.fill("costos")  # right
    second.get_by_role("button", name="Enviar respuesta").click()
    expect(second.locator("[data-activity-status]")).to_contain_text("Sin conexión")
    expect(page.locator("#pending-answers")).to_have_text("2 respuestas por enviar")
    notes = third.locator("textarea")
    notes.click()
    page.keyboard.type("Mañana anoto ")

    signal(page, up=True)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#pending-answers")).to_have_text("Tus respuestas se enviaron.", timeout=20_000)
    expect(region).to_contain_text("Actividad 1: Todavía no apruebas. Tu nota: 0 %", timeout=20_000)
    expect(region).to_contain_text("Actividad 2: ¡Aprobaste! Tu nota: 100 %")
    expect(region).to_be_visible()
    # Each activity's own line says its answer arrived (it was blank after the swap), and focus never moved.
    expect(first.locator("[data-activity-status]")).to_have_text("Respuesta enviada.")
    expect(second.locator("[data-activity-status]")).to_have_text("Respuesta enviada.")
    page.keyboard.type("mis ventas")
    expect(notes).to_be_focused()
    expect(notes).to_have_value("Mañana anoto mis ventas")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "offline-verdicts-announced")
    assert Submission.objects.filter(user=learner).count() == 2
