"""Helpers that read activity forms the way a browser would (by visible text) and post answers."""

import html as html_lib
import re
import uuid

from django.urls import reverse


def section(content: bytes | str, usage_id: str) -> str:
    """The rendered ``<section>`` of one activity, unescaped for easy reading."""
    text = content.decode() if isinstance(content, bytes) else content
    start = text.index(f'id="actividad-{usage_id}"')
    end = text.index("</section>", start)
    return html_lib.unescape(text[start:end])


def option_value(section_html: str, text: str) -> str:
    match = re.search(r'<option value="([^"]+)"[^>]*>' + re.escape(text) + "</option>", section_html)
    assert match, f"no option «{text}»"
    return match.group(1)


def select_name_for_label(section_html: str, text: str) -> str:
    match = re.search(r'<label for="([^"]+)">' + re.escape(text) + "</label>", section_html)
    assert match, f"no label «{text}»"
    field = re.search(r'<select name="([^"]+)" id="' + re.escape(match.group(1)) + '"', section_html)
    return field.group(1)


def submit_url(page, usage_id: str) -> str:
    return reverse("content:activity_submit", kwargs={"page_id": page.pk, "usage_id": usage_id})


def post_answer(client, page, usage_id, data, *, submission_id=None, as_json=False, marks=None):
    """Answer as the page's form does (``as_json``: as activities.js does, sending the page's ``marks``)."""
    payload = {"submission_id": submission_id or str(uuid.uuid4()), "next": page.url, **data}
    extra = {"HTTP_ACCEPT": "application/json"} if as_json else {}
    if marks is not None:
        extra["HTTP_X_RUTA_MARKS"] = marks
    return client.post(submit_url(page, usage_id), payload, **extra)


def answers(kind: str, section_html: str) -> tuple[dict, dict]:
    """(correct answer, wrong answer) as form fields for each activity of ``VALUES``."""
    if kind == "single_choice":
        return {"choice": "1"}, {"choice": "0"}
    if kind == "multiple_choice":
        return {"choices": ["0", "2"]}, {"choices": ["0", "1"]}
    if kind == "true_false":
        return {"value": "true"}, {"value": "false"}
    if kind == "fill_blanks":
        return {"blank": ["Gastos", "periodo"]}, {"blank": ["ventas", "período"]}
    if kind == "matching":
        values = {
            text: option_value(section_html, text) for text in ("Dinero que entra", "Dinero que sale", "Lo que queda")
        }
        right = {
            "match_0": values["Dinero que entra"],
            "match_1": values["Dinero que sale"],
            "match_2": values["Lo que queda"],
        }
        wrong = {**right, "match_0": values["Dinero que sale"], "match_1": values["Dinero que entra"]}
        return right, wrong
    if kind == "ordering":
        steps = ["Elegir el régimen tributario", "Obtener el RUC", "Emitir comprobantes"]
        names = [select_name_for_label(section_html, step) for step in steps]
        right = {name: str(i + 1) for i, name in enumerate(names)}
        wrong = {names[0]: "2", names[1]: "1", names[2]: "3"}
        return right, wrong
    raise AssertionError(kind)
