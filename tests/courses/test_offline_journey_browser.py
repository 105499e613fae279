"""Issue #14's whole journey on a 360×740 phone in Debian Chromium: log in, download a course, go offline, close the
page, open a new page in the same browser, follow the outline, read two lessons, answer every activity (one
wrongly), see the queue, come back online, and see the answers arrive once, progress and completion recorded on the
server, and the certificate issued."""

import pytest
from playwright.sync_api import expect

from tests.browser_helpers import download_course, later_without_signal, login, signal
from tests.courses.test_offline_browser import course  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_study_a_whole_course_offline_and_get_the_certificate_when_back_online(
    phone_page,
    live_server,
    screenshot,
    course,  # noqa: F811
):
    from certification.models import Certificate
    from content.models import Submission
    from courses.models import Enrollment, LessonPage, LessonProgress
    from tests.certification.factories import ProgrammeFactory
    from tests.courses.factories import single_choice, text_block
    from tests.lms.accounts.factories import UserFactory

    ProgrammeFactory(course=course, title="Genere su Idea de Negocio (GIN)")
    practice = LessonPage.objects.get(title="Tus primeros clientes")  # "viewed" rule: a practice question
    question = single_choice("¿A quién le vendes primero?")
    question["value"]["weight"] = "0"  # practice: it does not count towards the course's score...
    question["value"]["offline_feedback"] = True  # ... and its author lets it correct itself offline
    question["value"]["options"][1]["value"]["feedback"] = "Primero conversa con quienes te comprarían."
    practice.body = [text_block("Empieza por tu familia, tus vecinas y tus vecinos."), question]
    practice.save_revision().publish()
    learner = UserFactory(first_name="Génesis", last_name="Cedeño Vera", phone="+593991112233", email="")

    page = phone_page
    login(page, live_server, learner)
    page.goto(course.url)
    page.get_by_role("button", name="Inscribirme en este curso").click()
    expect(page.locator("h1")).to_have_text("¿De dónde salen las ideas?")
    download_course(page, course.url)
    page = later_without_signal(page)  # offline; the learner closes the page and opens a new one later
    page.goto(course.url)
    expect(page.locator("h1")).to_have_text("Genere su Idea de Negocio")
    page.get_by_role("link", name="Pon a prueba tu idea").click()
    expect(page.locator("h1")).to_have_text("Pon a prueba tu idea")
    graded = page.locator("section.activity").first
    graded.get_by_label("Conversar con clientes").check()
    graded.get_by_role("button", name="Enviar respuesta").click()
    expect(graded).to_contain_text("se calificará al conectarte")
    page.get_by_role("link", name="Siguiente").click()
    expect(page.locator("h1")).to_have_text("Tus primeros clientes")
    page.wait_for_function("() => navigator.onLine === false")  # the phone knows it has no signal on this page too
    wrong = page.locator("section.activity").first
    wrong.get_by_label("Comprar mercadería").check()  # the wrong answer
    wrong.get_by_role("button", name="Enviar respuesta").click()
    # Practice: corrected on the phone at once (the graded question above only said it would be graded later).
    feedback = wrong.locator("[data-practice-feedback]")
    expect(feedback).to_have_attribute("data-practice-feedback", "wrong")
    expect(feedback).to_contain_text("No es la respuesta correcta.")
    expect(feedback).to_contain_text("Primero conversa con quienes te comprarían.")
    assert page.locator("[data-practice-feedback]").count() == 1
    pending = page.locator("#pending-answers")
    expect(pending).to_have_text("2 respuestas por enviar")
    screenshot(page, "offline-journey-01-two-waiting")
    assert Submission.objects.count() == 0 and not Certificate.objects.exists()

    # The signal returns.
    signal(page, up=True)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(pending).to_have_text("Tus respuestas se enviaron.", timeout=20_000)
    expect(page.locator("section.activity").first).to_contain_text("Incorrecto")
    submissions = list(Submission.objects.filter(user=learner).order_by("created_at"))
    assert [(s.usage_id, s.passed) for s in submissions] == [
        (LessonPage.objects.get(title="Pon a prueba tu idea").body[1].id, True),
        (practice.body[1].id, False),
    ]
    # Back online, the next page tells the server about the lessons read offline: the course is complete.
    page.goto(course.url)
    enrollment = Enrollment.objects.get(user=learner, course=course)
    for _ in range(50):
        enrollment.refresh_from_db()
        if enrollment.completed_at:
            break
        page.wait_for_timeout(200)
    assert enrollment.progress == 100 and enrollment.completed_at is not None
    assert LessonProgress.objects.filter(enrollment=enrollment, status=LessonProgress.Status.COMPLETED).count() == 3
    [certificate] = Certificate.objects.filter(holder=learner)
    page.goto("/certificados/mis-certificados/")
    expect(page.locator("main")).to_contain_text("Genere su Idea de Negocio (GIN)")
    expect(page.locator("main")).to_contain_text(certificate.display_code)
    screenshot(page, "offline-journey-02-certificate")
    assert Submission.objects.filter(user=learner).count() == 2, "each answer arrived once"
