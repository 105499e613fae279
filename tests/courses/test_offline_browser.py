"""A learner on a phone downloads a course, loses the signal, reads the outline and a second lesson, answers an
activity that waits on the phone ("1 respuesta por enviar"), and when the signal returns it is sent once."""

import re

import pytest
from playwright.sync_api import expect
from wagtail_factories import ImageFactory

from tests.browser_helpers import login, signal
from tests.courses.test_browser import ensure_site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def course():
    ensure_site()
    from courses.models import LessonPage
    from tests.courses.factories import (
        CoursePageFactory,
        LessonPageFactory,
        ModulePageFactory,
        ProgrammePageFactory,
        single_choice,
        text_block,
    )

    course = CoursePageFactory(
        parent=ProgrammePageFactory(title="IMESUN"), title="Genere su Idea de Negocio", code="IMESUN-GIN"
    )
    module = ModulePageFactory(parent=course, title="Tu idea de negocio")
    LessonPageFactory(
        parent=module,
        title="¿De dónde salen las ideas?",
        body=[
            text_block("Una buena idea de negocio responde a una necesidad real de tu comunidad."),
            {"type": "image", "value": {"image": ImageFactory(title="Mercado").pk, "alt": "Un mercado", "caption": ""}},
        ],
    )
    LessonPageFactory(
        parent=module,
        title="Pon a prueba tu idea",
        completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        body=[text_block("Responde esta pregunta."), single_choice("¿Qué conviene hacer antes de invertir?")],
    )
    LessonPageFactory(
        parent=module,
        title="Tus primeros clientes",
        body=[text_block("Empieza por tu familia, tus vecinas y tus vecinos.")],
    )
    return course


def test_downloaded_course_works_offline_and_the_answer_arrives_once(
    phone_page, live_server, screenshot, axe_check, course
):
    from content.models import Submission
    from courses.models import Enrollment, LessonPage, LessonProgress
    from tests.lms.accounts.factories import UserFactory

    learner = UserFactory(first_name="María José", last_name="Peñaloza Quispe", phone="+51987654321", email="")
    page = phone_page
    context = page.context
    workers = []
    context.on("request", lambda request: workers.append(request.url) if "sw.js" in request.url else None)
    login(page, live_server, learner)
    page.goto(course.url)
    page.get_by_role("button", name="Inscribirme en este curso").click()
    expect(page.locator("h1")).to_have_text("¿De dónde salen las ideas?")

    # Enrolled, on the course page: the control is offered, and nothing is registered until the learner asks.
    page.goto(course.url)
    panel = page.locator("#offline-download")
    expect(panel).to_be_visible()
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then((r) => r.length)") == 0
    assert workers == []
    panel.get_by_role("button", name="Descargar para estudiar sin conexión").click()
    expect(panel.get_by_text("Lecciones, actividades e imágenes livianas:")).to_be_visible()
    start = panel.get_by_role("button", name="Descargar (")
    expect(start).to_contain_text("KB")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    screenshot(page, "offline-01-size-before-download")
    start.click()
    expect(panel.locator("[data-offline-status]")).to_contain_text("Listo:", timeout=30_000)
    expect(panel.locator("[data-offline-status]")).to_contain_text("guardados en este teléfono")
    assert workers, "the worker is registered once the learner asks"
    page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
    screenshot(page, "offline-02-downloaded")

    # No signal: the outline and a second lesson open from the phone; the answer waits there.
    signal(page, up=False)
    page.close()  # the learner closes the browser tab and comes back later, still without signal
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(course.url)
    expect(page.locator("h1")).to_have_text("Genere su Idea de Negocio")
    assert page.evaluate("navigator.serviceWorker.controller !== null"), "served by the course's worker"
    page.get_by_role("link", name="Pon a prueba tu idea").click()
    expect(page.locator("h1")).to_have_text("Pon a prueba tu idea")
    section = page.locator("section.activity").first
    section.get_by_label("Comprar mercadería").check()  # a wrong answer first... then the right one
    section.get_by_label("Conversar con clientes").check()
    section.get_by_role("button", name="Enviar respuesta").click()
    expect(section.locator("[data-activity-status]")).to_contain_text("Sin conexión")
    pending = page.locator("#pending-answers")
    expect(pending).to_have_text("1 respuesta por enviar")
    assert Submission.objects.count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "offline-03-answer-waiting")
    # On to the next lesson and back, still offline: the answer is still waiting.
    page.get_by_role("link", name="Siguiente").click()
    expect(page.locator("h1")).to_have_text("Tus primeros clientes")
    page.get_by_role("link", name="Anterior").click()
    expect(page.locator("h1")).to_have_text("Pon a prueba tu idea")
    expect(pending).to_have_text("1 respuesta por enviar")
    assert Submission.objects.count() == 0

    # The signal returns: the answer is sent once and the lesson's progress is recorded on the server.
    signal(page, up=True)
    expect(pending).to_have_text("Tus respuestas se enviaron.", timeout=20_000)
    expect(page.locator("section.activity").first).to_contain_text("¡Aprobaste!")
    screenshot(page, "offline-04-sent")
    assert Submission.objects.count() == 1
    lesson = LessonPage.objects.get(title="Pon a prueba tu idea")
    enrollment = Enrollment.objects.get(user=learner, course=course)
    progress = LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)
    assert progress.status == LessonProgress.Status.COMPLETED
    # The lesson read offline ("viewed" rule) is told to the server on the next page opened online.
    read_offline = LessonPage.objects.get(title="Tus primeros clientes")
    assert not LessonProgress.objects.filter(enrollment=enrollment, lesson=read_offline).exists()
    page.goto(course.url)
    for _ in range(50):
        if LessonProgress.objects.filter(enrollment=enrollment, lesson=read_offline).exists():
            break
        page.wait_for_timeout(200)
    assert (
        LessonProgress.objects.get(enrollment=enrollment, lesson=read_offline).status == LessonProgress.Status.COMPLETED
    )
    enrollment.refresh_from_db()
    assert enrollment.progress == 100 and enrollment.completed_at is not None
    assert Submission.objects.count() == 1
    # Her trainers see that she studies offline and when that reached Ruta (the worker's report of the reading).
    assert enrollment.offline_downloaded_at is not None and enrollment.offline_synced_at is not None

    # "Mis cursos" lists what is on the phone; the download can be removed.
    page.goto("/aprender/mis-cursos/")
    phone = page.locator("#offline-courses")
    expect(phone.locator("li")).to_have_count(1)
    expect(phone.locator("li")).to_contain_text("Genere su Idea de Negocio")
    expect(phone).to_contain_text("KB")
    axe_check(page)
    screenshot(page, "offline-05-my-courses")
    # An author publishes a change: the course page says the download is out of date.
    first = LessonPage.objects.get(title="¿De dónde salen las ideas?")
    first.title = "¿De dónde salen las buenas ideas?"
    first.save_revision().publish()
    page.goto(course.url)
    panel = page.locator("#offline-download")
    expect(panel.locator("[data-offline-status]")).to_contain_text("El curso cambió desde tu descarga")
    panel.get_by_role("button", name="Quitar la descarga de este teléfono").click()
    expect(panel.locator("[data-offline-status]")).to_have_text("Quitamos la descarga de este teléfono.")
    assert page.evaluate("caches.keys().then((k) => k.filter((n) => n.startsWith('ruta-offline-')).length)") == 0


def test_a_module_download_keeps_only_that_module(phone_page, live_server, course):
    from courses.models import LessonPage, ModulePage
    from courses.services import enrollment_create
    from lms.accounts.selectors import learner_tag
    from tests.courses.factories import LessonPageFactory, ModulePageFactory
    from tests.lms.accounts.factories import UserFactory

    second = ModulePageFactory(parent=course, title="Tus clientes")
    LessonPageFactory(parent=second, title="¿Quién compra?")
    learner = UserFactory(first_name="Dayana", last_name="Pérez Linares", phone="+593991234567", email="")
    enrollment_create(user=learner, course=course)
    page = phone_page
    login(page, live_server, learner)
    page.goto(course.url)
    page.get_by_role("button", name=re.compile(r"^Descargar este módulo\W+Tus clientes$")).click()
    panel = page.locator("#offline-download")
    expect(panel).to_contain_text("Módulo: Tus clientes")
    panel.get_by_role("button", name="Descargar (").click()
    expect(panel.locator("[data-offline-status]")).to_contain_text("Listo:", timeout=30_000)
    kept = page.evaluate(
        "(name) => caches.open(name).then((c) => c.keys()).then((k) => k.map((r) => new URL(r.url).pathname))",
        f"ruta-offline-{learner_tag(user=learner)}-{course.pk}",
    )
    assert LessonPage.objects.get(title="¿Quién compra?").url in kept
    assert course.url in kept
    module = ModulePage.objects.get(title="Tu idea de negocio")
    assert not [path for path in kept if path.startswith(module.url)]

    # Offline, the downloaded module opens; a lesson of the other module says it is not on the phone.
    signal(page, up=False)
    page.goto(LessonPage.objects.get(title="¿Quién compra?").url)
    expect(page.locator("h1")).to_have_text("¿Quién compra?")
    page.goto(LessonPage.objects.get(title="Pon a prueba tu idea").url)
    expect(page.locator("h1")).to_have_text("Sin conexión")
    expect(page.get_by_text("Esta página no está descargada en tu teléfono.")).to_be_visible()
    page.get_by_role("link", name="Volver al curso").click()
    expect(page.locator("h1")).to_have_text("Genere su Idea de Negocio")
    signal(page, up=True)
