"""An operator changes DJANGO_SECRET_KEY (the old one kept in DJANGO_SECRET_KEY_FALLBACKS) while a learner's answer
waits on her phone without signal: when the signal returns, the page (drawn under the new key) still sends it as
hers (operator audit 2026-12-07: the learner's tag changed with the key and the answer was stranded)."""

import pytest
from django.core.cache import caches
from playwright.sync_api import expect

from tests.browser_helpers import login, signal
from tests.courses.test_browser import ensure_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_answer_kept_offline_is_sent_after_the_secret_key_changed(phone_page, live_server, settings):
    from content.models import Submission
    from courses.models import LessonPage
    from tests.courses.factories import (
        CoursePageFactory,
        LessonPageFactory,
        ModulePageFactory,
        ProgrammePageFactory,
        single_choice,
        text_block,
    )
    from tests.lms.accounts.factories import UserFactory

    ensure_site()
    course = CoursePageFactory(parent=ProgrammePageFactory(title="IMESUN"), title="Genere su Idea", code="GIN-CLAVE")
    lesson = LessonPageFactory(
        parent=ModulePageFactory(parent=course, title="Tu idea"),
        title="Pon a prueba tu idea",
        completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        body=[text_block("Responde esta pregunta."), single_choice("¿Qué conviene hacer antes de invertir?")],
    )
    learner = UserFactory(first_name="Ñusta", last_name="Huamán Quispe", phone="+51987650777", email="")
    page = phone_page
    context = page.context
    login(page, live_server, learner)
    page.goto(course.url)
    page.get_by_role("button", name="Inscribirme en este curso").click()
    page.goto(lesson.url)

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
