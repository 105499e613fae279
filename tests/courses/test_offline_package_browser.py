"""Issue #14 with a real graded SCORM package (the corpus's golf example): a learner downloads the course, opens the
lesson without signal (the package says it waits for the signal instead of showing a broken frame), starts it when
the signal returns, loses the signal again while taking the package's test, sees that her result waits on the
phone, and when the signal returns the score, success and the lesson's completion reach Ruta once."""

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import download_course, later_without_signal, login, signal, wait_until
from tests.content.packages.test_scorm_journeys import content_heading, golf_lesson, take_the_test
from tests.corpus import corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), corpus]

WAITING = "Tu avance en este contenido está guardado en el teléfono y se enviará al conectarte."


def expect_scorm_score_sent(page, notice, *, enrollment, lesson, package, block_id: str, score: int) -> None:
    """Back online, the SCO's result kept on the phone arrived: the phone's queue is empty, and Ruta holds one
    attempt with that score, passed, for this learner, package and block, the lesson and the course completed."""
    from content.packages.models import ScormAttempt
    from courses.models import Enrollment, LessonProgress

    expect(notice).to_have_text("Tu avance en este contenido ya se envió.", timeout=30_000)
    assert page.evaluate("localStorage.getItem('ruta:paquetes-pendientes')") == "{}"
    attempt = ScormAttempt.objects.get()
    assert (attempt.user, attempt.package, attempt.usage_id) == (enrollment.user, package, block_id)
    assert round(attempt.score_scaled * 100) == score and attempt.success_status == "passed"
    progress = LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)
    assert progress.status == LessonProgress.Status.COMPLETED
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED


def answer_false_then_sent(page, frame, *, package, learner, shot, name: str):
    """Without signal, answer the H5P True/False example rightly through its own buttons: the result waits on the
    phone (nothing reaches Ruta); when the signal returns it arrives, completed and passed. Returns the attempt."""
    from content.packages.models import ScormAttempt

    frame.get_by_role("radio", name="False").click()
    frame.get_by_role("button", name="Check").click()
    notice = page.locator("[data-package-notice]")
    expect(notice).to_have_text(WAITING)
    assert not ScormAttempt.objects.exists()
    shot(page, f"offline-package-{name}")

    signal(page, up=True)
    expect(notice).to_have_text("Tu avance en este contenido ya se envió.", timeout=30_000)
    attempt = ScormAttempt.objects.get()
    assert (attempt.user, attempt.package) == (learner, package)
    assert attempt.completed and attempt.score_scaled == 1.0 and attempt.success_status == "passed"
    return attempt


def true_false_h5p_lesson():
    """The corpus H5P True/False example as the one tracked activity of a one-lesson course: (course, lesson,
    package)."""
    import uuid

    from content.packages.archive import open_archive
    from content.packages.services import content_package_store
    from courses.models import LessonPage
    from tests.corpus import CORPUS
    from tests.courses.factories import build_course

    with open_archive(CORPUS / "h5p/H5P.TrueFalse_h5p-standalone-test.h5p") as archive:
        package = content_package_store(archive=archive, engine="h5p", title="Verdadero o falso")
    course = build_course(lessons_per_module=1, title="Cuentas claras")
    lesson = LessonPage.objects.descendant_of(course).get()
    value = {"package": str(package.uuid), "engine": "h5p", "title": "Verdadero o falso", "launch": "h5p.json"}
    lesson.body = [{"type": "package", "id": str(uuid.uuid4()), "value": {**value, "parameters": "", "tracked": True}}]
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    return course, lesson, package


def open_h5p_lesson(page, live_server, learner, lesson):
    """Sign ``learner`` in and open ``lesson`` online until its H5P True/False question shows; returns its frame."""
    page.set_default_timeout(30_000)
    login(page, live_server, learner)
    page.goto(lesson.url)
    frame = page.frame_locator("iframe.package-activity__frame")
    frame.get_by_text("Is this false?").wait_for(timeout=60_000)
    return frame


def test_a_scorm_result_given_without_signal_waits_on_the_phone_and_arrives_once(
    phone_page, live_server, screenshot, axe_check
):
    from content.packages.models import ScormAttempt
    from courses.models import LessonProgress
    from courses.services import enrollment_create
    from tests.lms.accounts.factories import UserFactory

    course, lesson, package, block_id = golf_lesson("scorm12")
    learner = UserFactory(first_name="Ñusta Anahí", last_name="Huamán Ccori", phone="+51923456789", email="")
    enrollment = enrollment_create(user=learner, course=course)
    page = phone_page
    login(page, live_server, learner)
    download_course(page, course.url, timeout=60_000)

    # No signal, a new tab: the downloaded lesson opens; its package says it waits for the signal.
    page = later_without_signal(page, timeout=30_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(lesson.url)
    expect(page.locator("h1")).to_have_text(lesson.title)
    notice = page.locator("[data-package-notice]")
    expect(notice).to_have_text("Sin conexión: este contenido interactivo se abrirá cuando vuelva la señal.")
    frame = page.locator("iframe.package-activity__frame")
    assert frame.get_attribute("src") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    screenshot(page, "offline-package-01-waits-for-signal")

    # The signal returns: the package starts in its sandboxed frame, and she pages to its test.
    signal(page, up=True)
    player = page.frame_locator("iframe.package-activity__frame")
    next_button = player.get_by_role("button", name="Next ->")
    next_button.wait_for(timeout=60_000)
    expect(notice).to_be_hidden()
    assert "allow-same-origin" not in frame.get_attribute("sandbox")
    content_heading(page).wait_for()
    for _ in range(14):
        next_button.click()
        page.wait_for_timeout(250)
    test = player.frame_locator("#contentFrame")
    test.get_by_role("button", name="Submit Answers").wait_for()

    # The signal drops while she takes the test: the package shows her score, and Ruta has not received it yet.
    signal(page, up=False)
    take_the_test(test, wrong=1)
    score = int(test.locator("h3", has_text="Score:").inner_text().split(":")[1])
    assert 80 <= score < 100
    expect(notice).to_have_text(WAITING, timeout=30_000)
    page.wait_for_timeout(500)
    assert not ScormAttempt.objects.filter(score_scaled__isnull=False).exists()  # at most its bookmark so far
    assert not LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson, status="completed").exists()
    screenshot(page, "offline-package-02-result-waiting")

    # Back online: sent once; the score, success and the lesson's (and course's) completion are recorded.
    signal(page, up=True)
    expect_scorm_score_sent(
        page, notice, enrollment=enrollment, lesson=lesson, package=package, block_id=block_id, score=score
    )
    screenshot(page, "offline-package-03-sent")

    # Resume works from what arrived: the lesson opened again shows the stored result.
    page.reload()
    expect(page.get_by_test_id("package-result")).to_contain_text(f"Tu nota: {score} %")
    assert ScormAttempt.objects.count() == 1


def test_an_h5p_result_given_without_signal_waits_on_the_phone_and_arrives_once(phone_page, live_server, screenshot):
    """An H5P activity loaded with signal keeps working when the signal drops (its files are in memory): the result
    waits on the phone and reaches Ruta once, completing the lesson, when the signal returns."""

    from courses.models import LessonProgress
    from courses.services import enrollment_create
    from tests.lms.accounts.factories import UserFactory

    course, lesson, package = true_false_h5p_lesson()
    learner = UserFactory(first_name="Dayana Belén", last_name="Chávez Ortiz", phone="+593987654321", email="")
    enrollment = enrollment_create(user=learner, course=course)
    page = phone_page
    frame = open_h5p_lesson(page, live_server, learner, lesson)

    signal(page, up=False)
    answer_false_then_sent(page, frame, package=package, learner=learner, shot=screenshot, name="h5p-waiting")
    progress = LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)
    assert progress.status == LessonProgress.Status.COMPLETED


def test_a_package_result_kept_on_the_phone_for_days_arrives_from_another_lesson(phone_page, live_server, screenshot):
    """A result kept on the phone longer than its commit address is valid (more than a day without signal) reaches
    Ruta once the signal returns, from the next lesson with a package the learner opens: the phone sends it with
    her session's CSRF token, which is what lets Ruta take the old address (for her only)."""
    import time
    import uuid

    from content.packages.models import ScormAttempt
    from content.packages.views import COMMIT_MAX_AGE, commit_signature
    from courses.models import LessonPage
    from courses.services import enrollment_create
    from tests.lms.accounts.factories import UserFactory

    course, first, package = true_false_h5p_lesson()
    block = first.body.raw_data[0]
    second = LessonPage.objects.get(pk=first.pk).copy(
        update_attrs={"title": "Repaso", "slug": "repaso"}, keep_live=True, copy_revisions=False
    )
    second.body = [{**block, "id": str(uuid.uuid4())}]
    second.save_revision().publish()
    learner = UserFactory(first_name="Ñusta", last_name="Quispe Mamani", phone="+51912345678", email="")
    enrollment_create(user=learner, course=course)
    page = phone_page
    frame = open_h5p_lesson(page, live_server, learner, first)

    # No signal: her answer waits on the phone.
    signal(page, up=False)
    frame.get_by_role("radio", name="False").click()
    frame.get_by_role("button", name="Check").click()
    expect(page.locator("[data-package-notice]")).to_have_text(WAITING)
    # Days go by: the address kept with her result is now older than COMMIT_MAX_AGE.
    real_time = time.time
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: real_time() - COMMIT_MAX_AGE - 2 * 86400)
        old = commit_signature(user_id=learner.pk, package=package, usage_id=block["id"], page_id=first.pk)
    page.evaluate(
        """(old) => { const all = JSON.parse(localStorage.getItem('ruta:paquetes-pendientes'));
        for (const key of Object.keys(all)) { const url = new URL(all[key].url, location.href);
          url.searchParams.set('sig', old); all[key].url = url.toString(); }
        localStorage.setItem('ruta:paquetes-pendientes', JSON.stringify(all)); }""",
        old,
    )
    assert not ScormAttempt.objects.exists()

    # The signal is back and she opens the other lesson (its package is another activity): the old result is sent.
    page = later_without_signal(page, timeout=30_000)
    signal(page, up=True)
    page.goto(second.url)
    page.frame_locator("iframe.package-activity__frame").get_by_text("Is this false?").wait_for(timeout=60_000)
    wait_until(page, "localStorage.getItem('ruta:paquetes-pendientes') === '{}'")
    attempt = ScormAttempt.objects.get()
    assert (attempt.user, attempt.usage_id) == (learner, block["id"])
    assert attempt.completed and attempt.score_scaled == 1.0
    # The first lesson counts as done: the course's outline says so on the next page she opens.
    page.reload()
    expect(page.locator("summary", has_text="Contenido del curso")).to_contain_text("50 %")
    screenshot(page, "offline-package-04-kept-for-days-sent")
