"""One family phone, two learners. Answers kept offline belong to the learner who gave them: after María José signs
out and José Andrés signs in on the same browser, her answer is never recorded as his, and it is sent for her,
once, when she signs in again. Signing out also removes the courses downloaded on the phone and their workers."""

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import login, signal
from tests.courses.test_offline_browser import course  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE = "JSON.parse(localStorage.getItem('ruta:actividades-pendientes') || '{}')"
OFFLINE_CACHES = "caches.keys().then((k) => k.filter((n) => n.startsWith('ruta-offline-')))"
WORKERS = "navigator.serviceWorker.getRegistrations().then((r) => r.length)"


def sign_out(page):
    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("link", name="Entrar")).to_be_visible()


def test_an_answer_kept_offline_is_sent_only_for_the_learner_who_gave_it(
    phone_page,
    live_server,
    screenshot,
    course,  # noqa: F811
):
    from content.models import Submission
    from courses.models import LessonPage
    from courses.services import enrollment_create
    from lms.accounts.selectors import learner_tag
    from tests.lms.accounts.factories import UserFactory

    maria = UserFactory(first_name="María José", last_name="Peñaloza Quispe", phone="+51987654321", email="")
    jose = UserFactory(first_name="José Andrés", last_name="Guamán Chávez", phone="+593991234567", email="")
    for learner in (maria, jose):
        enrollment_create(user=learner, course=course)
    lesson = LessonPage.objects.get(title="Pon a prueba tu idea")
    page = phone_page
    context = page.context

    # María José answers without signal: the answer waits on the phone.
    login(page, live_server, maria)
    page.goto(lesson.url)
    signal(page, up=False)
    section = page.locator("section.activity").first
    section.get_by_label("Conversar con clientes").check()
    section.get_by_role("button", name="Enviar respuesta").click()
    expect(section.locator("[data-activity-status]")).to_contain_text("Sin conexión")
    expect(page.locator("#pending-answers")).to_have_text("1 respuesta por enviar")
    [kept] = page.evaluate(f"Object.values({QUEUE})")
    assert kept["owner"] == learner_tag(user=maria)
    # She closes the tab and, with signal again, signs out from the home page.
    page.close()
    page = context.new_page()
    page.set_default_timeout(15_000)
    signal(page, up=True)
    page.goto("/")
    sign_out(page)
    assert Submission.objects.count() == 0
    assert len(page.evaluate(f"Object.keys({QUEUE})")) == 1, "signing out keeps the answers not yet sent"

    # José Andrés signs in on the same phone and opens the lesson online: her answer is not his.
    login(page, live_server, jose)
    page.goto(lesson.url)
    expect(page.locator("h1")).to_have_text("Pon a prueba tu idea")
    expect(page.locator("#pending-answers")).to_be_hidden()
    signal(page, up=False)  # the signal comes and goes: still nothing of hers is sent
    signal(page, up=True)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(2_500)  # longer than the first resend delay
    assert not Submission.objects.filter(user=jose).exists()
    assert Submission.objects.count() == 0
    assert page.evaluate(f"Object.keys({QUEUE})") == [kept["sid"]], "her answer stays on the phone"
    expect(page.locator("section.activity").first.locator("input[type=radio]:checked")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "shared-phone-01-another-learner")
    sign_out(page)

    # María José signs in again: her answer is sent, for her, once.
    login(page, live_server, maria)
    page.goto(lesson.url)
    expect(page.locator("#pending-answers")).to_have_text("Tus respuestas se enviaron.", timeout=20_000)
    expect(page.locator("section.activity").first).to_contain_text("¡Aprobaste!")
    screenshot(page, "shared-phone-02-sent-for-her")
    page.reload()
    expect(page.locator("h1")).to_have_text("Pon a prueba tu idea")
    page.wait_for_timeout(1_000)
    assert [(s.user_id, str(s.submission_id)) for s in Submission.objects.all()] == [(maria.pk, kept["sid"])]
    assert page.evaluate("localStorage.getItem('ruta:actividades-pendientes')") == "{}"


def test_an_answer_kept_before_answers_had_an_owner_is_sent_for_the_learner_on_the_page(
    phone_page,
    live_server,
    course,  # noqa: F811
):
    """Answers queued by an older version of activities.js carry no owner: the learner on the page claims them."""
    from content.models import Submission
    from courses.models import LessonPage
    from courses.services import enrollment_create
    from tests.lms.accounts.factories import UserFactory

    dayana = UserFactory(first_name="Dayana", last_name="Pérez Linares", phone="+593991234568", email="")
    enrollment_create(user=dayana, course=course)
    lesson = LessonPage.objects.get(title="Pon a prueba tu idea")
    page = phone_page
    login(page, live_server, dayana)
    page.goto(lesson.url)
    signal(page, up=False)
    section = page.locator("section.activity").first
    section.get_by_label("Conversar con clientes").check()
    section.get_by_role("button", name="Enviar respuesta").click()
    expect(section.locator("[data-activity-status]")).to_contain_text("Sin conexión")
    # As an older phone kept it: no owner.
    page.evaluate(
        "() => { const all = JSON.parse(localStorage.getItem('ruta:actividades-pendientes'));"
        " Object.values(all).forEach((item) => { delete item.owner; });"
        " localStorage.setItem('ruta:actividades-pendientes', JSON.stringify(all)); }"
    )
    page.close()
    page = phone_page.context.new_page()
    signal(page, up=True)
    page.goto(lesson.url)
    expect(page.locator("#pending-answers")).to_have_text("Tus respuestas se enviaron.", timeout=20_000)
    assert list(Submission.objects.values_list("user", flat=True)) == [dayana.pk]


def test_signing_out_removes_the_downloads_and_workers_from_the_phone(
    phone_page,
    live_server,
    screenshot,
    course,  # noqa: F811
):
    from courses.services import enrollment_create
    from lms.accounts.selectors import learner_tag
    from tests.lms.accounts.factories import UserFactory

    maria = UserFactory(first_name="María José", last_name="Peñaloza Quispe", phone="+51987654321", email="")
    jose = UserFactory(first_name="José Andrés", last_name="Guamán Chávez", phone="+593991234567", email="")
    for learner in (maria, jose):
        enrollment_create(user=learner, course=course)
    page = phone_page
    login(page, live_server, maria)
    page.goto(course.url)
    panel = page.locator("#offline-download")
    panel.get_by_role("button", name="Descargar para estudiar sin conexión").click()
    panel.get_by_role("button", name="Descargar (").click()
    expect(panel.locator("[data-offline-status]")).to_contain_text("Listo:", timeout=30_000)
    assert page.evaluate(OFFLINE_CACHES) == [f"ruta-offline-{learner_tag(user=maria)}-{course.pk}"]
    assert page.evaluate(WORKERS) == 1
    page.goto("/aprender/mis-cursos/")
    expect(page.locator("#offline-courses li")).to_have_count(1)

    sign_out(page)
    assert page.evaluate(OFFLINE_CACHES) == []
    assert page.evaluate(WORKERS) == 0
    screenshot(page, "shared-phone-03-signed-out")

    # Offline, the course address no longer opens her pages.
    signal(page, up=False)
    with pytest.raises(Exception):  # noqa: B017 (no worker: the browser has nothing to show)
        page.goto(course.url)
    signal(page, up=True)

    # Her session ends without "Salir" (another learner signs in): her download is not his, and it is removed.
    login(page, live_server, maria)
    page.goto(course.url)
    panel = page.locator("#offline-download")
    panel.get_by_role("button", name="Descargar para estudiar sin conexión").click()
    panel.get_by_role("button", name="Descargar (").click()
    expect(panel.locator("[data-offline-status]")).to_contain_text("Listo:", timeout=30_000)
    page.context.clear_cookies()
    login(page, live_server, jose)
    page.goto("/aprender/mis-cursos/")
    expect(page.locator("h1")).to_be_visible()
    page.wait_for_function(
        "caches.keys().then((k) => !k.some((n) => n.startsWith('ruta-offline-')))", polling=200, timeout=10_000
    )
    page.wait_for_function(WORKERS.replace("r.length", "r.length === 0"), polling=200, timeout=10_000)
    expect(page.locator("#offline-courses")).to_be_hidden()
