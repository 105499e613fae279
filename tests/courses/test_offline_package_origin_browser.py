"""Issue #14, last gap: with packages on their own origin (RUTA_PACKAGE_ORIGIN), a SCORM package the learner downloaded
with her course plays on the phone without signal, through its own buttons, and her score reaches Ruta once when the
signal returns. For SCORM, Ruta is http://127.0.0.1:<port> and the package origin http://localhost:<port> (the same
live server: two secure contexts of different sites). For H5P, as README recommends for production, the package host
is another host of Ruta's site (http://ruta.sitio.localhost and http://paquetes.sitio.localhost): frames of the
same site keep their storage even in a browser that blocks third-party storage, as Debian's Chromium does."""

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import download_course, later_without_signal, signal, wait_until
from tests.content.packages.test_scorm_journeys import content_heading, golf_lesson, take_the_test
from tests.corpus import corpus
from tests.courses.test_offline_package_browser import (
    answer_false_then_sent,
    expect_scorm_score_sent,
    true_false_h5p_lesson,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), corpus]

WAITING = "Tu avance en este contenido está guardado en el teléfono y se enviará al conectarte."
OFFLINE = "Sin conexión: este contenido interactivo se abrirá cuando vuelva la señal."


@pytest.fixture
def third_party_phone(browser, live_server):
    """A 360×740 phone whose browser keeps third-party storage (partitioned by top-level site), as Chrome does by
    default. Debian's Chromium 156 blocks third-party cookies, and with them every storage of a cross-site frame,
    by default: see ``test_a_same_site_package_origin_plays_offline_in_a_default_browser`` for that case."""
    from tests.conftest import _watch_csp, new_phone_page

    other = browser.browser_type.launch(
        executable_path=shutil.which("chromium") or shutil.which("chromium-browser"),
        args=["--no-sandbox", "--disable-gpu", "--disable-features=ThirdPartyCookieDeprecation,TrackingProtection3pcd"],
    )
    new_context = other.new_context
    other.new_context = lambda *args, **kwargs: _watch_csp(new_context(*args, **kwargs))
    yield new_phone_page(other)
    other.close()


@pytest.fixture
def origins(settings, live_server):
    """(Ruta's origin, the package origin) on the live server, with the package origin switched on."""
    port = live_server.url.rsplit(":", 1)[1]
    ruta, packages = f"http://127.0.0.1:{port}", f"http://localhost:{port}"
    settings.RUTA_BASE_URL = ruta
    settings.RUTA_PACKAGE_ORIGIN = packages
    return ruta, packages


def size_in_bytes(text: str) -> float:
    """The first size a message shows («687 KB», «1,2 MB»), in bytes (rounded as shown)."""
    found = re.search(r"([\d.,]+) (KB|MB)", text)
    assert found, text
    if found.group(2) == "KB":
        return float(found.group(1).replace(".", "").replace(",", "")) * 1024
    return float(found.group(1).replace(",", ".")) * 1024 * 1024


def offer_download(page, url: str):
    """Open «Descargar para estudiar sin conexión» on ``url``: (the panel, its «Descargar (size)» button, sized)."""
    page.goto(url)
    panel = page.locator("#offline-download")
    panel.get_by_role("button", name="Descargar para estudiar sin conexión").click()
    start = panel.get_by_role("button", name="Descargar (")
    expect(start).to_have_text(re.compile(r"\d (KB|MB)\)"))
    return panel, start


def sign_in(page, ruta: str, user) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": ruta}])


def test_a_downloaded_scorm_package_plays_offline_and_its_score_arrives_once(
    third_party_phone, origins, screenshot, axe_check
):
    from content.packages.models import ScormAttempt
    from courses.services import enrollment_create
    from tests.lms.accounts.factories import UserFactory

    ruta, packages = origins
    course, lesson, package, block_id = golf_lesson("scorm12")
    learner = UserFactory(first_name="Killa Rosa", last_name="Mamani Quispe", phone="+51934567890", email="")
    enrollment = enrollment_create(user=learner, course=course)
    page = third_party_phone
    sign_in(page, ruta, learner)

    # The download's size counts the package's files; its progress goes through them.
    panel, start = offer_download(page, ruta + course.url)
    assert size_in_bytes(start.inner_text()) >= package.total_size
    start.click()
    status = panel.locator("[data-offline-status]")
    expect(status).to_contain_text("Listo:", timeout=120_000)
    assert int(panel.locator("progress").get_attribute("max")) > package.file_count
    assert size_in_bytes(status.inner_text()) >= package.total_size
    screenshot(page, "package-origin-01-downloaded")

    # No signal, a new tab: the downloaded lesson opens and its package plays from the phone.
    page = later_without_signal(page, timeout=30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(ruta + lesson.url)
    wait_until(page, "navigator.onLine === false")
    expect(page.locator("h1")).to_have_text(lesson.title)
    frame = page.locator("iframe.package-activity__frame")
    sandbox = frame.get_attribute("sandbox")
    assert "allow-same-origin" in sandbox and frame.get_attribute("data-src").startswith(packages + "/paquetes/")
    player = page.frame_locator("iframe.package-activity__frame")
    next_button = player.get_by_role("button", name="Next ->")
    next_button.wait_for(timeout=60_000)
    notice = page.locator("[data-package-notice]")
    expect(notice).not_to_have_text(OFFLINE)
    first = content_heading(page).inner_text()
    assert first.strip()
    # The package runs on the package origin, never Ruta's: the lesson page cannot reach into it.
    reachable = "() => { try { return !!document.querySelector('iframe.package-activity__frame').contentDocument; }"
    assert page.evaluate(reachable + " catch (e) { return false; } }") is False
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    screenshot(page, "package-origin-02-plays-offline")

    for _ in range(14):
        next_button.click()
        page.wait_for_timeout(250)
    assert content_heading(page).inner_text() != first
    test = player.frame_locator("#contentFrame")
    test.get_by_role("button", name="Submit Answers").wait_for()
    take_the_test(test, wrong=1)
    score = int(test.locator("h3", has_text="Score:").inner_text().split(":")[1])
    assert 80 <= score < 100
    expect(notice).to_have_text(WAITING, timeout=30_000)
    # The SCO's result (debounced, as with signal) waits on the phone.
    wait_until(page, "(localStorage.getItem('ruta:paquetes-pendientes') || '').includes('passed')")
    assert not ScormAttempt.objects.filter(score_scaled__isnull=False).exists()
    screenshot(page, "package-origin-03-result-waiting")

    # Back online: sent once; score, success and the lesson's completion are recorded.
    signal(page, up=True)
    expect_scorm_score_sent(
        page, notice, enrollment=enrollment, lesson=lesson, package=package, block_id=block_id, score=score
    )
    page.wait_for_timeout(1000)
    assert ScormAttempt.objects.count() == 1


@pytest.fixture
def same_site_origins(settings, live_server):
    port = live_server.url.rsplit(":", 1)[1]
    ruta, packages = f"http://ruta.sitio.localhost:{port}", f"http://paquetes.sitio.localhost:{port}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".sitio.localhost"]
    settings.RUTA_BASE_URL = ruta
    settings.RUTA_PACKAGE_ORIGIN = packages
    return ruta, packages


def test_a_downloaded_h5p_package_plays_offline_in_a_default_browser(phone_page, same_site_origins, screenshot):

    from content.packages.models import ScormAttempt
    from courses.models import LessonProgress
    from courses.services import enrollment_create
    from tests.lms.accounts.factories import UserFactory

    ruta, packages = same_site_origins
    course, lesson, package = true_false_h5p_lesson()
    learner = UserFactory(first_name="Dayana Belén", last_name="Chávez Ortiz", phone="+593987654321", email="")
    enrollment = enrollment_create(user=learner, course=course)
    page = phone_page
    sign_in(page, ruta, learner)

    panel, start = offer_download(page, ruta + course.url)
    assert size_in_bytes(start.inner_text()) >= package.total_size + 1024 * 1024  # the package and H5P's runtime
    start.click()
    expect(panel.locator("[data-offline-status]")).to_contain_text("Listo:", timeout=120_000)

    page = later_without_signal(page, timeout=30_000)
    page.goto(ruta + lesson.url)
    wait_until(page, "navigator.onLine === false")
    expect(page.locator("h1")).to_have_text(lesson.title)
    frame = page.frame_locator("iframe.package-activity__frame")
    frame.get_by_text("Is this false?").wait_for(timeout=60_000)
    attempt = answer_false_then_sent(page, frame, package=package, learner=learner, shot=screenshot, name="origin-h5p")
    assert LessonProgress.objects.get(enrollment=enrollment, lesson=lesson).status == LessonProgress.Status.COMPLETED
    page.wait_for_timeout(1000)
    assert ScormAttempt.objects.count() == 1 and attempt.commits == 1

    # Removing the download removes the package's files from the package origin too; and so does «Salir».
    page.goto(ruta + course.url)
    panel = page.locator("#offline-download")
    expect(panel.locator("[data-offline-status]")).to_contain_text("Descargado en este teléfono")
    assert kept_on_package_origin(page, packages) > package.file_count
    panel.get_by_role("button", name="Quitar la descarga de este teléfono").click()
    expect(panel.locator("[data-offline-status]")).to_contain_text("Quitamos la descarga")
    assert kept_on_package_origin(page, packages) == 0
    download_course(page, ruta + course.url, timeout=120_000)
    assert kept_on_package_origin(page, packages) > package.file_count
    page.get_by_role("button", name="Salir").click()
    expect(page.get_by_role("link", name="Entrar")).to_be_visible()
    assert kept_on_package_origin(page, packages) == 0


def kept_on_package_origin(page, packages: str) -> int:
    """How many files the package origin keeps in this browser for Ruta's pages: its Cache Storage, read from a frame
    of it added to the Ruta page (the storage partition package players and the download helper use)."""
    name = page.evaluate(
        """(url) => new Promise((resolve) => {
          const frame = document.createElement("iframe"), name = "probe-" + Date.now();
          frame.hidden = true; frame.name = name; frame.src = url;
          frame.addEventListener("load", () => resolve(name), {once: true});
          document.body.appendChild(frame);
        })""",
        packages + "/paquetes/ayudante/",
    )
    return page.frame(name=name).evaluate(
        """async () => { let count = 0;
          for (const name of await caches.keys()) {
            if (name.startsWith("ruta-offline-")) { count += (await (await caches.open(name)).keys()).length; }
          }
          return count; }"""
    )


def test_a_browser_that_refuses_storage_to_another_sites_frames_downloads_the_rest(phone_page, origins, screenshot):
    """Debian's Chromium as it is blocks third-party cookies, and with them every storage of a frame of another site:
    the package origin cannot keep the files there. The rest of the course downloads, the learner is told, and the
    lesson offline says its package opens with signal (as without a package origin), instead of a broken frame."""
    from courses.services import enrollment_create
    from tests.lms.accounts.factories import UserFactory

    ruta, _packages = origins
    course, lesson, _package, _block_id = golf_lesson("scorm12")
    learner = UserFactory(first_name="Wayra", last_name="Condori Apaza", phone="+51945678901", email="")
    enrollment_create(user=learner, course=course)
    page = phone_page
    sign_in(page, ruta, learner)
    panel = download_course(page, ruta + course.url, timeout=120_000)
    expect(panel.locator("[data-offline-status]")).to_contain_text(
        "Este navegador no deja guardar los contenidos interactivos (SCORM, H5P): se abrirán cuando tengas señal."
    )
    screenshot(page, "package-origin-storage-refused")

    page = later_without_signal(page, timeout=30_000)
    page.goto(ruta + lesson.url)
    wait_until(page, "navigator.onLine === false")
    expect(page.locator("h1")).to_have_text(lesson.title)
    expect(page.locator("[data-package-notice]")).to_have_text(OFFLINE)
    assert page.locator("iframe.package-activity__frame").get_attribute("src") is None
