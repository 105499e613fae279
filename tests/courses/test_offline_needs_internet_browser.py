"""A learner from Ecuador downloads a course with two interactive lessons: an H5P question whose files are all in
its package, and a SCORM course (the corpus's golf post-test rollup) whose pages load jQuery from Google's CDN.
Before downloading she is told that the second lesson needs Internet; the rest of the course downloads. Without
signal the H5P question plays from the phone, and the SCORM lesson says plainly that it needs Internet instead of
starting a package that would show broken or blank.

Packages on their own origin (as README recommends for production, another host of Ruta's site), as in
``test_offline_package_origin_browser.test_a_downloaded_h5p_package_plays_offline_in_a_default_browser``."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import later_without_signal, wait_until
from tests.corpus import CORPUS, corpus
from tests.courses.test_offline_package_origin_browser import offer_download, same_site_origins, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), corpus]

__all__ = ["same_site_origins"]  # the fixture, used by name

NOTE = "Esta actividad necesita Internet: no funcionará sin conexión."
OFFLINE_NOTICE = "Sin conexión: esta actividad se abrirá cuando vuelva la señal."
GOLF = "scorm2004/golf_SequencingPostTestRollup4thEd_SCORM20044thEdition.zip"


def course_with_two_packages():
    """(course, self-contained H5P lesson, Internet-needing SCORM lesson, the H5P package, the SCORM package)."""
    from content.packages.archive import open_archive
    from content.packages.services import content_package_store
    from courses.models import LessonPage
    from tests.courses.factories import build_course

    with open_archive(CORPUS / "h5p/H5P.TrueFalse_h5p-standalone-test.h5p") as archive:
        true_false = content_package_store(archive=archive, engine="h5p", title="Verdadero o falso")
    with open_archive(CORPUS / GOLF) as archive:
        golf = content_package_store(archive=archive, engine="scorm2004", title="Reglas del golf")
    course = build_course(lessons_per_module=2, title="Emprende con ñeque en Quito")
    first, second = LessonPage.objects.descendant_of(course).order_by("path")
    h5p = {"package": str(true_false.uuid), "engine": "h5p", "launch": "h5p.json"}
    scorm = {"package": str(golf.uuid), "engine": "scorm2004", "launch": "shared/launchpage.html"}
    bodies = ((first, "Pregunta rápida", h5p), (second, "Simulador de golf", scorm))
    for lesson, title, value in bodies:
        lesson.title = title
        value = {**value, "title": title, "parameters": "", "tracked": True}
        lesson.body = [{"type": "package", "id": str(uuid.uuid4()), "value": value}]
        lesson.save_revision().publish()
    first, second = (LessonPage.objects.get(pk=p.pk) for p in (first, second))
    return course, first, second, true_false, golf


def test_the_lesson_that_needs_internet_is_named_left_out_and_says_so_offline(
    phone_page, same_site_origins, screenshot, axe_check
):
    from courses.services import enrollment_create
    from tests.lms.accounts.factories import UserFactory

    ruta, _packages = same_site_origins
    course, own, online, true_false, golf = course_with_two_packages()
    learner = UserFactory(first_name="Sisa Dolores", last_name="Tituaña Ñaupari", phone="+593987123456", email="")
    enrollment_create(user=learner, course=course)
    page = phone_page
    page.set_default_timeout(30_000)
    sign_in(page, ruta, learner)

    # Before downloading she is told, in plain words, which lesson needs signal; the rest downloads.
    panel, start = offer_download(page, ruta + course.url)
    warning = panel.locator("[data-offline-online]")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Estas lecciones necesitan Internet")
    expect(warning.get_by_role("listitem")).to_have_text(
        ["Simulador de golf: «Simulador de golf» necesita Internet: no funcionará sin conexión."]
    )
    expect(warning.get_by_role("link", name="Simulador de golf")).to_have_attribute("href", online.url)
    axe_check(page)
    screenshot(page, "needs-internet-01-told-before-downloading")
    start.click()
    expect(panel.locator("[data-offline-status]")).to_contain_text("Listo:", timeout=120_000)
    expect(warning).to_be_visible()  # still said once the download is done
    kept = page.evaluate(
        """async () => (await Promise.all((await caches.keys()).map(async (name) =>
             (await (await caches.open(name)).keys()).map((r) => r.url)))).flat()"""
    )
    assert any(f"/paquetes/{true_false.uuid}/" in url for url in kept)
    assert not any(str(golf.uuid) in url for url in kept)  # the package that needs Internet is not downloaded
    screenshot(page, "needs-internet-02-downloaded")

    # No signal, later: the self-contained H5P question plays from the phone.
    page = later_without_signal(page, timeout=30_000)
    page.goto(ruta + own.url)
    wait_until(page, "navigator.onLine === false")
    expect(page.locator("h1")).to_have_text(own.title)
    expect(page.locator("[data-package-needs-internet]")).to_have_count(0)
    page.frame_locator("iframe.package-activity__frame").get_by_text("Is this false?").wait_for(timeout=60_000)
    screenshot(page, "needs-internet-03-own-package-plays")

    # The lesson whose package loads files from the Internet says so, and no broken frame is started.
    page.goto(ruta + online.url)
    wait_until(page, "navigator.onLine === false")
    expect(page.locator("h1")).to_have_text(online.title)
    expect(page.locator("[data-package-needs-internet]")).to_have_text(NOTE)
    expect(page.locator("[data-package-notice]")).to_have_text(OFFLINE_NOTICE)
    frame = page.locator("iframe.package-activity__frame")
    expect(frame).to_be_hidden()  # the message, not an empty frame
    page.wait_for_timeout(1000)
    assert frame.get_attribute("src") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    screenshot(page, "needs-internet-04-says-it-needs-internet")
