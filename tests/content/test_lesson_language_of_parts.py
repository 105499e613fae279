"""WCAG 3.1.2 (language of parts): in a lesson, what the course's authors wrote (prompt, options, their feedback)
is in the course's language, and Ruta's own words around it (the activity's kind, "Enviar respuesta", attempts,
status messages, verdicts, marks, "Espacio 1 de 2"…) are in the interface's. Each text's effective language (its
nearest ``lang``) says which voice a screen reader uses: checked on the lesson as served, and on the activity the
answer handler returns (activities.js puts it in place of the old one, inside the lesson's body)."""

import copy

import pytest
from django.conf import settings
from lxml import html as lxml_html

from tests.content.conftest import VALUES
from tests.content.helpers import answers, post_answer, section
from tests.courses.test_browser import ensure_site

pytestmark = pytest.mark.django_db

CLOSING = {"es": "Mañana empiezo mi cuaderno de ventas.", "en": "Tomorrow I start my sales notebook."}


def lang_of(node) -> str:
    """The language a screen reader reads ``node`` in: its nearest ``lang``."""
    while node is not None:
        if node.get("lang") is not None:
            return node.get("lang")
        node = node.getparent()
    return ""


def text_of(node) -> str:
    return " ".join(node.text_content().split())


@pytest.fixture
def lesson_in():
    """``lesson_in("es")``: a lesson with every kind of activity, in a course in that language, and its learner."""
    from courses.services import enrollment_create
    from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, text_block
    from tests.lms.accounts.factories import UserFactory

    def make(language: str):
        ensure_site()
        course = CoursePageFactory(title="Genere su Idea de Negocio", language=language)
        module = ModulePageFactory(parent=course, title="Tu idea de negocio")
        values = copy.deepcopy(VALUES)
        values["self_reflection"]["closing_message"] = CLOSING[language]
        body = [text_block("Una buena idea responde a una necesidad real de tu comunidad.")]
        body += [{"type": kind, "id": f"{kind.replace('_', '-')}-1", "value": value} for kind, value in values.items()]
        lesson = LessonPageFactory(parent=module, title="Pon a prueba tu idea", body=body)
        learner = UserFactory(first_name="Ñusta", last_name="Quispe Huamán", phone="+51987650001", email="")
        enrollment_create(user=learner, course=course)
        return course, lesson, learner

    return make


def activity(tree, kind: str):
    [node] = tree.xpath(f'//section[@id="actividad-{kind.replace("_", "-")}-1"]')
    return node


def assert_parts(sec, *, ui: str, course: str, answered: bool = False) -> None:
    """Ruta's words in ``ui``, the author's in ``course``, in one activity's ``<section>``."""
    kind = sec.get("class").split("activity-")[-1]

    def interface(xpath: str, minimum: int = 1):
        nodes = sec.xpath(xpath)
        assert len(nodes) >= minimum, (kind, xpath)
        for node in nodes:
            assert lang_of(node) == ui, f"{kind}: «{text_of(node)}» ({xpath}) is read as {lang_of(node)!r}, not {ui!r}"

    def authored(xpath: str, minimum: int = 1):
        nodes = sec.xpath(xpath)
        assert len(nodes) >= minimum, (kind, xpath)
        for node in nodes:
            assert lang_of(node) == course, (
                f"{kind}: «{text_of(node)}» ({xpath}) is read as {lang_of(node)!r}, not {course!r}"
            )

    interface('.//*[contains(@class, "activity-kind")]')
    authored('.//*[contains(@class, "activity-prompt")]')
    interface('.//button[@data-activity-submit] | .//*[contains(@class, "activity-attempts")]', 0)
    interface(".//*[@data-activity-status]", 0)
    if kind in ("single_choice", "multiple_choice"):
        authored('.//*[contains(@class, "activity-option")]/label', 3)
    if kind == "true_false":
        interface('.//*[contains(@class, "activity-option")]/label', 2)  # "Verdadero" / "Falso" are Ruta's
    if kind == "fill_blanks":
        interface('.//*[contains(@class, "activity-blank")]/label', 2)  # "Espacio 1 de 2"
        authored('.//*[contains(@class, "activity-blanks")]')  # the author's sentence around the blanks
    if kind == "matching":
        authored('.//*[contains(@class, "activity-row")]/label', 3)
        authored('.//option[@value!=""]', 9)
        interface('.//option[@value=""]', 3)  # "Elige su pareja"
    if kind == "ordering":
        authored('.//*[contains(@class, "activity-row")]/label', 3)
        interface('.//option[@value=""]', 3)  # "Posición"
        interface('.//fieldset/p[contains(@class, "small")]')  # "Elige la posición de cada paso…"
    if kind in ("free_text", "self_reflection"):
        interface(".//fieldset/label | .//fieldset/span[@class='help']", 2)  # "Tu respuesta", "Hasta 500 caracteres."
    if not answered:
        return
    feedback = ".//*[@data-activity-feedback]//p"
    if kind == "free_text":
        interface(feedback)  # "Pendiente de revisión…"
        return
    if kind == "self_reflection":
        authored(feedback)  # the author's closing message
        assert CLOSING[course] in text_of(sec)
        return
    interface('.//*[contains(@class, "activity-verdict")]')  # "Todavía no apruebas. Tu nota: …"
    paragraphs = sec.xpath(feedback)
    # The author's own feedback line (true/false shows it in the mark next to the answer instead).
    wrong = VALUES[kind].get("feedback_incorrect") if kind in ("fill_blanks", "matching", "ordering") else None
    for node in paragraphs:
        if wrong and text_of(node) == wrong:
            authored(f'.//*[@data-activity-feedback]//p[normalize-space()="{wrong}"]')
        else:  # the verdict, "No es la respuesta correcta.", "Algunas parejas no son correctas."…
            assert lang_of(node) == ui, f"{kind}: «{text_of(node)}» is read as {lang_of(node)!r}, not {ui!r}"
    if wrong:
        assert any(text_of(node) == wrong for node in paragraphs), (kind, [text_of(n) for n in paragraphs])
    marks = sec.xpath('.//*[contains(@class, "activity-mark")]')
    if kind in ("single_choice", "multiple_choice", "true_false", "fill_blanks"):
        assert marks, kind
    for mark in marks:
        if text_of(mark) in ("Correcto", "Incorrecto", "Correct", "Incorrect"):  # Ruta's word alone
            assert lang_of(mark) == ui, (kind, text_of(mark), lang_of(mark))
        else:  # "Incorrecto: Primero valida tu idea.": mostly the author's feedback on the option
            assert lang_of(mark) == course, (kind, text_of(mark), lang_of(mark))
    if kind == "fill_blanks":
        words = ["Incorrect", "Correct"] if ui == "en" else ["Incorrecto", "Correcto"]
        assert [text_of(mark) for mark in marks] == words  # "ventas" is wrong, "período" right


def in_place(page_html: bytes, usage: str, fragment: str):
    """The lesson with one activity replaced by the handler's HTML, as activities.js's ``replace()`` does."""
    tree = lxml_html.fromstring(page_html)
    [old] = tree.xpath(f'//section[@id="actividad-{usage}"]')
    holders = old.xpath('ancestor::*[contains(concat(" ", @class, " "), " xblock-v1 ")]')
    holder = holders[-1] if holders else old
    fresh = lxml_html.fragment_fromstring(fragment.strip())
    holder.getparent().replace(holder, fresh)
    return tree


WRONG_TEXT = {"free_text": {"text": "Mi clienta ideal es una vecina."}, "self_reflection": {"text": "Anotaré todo."}}


@pytest.mark.parametrize(("ui", "course_language"), [("en", "es"), ("es", "en")])
def test_interface_words_and_authored_content_each_carry_their_language(client, lesson_in, ui, course_language):
    course, lesson, learner = lesson_in(course_language)
    client.force_login(learner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = ui

    response = client.get(lesson.url)
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    assert tree.get("lang") == ui
    [body] = tree.xpath('//article[contains(@class, "lesson-body")]')
    assert lang_of(body.xpath(".//p")[0]) == course_language  # the author's text block
    for kind in VALUES:
        assert_parts(activity(tree, kind), ui=ui, course=course_language)

    # Each answer goes as activities.js sends it; the activity the server returns, put back in the lesson, keeps
    # Ruta's verdict in the interface's language and the author's feedback in the course's.
    page_html = response.content
    for kind in VALUES:
        usage = f"{kind.replace('_', '-')}-1"
        if kind in WRONG_TEXT:
            wrong = WRONG_TEXT[kind]
        else:
            _right, wrong = answers(kind, section(page_html, usage))
        answered = post_answer(client, lesson, usage, wrong, as_json=True)
        assert answered.status_code == 200, (kind, answered.content[:300])
        fragment = answered.json()["html"]
        fresh = lxml_html.fragment_fromstring(fragment.strip())
        assert not fresh.xpath("descendant-or-self::*[@lang and @lang != $ui]", ui=ui), (
            "the handler's HTML never names the course's language: the author's parts take it from the lesson"
        )
        tree = in_place(page_html, usage, fragment)
        assert_parts(activity(tree, kind), ui=ui, course=course_language, answered=True)

    # The lesson opened again (or as the phone keeps it for offline study) says the same.
    tree = lxml_html.fromstring(client.get(lesson.url).content)
    for kind in VALUES:
        assert_parts(activity(tree, kind), ui=ui, course=course_language, answered=True)
