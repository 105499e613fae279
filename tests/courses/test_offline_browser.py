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
    page.wait_for_function("() => navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
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
    page.wait_for_function("() => navigator.onLine === false")  # the phone knows it has no signal on this page too
    page.get_by_role("link", name="Anterior").click()
    expect(page.locator("h1")).to_have_text("Pon a prueba tu idea")
    page.wait_for_function("() => navigator.onLine === false")
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
    for _ in range(150):  # told a moment after the page is up; up to 30 s on a busy machine
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


# --- Pausing, resuming, continuing after the page was closed, updating only what changed.

KEPT = """(name) => caches.open(name).then((cache) => cache.keys().then((keys) => Promise.all(keys.map((key) =>
  cache.match(key).then((r) => [new URL(key.url).pathname + new URL(key.url).search, r.headers.get('X-Ruta-Version')])
)))).then(Object.fromEntries)"""


class HeldDownloads:
    """Holds the download's requests (``X-Ruta-Download``) until released: the learner's taps land mid-download."""

    def __init__(self):
        self.holding = True
        self.held: list = []

    def __call__(self, route):
        if self.holding and route.request.headers.get("x-ruta-download"):
            self.held.append(route)
        else:
            route.fallback()

    def wait(self, page, count: int = 1) -> None:
        for _ in range(200):
            if len(self.held) >= count:
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"{len(self.held)} requests held")

    def release(self, hold: bool = False) -> None:
        self.holding = hold
        while self.held:
            self.held.pop(0).continue_()


def downloads(page) -> list[str]:
    """The paths the page's download fetches, in order (``page.on("request")``)."""
    fetched: list[str] = []

    def record(request):
        if request.headers.get("x-ruta-download"):
            url = request.url.split("//", 1)[1]
            fetched.append(url[url.index("/") :])

    page.on("request", record)
    return fetched


def enrolled_learner(course, **names):
    from courses.services import enrollment_create
    from tests.lms.accounts.factories import UserFactory

    learner = UserFactory(email="", **names)
    enrollment_create(user=learner, course=course)
    return learner


def answering_lesson(page, live_server, course, *, reflect: bool = False, **names):
    """An enrolled learner (no e-mail) signed in on «Pon a prueba tu idea», published with a single-choice and a
    fill-in activity (and a reflection with ``reflect``): (learner, lesson)."""
    from courses.models import LessonPage
    from tests.courses.factories import fill_blanks, reflection, single_choice, text_block

    learner = enrolled_learner(course, **names)
    lesson = LessonPage.objects.get(title="Pon a prueba tu idea")
    lesson.body = [
        text_block("Responde estas preguntas."),
        single_choice("¿Qué conviene hacer antes de invertir?"),
        fill_blanks("Ganancia = ingresos menos [[costos|gastos]]."),
        *([reflection("¿Qué harás mañana?")] if reflect else []),
    ]
    lesson.save_revision().publish()
    login(page, live_server, learner)
    page.goto(lesson.url)
    return learner, lesson


def test_a_download_pauses_resumes_and_fetches_each_file_once(phone_page, live_server, screenshot, axe_check, course):
    from courses.selectors import offline_bundle_for_learner
    from lms.accounts.selectors import learner_tag

    learner = enrolled_learner(course, first_name="Luz Ángela", last_name="Ñahui Ccori", phone="+51912345678")
    page = phone_page
    login(page, live_server, learner)
    held = HeldDownloads()
    page.context.route("**/*", held)
    page.goto(course.url)
    fetched = downloads(page)
    panel = page.locator("#offline-download")
    status = panel.locator("[data-offline-status]")
    panel.get_by_role("button", name="Descargar para estudiar sin conexión").click()
    panel.get_by_role("button", name="Descargar (").click()
    held.wait(page)
    panel.get_by_role("button", name="Pausar").click()
    held.release(hold=True)  # the files already on their way arrive; nothing new is asked for
    expect(status).to_contain_text("Descarga en pausa:")
    page.wait_for_timeout(500)
    assert held.held == []
    done, total = map(int, re.search(r"(\d+) de (\d+) archivos", status.inner_text()).groups())
    progress = panel.locator("progress")
    assert 0 < done < total and int(progress.get_attribute("value") or 0) == done
    assert int(progress.get_attribute("max")) == total
    expect(panel.get_by_role("button", name="Reanudar")).to_be_focused()
    assert len(fetched) == done
    axe_check(page)
    screenshot(page, "offline-06-paused")

    panel.get_by_role("button", name="Reanudar").click()
    held.release()
    expect(status).to_contain_text("Listo:", timeout=30_000)
    expect(panel.get_by_role("button", name="Pausar")).to_be_hidden()
    # Every file of the bundle was fetched exactly once, and is kept in its version.
    bundle = offline_bundle_for_learner(course=course, user=learner)
    kept = page.evaluate(KEPT, f"ruta-offline-{learner_tag(user=learner)}-{course.pk}")
    assert len(fetched) == len(set(fetched)) == total
    for item in bundle.items:
        assert fetched.count(item.url) == 1, item.url
        assert kept[item.url] == item.v, item.url


def test_a_download_interrupted_by_closing_the_page_continues_with_what_is_missing(
    phone_page, live_server, screenshot, course
):
    from lms.accounts.selectors import learner_tag

    learner = enrolled_learner(course, first_name="Jhonny", last_name="Cedeño Zambrano", phone="+593991234567")
    page = phone_page
    context = page.context
    login(page, live_server, learner)
    held = HeldDownloads()
    context.route("**/*", held)
    page.goto(course.url)
    panel = page.locator("#offline-download")
    panel.get_by_role("button", name="Descargar para estudiar sin conexión").click()
    panel.get_by_role("button", name="Descargar (").click()
    held.wait(page)
    panel.get_by_role("button", name="Pausar").click()
    held.release(hold=True)
    expect(panel.locator("[data-offline-status]")).to_contain_text("Descarga en pausa:")
    page.wait_for_timeout(500)
    cache = f"ruta-offline-{learner_tag(user=learner)}-{course.pk}"
    before = page.evaluate(KEPT, cache)
    page.close()  # the learner closes the tab in the middle of the download
    held.release()

    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/aprender/mis-cursos/")
    expect(page.locator("#offline-courses li")).to_contain_text("descarga incompleta")
    page.goto(course.url)
    panel = page.locator("#offline-download")
    status = panel.locator("[data-offline-status]")
    expect(status).to_contain_text("La descarga quedó incompleta:")
    done, total = map(int, re.search(r"(\d+) de (\d+) archivos", status.inner_text()).groups())
    meta = [path for path in before if path.endswith("descarga.json")]
    assert done == len(before) - len(meta) and done < total
    fetched = downloads(page)
    screenshot(page, "offline-07-incomplete")
    panel.get_by_role("button", name=re.compile(r"^Continuar la descarga \(")).click()
    expect(status).to_contain_text("Listo:", timeout=30_000)
    after = page.evaluate(KEPT, cache)
    assert sorted(fetched) == sorted(set(after) - set(before)), "only what was missing"
    assert len(fetched) == total - done
    page.goto("/aprender/mis-cursos/")
    expect(page.locator("#offline-courses li")).to_contain_text("Genere su Idea de Negocio")
    expect(page.locator("#offline-courses li")).not_to_contain_text("incompleta")


def test_an_update_fetches_only_the_changed_lesson_and_the_outline(phone_page, live_server, screenshot, course):
    from courses.models import LessonPage
    from tests.courses.factories import text_block

    learner = enrolled_learner(course, first_name="Rosa Elena", last_name="Quispe Mamani", phone="+51987654321")
    page = phone_page
    login(page, live_server, learner)
    page.goto(course.url)
    panel = page.locator("#offline-download")
    status = panel.locator("[data-offline-status]")
    panel.get_by_role("button", name="Descargar para estudiar sin conexión").click()
    start = panel.get_by_role("button", name="Descargar (")
    full = start.inner_text()
    start.click()
    expect(status).to_contain_text("Listo:", timeout=30_000)

    lesson = LessonPage.objects.get(title="Tus primeros clientes")
    lesson.body = [text_block("Anota quién te compró y qué te pidió: así vuelven.")]
    lesson.save_revision().publish()
    page.reload()
    expect(status).to_contain_text("El curso cambió desde tu descarga")
    update = panel.get_by_role("button", name=re.compile(r"^Actualizar \(\d+ KB\)$"))
    expect(update).to_be_visible()
    size = int(re.search(r"(\d+) KB", update.inner_text()).group(1))
    assert size < int(re.search(r"(\d+) KB", full).group(1)) / 2, (update.inner_text(), full)
    screenshot(page, "offline-08-update")
    fetched = downloads(page)
    update.click()
    expect(status).to_contain_text("Listo:", timeout=30_000)
    assert sorted(fetched) == sorted([course.url, lesson.url]), fetched  # no image, no static file again
    page.reload()
    expect(status).to_contain_text("Descargado en este teléfono")
    expect(panel.get_by_role("button", name=re.compile("^Actualizar"))).to_be_hidden()

    signal(page, up=False)
    page.goto(lesson.url)
    expect(page.locator("h1")).to_have_text("Tus primeros clientes")
    expect(page.get_by_text("Anota quién te compró y qué te pidió")).to_be_visible()
    signal(page, up=True)


def test_an_update_removes_from_the_phone_what_left_the_course(phone_page, live_server, course):
    from courses.models import LessonPage
    from lms.accounts.selectors import learner_tag
    from tests.courses.factories import text_block

    learner = enrolled_learner(course, first_name="Dayana", last_name="Pérez Linares", phone="+593987654321")
    page = phone_page
    login(page, live_server, learner)
    page.goto(course.url)
    panel = page.locator("#offline-download")
    status = panel.locator("[data-offline-status]")
    panel.get_by_role("button", name="Descargar para estudiar sin conexión").click()
    panel.get_by_role("button", name="Descargar (").click()
    expect(status).to_contain_text("Listo:", timeout=30_000)
    cache = f"ruta-offline-{learner_tag(user=learner)}-{course.pk}"
    before = page.evaluate(KEPT, cache)
    [image] = [path for path in before if path.endswith(".webp")]
    first = LessonPage.objects.get(title="¿De dónde salen las ideas?")
    first.body = [text_block("Una buena idea de negocio responde a una necesidad real de tu comunidad.")]
    first.save_revision().publish()  # the image left the lesson
    gone = LessonPage.objects.get(title="Pon a prueba tu idea")
    gone.unpublish()

    page.reload()
    panel.get_by_role("button", name=re.compile(r"^Actualizar \(")).click()
    expect(status).to_contain_text("Listo:", timeout=30_000)
    after = page.evaluate(KEPT, cache)
    assert image not in after and gone.url not in after
    assert set(before) - set(after) == {image, gone.url}
    assert [path for path in after if path.endswith("descarga.json")], "the download's record stays"
    signal(page, up=False)
    page.goto(course.url)
    expect(page.locator("h1")).to_have_text("Genere su Idea de Negocio")
    signal(page, up=True)
