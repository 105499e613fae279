"""Journeys in headless Chromium (360×740) with the corpus's Rustici "golf" packages, driven only through the
packages' own buttons: page through, leave the lesson, come back and resume at the page left, take the test, and
see the score, success and interactions stored in Ruta and shown to the learner."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.test import Client

from content.packages.archive import open_archive
from content.packages.models import ScormAttempt
from content.packages.services import content_package_store
from courses.models import Enrollment, LessonPage
from courses.services import enrollment_create
from tests.corpus import CORPUS, corpus
from tests.courses.factories import build_course
from tests.lms.accounts.factories import UserFactory

VENDOR = Path(__file__).resolve().parents[3] / "content" / "packages" / "static" / "vendor" / "scorm-again"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    corpus,  # skipped without the shared corpus, an error under RUTA_REQUIRE_CORPUS=1 (tests/corpus.py)
]

GOLF = {
    "scorm12": ("scorm12/golf_RuntimeBasicCalls_SCORM12.zip", "Golf 1.2"),
    "scorm2004": ("scorm2004/golf_RunTimeAdvancedCalls_SCORM20043rdEdition.zip", "Golf 2004"),
}


def golf_lesson(engine: str):
    if not VENDOR.is_dir():
        pytest.fail("run `npm ci --ignore-scripts && python manage.py vendor_js` first")
    path, title = GOLF[engine]
    with open_archive(CORPUS / path) as archive:
        package = content_package_store(archive=archive, engine=engine, title=title)
    course = build_course(lessons_per_module=1, pass_mark=70, title="Reglas del golf")
    lesson = LessonPage.objects.descendant_of(course).get()
    block_id = str(uuid.uuid4())
    lesson.body = [
        {
            "type": "package",
            "id": block_id,
            "value": {
                "package": str(package.uuid),
                "engine": engine,
                "title": title,
                "launch": "shared/launchpage.html",
                "parameters": "",
                "tracked": True,
                "mastery_score": 0.8,
            },
        }
    ]
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    return course, LessonPage.objects.get(pk=lesson.pk), package, block_id


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    page.context.add_cookies([cookie])


def stored(page, condition, seconds: float = 12):
    """The learner's only attempt once Ruta has stored what ``condition`` expects (commits are debounced)."""
    found = ScormAttempt.objects.all()
    for _ in range(int(seconds * 4)):
        attempt = found.first()
        if attempt is not None and condition(attempt):
            return attempt
        page.wait_for_timeout(250)
    return found.get()


def content_heading(page):
    """The heading of the page the package shows in its own content frame (inside the sandboxed player)."""
    return page.frame_locator("iframe.package-activity__frame").frame_locator("#contentFrame").locator("h1").first


def forge_commit(page) -> None:
    """Another sandboxed frame (origin "null" too) posts a forged "passed 100" final commit to the lesson page.

    The frame's document has no script of its own: a srcdoc document inherits the lesson page's CSP, which rightly
    blocks inline scripts. The forger's code runs in that frame through the browser's debugging protocol instead,
    exactly as a script of another sandboxed page would (same opaque origin "null", same window.parent)."""
    page.evaluate(
        """() => { const f = document.createElement("iframe"); f.setAttribute("sandbox", "allow-scripts");
        f.name = "forger"; f.srcdoc = "<p>forger</p>"; document.body.appendChild(f);
        return new Promise(resolve => f.addEventListener("load", resolve, {once: true})); }"""
    )
    forger = page.locator("iframe[name='forger']").element_handle().content_frame()
    assert forger is not None and forger.evaluate("() => self.origin") == "null"
    forger.evaluate(
        """() => parent.postMessage({ruta: "scorm-commit", final: true, cmi: {cmi: {core: {lesson_status: "passed",
        score: {raw: "100"}}, completion_status: "completed", success_status: "passed", score: {scaled: "1"}}}},
        "*")"""
    )


def play(page, lesson_url: str, engine: str, *, screenshot, name: str):
    dialogs: list[str] = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept()  # "Would you like to resume from where you previously left off?" → yes

    page.on("dialog", answer)
    player = page.frame_locator("iframe.package-activity__frame")
    page.goto(lesson_url)
    next_button = player.get_by_role("button", name="Next ->")
    next_button.wait_for()
    first = content_heading(page).inner_text(timeout=15_000)
    # The player is sandboxed without allow-same-origin: the package cannot reach Ruta's page or cookies.
    sandbox = page.locator("iframe.package-activity__frame").get_attribute("sandbox")
    assert "allow-scripts" in sandbox and "allow-same-origin" not in sandbox
    reachable = "() => { try { return !!document.querySelector('iframe.package-activity__frame').contentDocument; }"
    assert page.evaluate(reachable + " catch (e) { return false; } }") is False
    forge_commit(page)
    for _ in range(6):  # pages 2..7 with the package's own "Next" button
        next_button.click()
        page.wait_for_timeout(250)
    seventh = content_heading(page).inner_text()
    assert seventh != first
    screenshot(page, f"{name}-page-7")
    # The bookmark is stored while paging (debounced), and the forged "passed 100" was ignored.
    saved = stored(page, lambda a: a.location not in ("", "0"))
    assert saved.location and saved.score_scaled is None and saved.success_status != "passed"
    assert not [m for m in dialogs if "ERROR" in m], dialogs

    # Leave the lesson through Ruta (not the package's Exit button), then come back to it.
    page.goto("/aprender/mis-cursos/")
    page.wait_for_timeout(500)
    page.goto(lesson_url)
    next_button.wait_for()
    page.wait_for_timeout(1000)
    assert any("resume" in message for message in dialogs), dialogs
    assert content_heading(page).inner_text() == seventh  # resumed where the learner left
    screenshot(page, f"{name}-resumed")

    for _ in range(8):  # pages 8..15: the last one is the test
        next_button.click()
        page.wait_for_timeout(200)
    test = page.frame_locator("iframe.package-activity__frame").frame_locator("#contentFrame")
    test.get_by_role("button", name="Submit Answers").wait_for()
    return test


def take_the_test(test, *, wrong: int = 1) -> None:
    """Answer the golf test through its own inputs (right, except the first ``wrong`` questions), then press its
    own "Submit Answers" button. The answer key is read from the package's questions, never sent to the API."""
    questions = test.locator("body").evaluate(
        """() => test.Questions.map(q => ({id: q.Id, type: q.Type, answers: q.Answers ? q.Answers.map(String) : null,
                                         correct: String(q.CorrectAnswer)}))"""
    )
    for index, question in enumerate(questions):
        right = index >= wrong
        qid = question["id"]
        if question["type"] == "choice":
            position = question["answers"].index(question["correct"])
            if not right:
                position = (position + 1) % len(question["answers"])
            test.locator(f"[id='question_{qid}_{position}']").check()
        elif question["type"] == "true-false":
            value = question["correct"] == "true"
            test.locator(f"[id='question_{qid}_{'True' if value == right else 'False'}']").check()
        else:
            test.locator(f"[id='question_{qid}_Text']").fill(question["correct"] if right else "0")
    test.get_by_role("button", name="Submit Answers").click()


@pytest.mark.parametrize("engine", ["scorm2004", "scorm12"])
def test_golf_resumes_and_stores_its_score(phone_page, live_server, screenshot, engine):
    course, lesson, package, block_id = golf_lesson(engine)
    phone = "+51912345678" if engine == "scorm12" else "+593991234567"
    user = UserFactory(first_name="Mariángeles", last_name="Peña", phone=phone)
    enrollment_create(user=user, course=course)
    page = phone_page
    sign_in(page, live_server, user)
    test = play(page, lesson.url, engine, screenshot=screenshot, name=f"golf-{engine}")

    take_the_test(test, wrong=1)
    shown = test.locator("h3", has_text="Score:").inner_text()  # the package's own result, e.g. "Score: 93"
    score = int(shown.split(":")[1])
    assert 80 <= score < 100
    screenshot(page, f"golf-{engine}-scored")

    # The 2004 example reports every answer as an interaction; the 1.2 examples of the corpus report none.
    questions = 10 if engine == "scorm2004" else 0
    attempt = stored(page, lambda a: a.score_scaled is not None and len(a.interactions) >= questions)
    assert (attempt.package, attempt.usage_id, attempt.user) == (package, block_id, user)
    assert round(attempt.score_scaled * 100) == score
    assert attempt.success_status == "passed"  # 1.2: lesson_status from the mastery score; 2004: scaled_passing_score
    if engine == "scorm2004":
        assert len(attempt.interactions) >= questions
        assert {i["result"] for i in attempt.interactions} == {"correct", "incorrect"}
        assert attempt.cmi["score"]["raw"] == str(score)
    else:
        assert attempt.cmi["core"]["score"]["raw"] == str(score)

    # Ruta shows it: the course is completed on "Mis cursos", and the lesson shows the package's score.
    page.goto("/aprender/mis-cursos/")
    assert page.get_by_text("Completado").is_visible()
    assert Enrollment.objects.get(user=user, course=course).status == Enrollment.Status.COMPLETED
    page.goto(lesson.url)
    assert page.get_by_test_id("package-result").inner_text().startswith(f"Tu nota: {score} %")
    screenshot(page, f"golf-{engine}-in-ruta")
