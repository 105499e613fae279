"""H5P question types and OLX CAPA problems → Ruta activities, on small hand-made inputs."""

from __future__ import annotations

import json
import zipfile

from content.packages.h5p import convert_h5p
from content.packages.olx import capa_to_activities
from content.packages.outline import (
    ChoiceActivity,
    FillBlanksActivity,
    Lesson,
    MarkWordsActivity,
    NumericActivity,
    RichText,
    TextEntryActivity,
)
from content.packages.report import Findings
from content.packages.safexml import parse_xml


def convert(main, params):
    findings = Findings()
    blocks, complete = convert_h5p(main, params, findings, lesson_slides=main == "H5P.CoursePresentation")
    return blocks, complete, findings


def test_multichoice_multi_with_feedback_and_no_script():
    blocks, complete, _f = convert(
        "H5P.MultiChoice",
        {
            "question": "<p>¿Cuáles son costos fijos?<script>alert(1)</script></p>",
            "answers": [
                {"text": "<div>Alquiler</div>", "correct": True, "tipsAndFeedback": {"chosenFeedback": "<b>Sí</b>"}},
                {"text": "Harina", "correct": False, "tipsAndFeedback": {"chosenFeedback": "Varía"}},
                {"text": "Sueldo fijo", "correct": True},
            ],
        },
    )
    (question,) = blocks
    assert complete
    assert question.prompt == "¿Cuáles son costos fijos?"
    assert question.multiple and question.correct_answers == ["Alquiler", "Sueldo fijo"]
    assert [c.feedback for c in question.choices] == ["Sí", "Varía", ""]


def test_true_false_feedback():
    (question,), complete, _f = convert(
        "H5P.TrueFalse",
        {"question": "Separar cuentas ayuda", "correct": "true", "behaviour": {"feedbackOnCorrect": "¡Bien!"}},
    )
    assert question.style == "true_false" and question.correct_answers == ["Verdadero"]
    assert question.choices[0].feedback == "¡Bien!"


def test_blanks_alternatives_and_tips():
    (question,), complete, _f = convert(
        "H5P.Blanks",
        {"text": "Completa", "questions": ["<p>Ganancia = ingresos - *costos/gastos:lo que sale*.</p>"]},
    )
    assert isinstance(question, FillBlanksActivity)
    assert question.text == "Ganancia = ingresos - [[1]]."
    assert question.blanks[0].answers == ["costos", "gastos"] and question.blanks[0].tip == "lo que sale"


def test_drag_text_and_mark_words():
    (drag,), _c, _f = convert("H5P.DragText", {"taskDescription": "Arrastra", "textField": "El *RUC* es un *número*."})
    assert drag.drag_words and [b.answers for b in drag.blanks] == [["RUC"], ["número"]]
    (mark,), _c, _f = convert(
        "H5P.MarkTheWords", {"taskDescription": "Marca los verbos", "textField": "<p>Ella *vende* y *compra* pan.</p>"}
    )
    assert isinstance(mark, MarkWordsActivity)
    assert mark.text == "Ella vende y compra pan." and mark.correct_words == ["vende", "compra"]


def test_single_choice_set_first_answer_is_correct():
    blocks, complete, _f = convert(
        "H5P.SingleChoiceSet",
        {
            "choices": [
                {"question": "¿2+2?", "answers": ["<p>4</p>", "5"]},
                {"question": "¿Capital?", "answers": ["Lima"]},
            ]
        },
    )
    assert blocks[0].correct_answers == ["4"]
    assert type(blocks[1]).__name__ == "Unsupported"  # only one answer: incomplete, reported
    assert not complete


def test_question_set_and_course_presentation():
    mc = {
        "library": "H5P.MultiChoice 1.14",
        "params": {"question": "¿A?", "answers": [{"text": "Sí", "correct": True}, {"text": "No"}]},
    }
    tf = {"library": "H5P.TrueFalse 1.6", "params": {"question": "¿B?", "correct": "false"}}
    blocks, complete, _f = convert("H5P.QuestionSet", {"questions": [mc, tf]})
    assert [type(b) for b in blocks] == [ChoiceActivity, ChoiceActivity] and complete
    slides = {
        "presentation": {
            "slides": [
                {"elements": [{"action": {"library": "H5P.AdvancedText 1.1", "params": {"text": "<p>Hola</p>"}}}]},
                {"elements": [{"action": mc}, {"action": {"library": "H5P.Video 1.5", "params": {}}}]},
            ]
        }
    }
    lessons, complete, findings = convert("H5P.CoursePresentation", slides)
    assert all(isinstance(lesson, Lesson) for lesson in lessons)
    assert isinstance(lessons[0].blocks[0], RichText) and isinstance(lessons[1].blocks[0], ChoiceActivity)
    assert not complete  # the video needs the H5P player
    assert "h5p_not_converted" in findings.codes()


def test_unknown_type_is_left_to_the_player():
    blocks, complete, findings = convert("H5P.Accordion", {"panels": []})
    assert blocks == [] and not complete and "h5p_player" in findings.codes()


def test_h5p_package_with_missing_libraries(tmp_path):
    """A package exported without libraries: questions still convert; a player-only type is refused."""
    from content.packages.inspection import package_inspect

    def pkg(name, main, content):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            meta = {
                "title": "Sin bibliotecas",
                "mainLibrary": main,
                "preloadedDependencies": [{"machineName": main, "majorVersion": 1, "minorVersion": 0}],
            }
            zf.writestr("h5p.json", json.dumps(meta))
            zf.writestr("content/content.json", json.dumps(content))
        return path

    ok = package_inspect(pkg("tf.h5p", "H5P.TrueFalse", {"question": "¿Sí?", "correct": "true"}))
    assert ok.importable and "h5p_missing_library" in ok.codes("warning")
    refused = package_inspect(pkg("acc.h5p", "H5P.Accordion", {"panels": []}))
    assert not refused.importable and "h5p_missing_library" in refused.codes("error")
    assert "H5P.Accordion-1.0" in refused.refusal


CAPA = """<problem display_name="Mix">
  <multiplechoiceresponse>
    <label>¿Qué es un costo fijo?</label>
    <choicegroup type="MultipleChoice">
      <choice correct="false">La harina <choicehint>Varía con la producción.</choicehint></choice>
      <choice correct="true">El alquiler <choicehint>Correcto.</choicehint></choice>
    </choicegroup>
    <solution><div><p>El alquiler se paga igual cada mes.</p></div></solution>
  </multiplechoiceresponse>
  <optionresponse>
    <label>El RUC lo emite</label>
    <optioninput options="('SUNAT','RENIEC')" correct="SUNAT"/>
  </optionresponse>
  <stringresponse answer="RUC" type="ci"><label>Sigla</label><additional_answer answer="R.U.C."/></stringresponse>
  <numericalresponse answer="100"><label>Cien</label><responseparam type="tolerance" default="5%"/></numericalresponse>
</problem>"""


def test_capa_problem_types():
    blocks, reason = capa_to_activities(parse_xml(CAPA), source_id="p1")
    assert reason == ""
    mc, dropdown, text, number = blocks
    assert mc.correct_answers == ["El alquiler"] and mc.choices[0].feedback == "Varía con la producción."
    assert mc.explanation == "El alquiler se paga igual cada mes."
    assert dropdown.style == "dropdown" and dropdown.correct_answers == ["SUNAT"]
    assert isinstance(text, TextEntryActivity) and text.answers == ["RUC", "R.U.C."] and not text.case_sensitive
    assert isinstance(number, NumericActivity) and number.answer == 100 and number.tolerance == 5
    assert [b.source_id for b in blocks] == ["p1-0", "p1-1", "p1-2", "p1-3"]


def test_capa_with_author_python_is_never_run():
    problem = parse_xml(
        """<problem><script type="loncapa/python">import os; os.system('touch /tmp/pwned')</script>
        <customresponse cfn="check"><textline/></customresponse></problem>"""
    )
    blocks, reason = capa_to_activities(problem)
    assert blocks == [] and "Python" in reason
