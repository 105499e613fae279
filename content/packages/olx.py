"""Open edX OLX (course export ``.tar.gz``, or a v1 content library) → outline.

chapter → module; sequential (subsection) → lesson; each vertical (unit) of it → a heading and its components:
``html`` → sanitised rich text (``/static/…`` links kept as package files), CAPA ``problem`` →
activities with answers and feedback (multiple choice, checkboxes, dropdown, text input, numerical input),
``video`` → a link to the external video (nothing is fetched). Anything else is listed as not supported.

Author Python in problems (``<script type="loncapa/python">``, ``customresponse``) is **never executed**:
such problems are reported as not supported and skipped.

Pure: reads files through a SafeArchive-like object, no Django models. Must not import courses or certification.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Protocol
from xml.etree.ElementTree import Element  # noqa: S405 - type only

from django.utils.translation import gettext as _

from .errors import PackageRefused
from .outline import (
    Block,
    Choice,
    ChoiceActivity,
    Lesson,
    MediaFile,
    Module,
    NumericActivity,
    Outline,
    RichText,
    TextEntryActivity,
    Unsupported,
    Video,
)
from .report import Findings
from .safexml import html_to_text, local, parse_xml, sanitize_html
from .shapes import items, obj


class PackageFiles(Protocol):
    def names(self) -> list[str]: ...
    def has(self, name: str) -> bool: ...
    def size(self, name: str) -> int: ...
    def read(self, name: str, *, max_size: int | None = None) -> bytes: ...


@dataclass
class OlxParse:
    outline: Outline
    findings: Findings
    unsupported: dict[str, int] = field(default_factory=dict)


def find_olx_root(names: list[str]) -> tuple[str, str] | None:
    """``(kind, prefix)`` — ("course", "course/") or ("library", "library/") — or None."""
    best: tuple[str, str] | None = None
    for name in names:
        base = posixpath.basename(name)
        if base not in ("course.xml", "library.xml") or name.count("/") > 1:
            continue
        prefix = name[: -len(base)]
        if base == "library.xml" and posixpath.basename(prefix.rstrip("/")) not in ("library", ""):
            continue
        kind = "course" if base == "course.xml" else "library"
        if best is None or len(prefix) < len(best[1]) or (kind == "course" and best[0] == "library"):
            best = (kind, prefix)
    return best


SUPPORTED_RESPONSES = {
    "multiplechoiceresponse",
    "choiceresponse",
    "optionresponse",
    "stringresponse",
    "numericalresponse",
    "truefalseresponse",
}
_STATIC = re.compile(r"""(src|href)\s*=\s*(["'])/static/([^"'?#]+)""", re.I)


class _Olx:
    def __init__(self, files: PackageFiles, prefix: str, findings: Findings) -> None:
        self.files = files
        self.prefix = prefix
        self.findings = findings
        self.policy: dict[str, Any] = {}
        self.unsupported: dict[str, int] = {}
        self.static_refs: set[str] = set()
        self.missing_static: set[str] = set()

    def path(self, *parts: str) -> str:
        return self.prefix + "/".join(parts)

    def load_xml(self, *parts: str) -> Element:
        name = self.path(*parts)
        return parse_xml(self.files.read(name), name=name)

    def resolve(self, el: Element) -> Element:
        """Follow a pointer tag (``<chapter url_name="x"/>``) to ``chapter/x.xml``; attributes merge."""
        url_name = el.get("url_name", "")
        if url_name and len(el) == 0 and not (el.text or "").strip():
            rel = (local(el.tag), f"{url_name}.xml")
            if self.files.has(self.path(*rel)):
                loaded = self.load_xml(*rel)
                merged = dict(el.attrib)
                merged.update(loaded.attrib)
                loaded.attrib = merged
                return loaded
        return el

    def display_name(self, el: Element, default: str = "") -> str:
        name = el.get("display_name", "")
        if not name:
            key = f"{local(el.tag)}/{el.get('url_name', '')}"
            name = str(obj(self.policy.get(key)).get("display_name", ""))
        return html_to_text(name) or default

    def note_unsupported(self, kind: str) -> None:
        self.unsupported[kind] = self.unsupported.get(kind, 0) + 1

    # --- components
    def html_block(self, el: Element) -> Block | None:
        markup = ""
        filename = el.get("filename", "")
        if filename:
            name = self.path("html", f"{filename}.html")
            if self.files.has(name):
                markup = self.files.read(name).decode("utf-8", errors="replace")
            else:
                self.findings.warning(
                    "olx_missing_html", _("Falta el texto «%(f)s» del curso.") % {"f": name}, path=name
                )
        else:
            from xml.etree.ElementTree import tostring  # noqa: S405 - serialising an already-parsed tree

            markup = (el.text or "") + "".join(tostring(c, encoding="unicode") for c in el)
        for match in _STATIC.finditer(markup):
            ref = match.group(3)
            if self.files.has(self.path("static", ref)):
                self.static_refs.add(ref)
            else:
                self.missing_static.add(ref)
        markup = _STATIC.sub(lambda m: f"{m.group(1)}={m.group(2)}static/{m.group(3)}", markup)
        clean = sanitize_html(markup)
        return RichText(html=clean) if clean else None

    def video_block(self, el: Element) -> Block:
        title = self.display_name(el, _("Vídeo"))
        url = ""
        youtube = el.get("youtube_id_1_0", "")
        if not youtube and el.get("youtube"):
            youtube = el.get("youtube", "").split(",")[0].split(":")[-1]
        if youtube:
            url = f"https://www.youtube.com/watch?v={youtube}"
        else:
            try:
                sources = items(json.loads(el.get("html5_sources", "[]") or "[]"))
            except (ValueError, RecursionError):
                sources = []
            sources += [s.get("src", "") for s in el if local(s.tag) == "source"]
            url = next((s for s in sources if isinstance(s, str) and s.startswith(("https://", "http://"))), "")
        if not url:
            self.findings.warning(
                "olx_video_without_url", _("El vídeo «%(t)s» no tiene una dirección externa; se omite.") % {"t": title}
            )
            return Unsupported(kind="video", title=title, reason=_("vídeo sin dirección externa"))
        return Video(url=url, title=title)

    def problem_blocks(self, el: Element) -> list[Block]:
        title = self.display_name(el, _("Problema"))
        blocks, reason = capa_to_activities(el, source_id=el.get("url_name", ""))
        if reason:
            self.note_unsupported("problem")
            self.findings.warning(
                "olx_problem_unsupported",
                _("El problema «%(t)s» no se importa: %(r)s.") % {"t": title, "r": reason},
                path=el.get("url_name", ""),
            )
            return [Unsupported(kind="problem", title=title, reason=reason, source_id=el.get("url_name", ""))]
        return blocks

    def component(self, el: Element) -> list[Block]:
        el = self.resolve(el)
        tag = local(el.tag)
        if el.get("visible_to_staff_only") == "true":
            return []
        if tag == "html":
            block = self.html_block(el)
            return [block] if block else []
        if tag == "problem":
            return self.problem_blocks(el)
        if tag == "video":
            return [self.video_block(el)]
        if tag == "vertical":
            return [b for sub in el for b in self.component(sub)]
        self.note_unsupported(tag)
        return [Unsupported(kind=tag, title=self.display_name(el, tag), reason=_("componente no compatible con Ruta"))]

    def lesson(self, seq: Element) -> Lesson:
        title = self.display_name(seq, _("Lección"))
        blocks: list[Block] = []
        units = [self.resolve(u) for u in seq]
        verticals = [u for u in units if local(u.tag) == "vertical"]
        for unit in units:
            if local(unit.tag) == "vertical":
                if unit.get("visible_to_staff_only") == "true":
                    continue
                if len(verticals) > 1:
                    heading = self.display_name(unit)
                    if heading:
                        blocks.append(RichText(html=sanitize_html(f"<h2>{_escape(heading)}</h2>")))
                for comp in unit:
                    blocks.extend(self.component(comp))
            else:
                blocks.extend(self.component(unit))
        return Lesson(title=title, blocks=blocks, source_id=seq.get("url_name", ""))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def parse_olx(files: PackageFiles) -> OlxParse:
    root = find_olx_root(files.names())
    if root is None:
        raise PackageRefused(
            _("El archivo no contiene un curso de Open edX (falta «course.xml»)."), code="olx_no_course"
        )
    kind, prefix = root
    findings = Findings()
    olx = _Olx(files, prefix, findings)
    if kind == "library":
        return _parse_library(olx)
    pointer = olx.load_xml("course.xml")
    url_name = pointer.get("url_name", "")
    _load_policy(olx, url_name)
    course = olx.resolve(pointer)
    modules = _read_chapters(olx, course)
    if not modules:
        findings.error("olx_empty", _("El curso de Open edX no tiene ningún módulo (chapter)."))
    outline = Outline(
        title=olx.display_name(course, _("Curso de Open edX")),
        format="olx",
        format_version="olx",
        # The course key of an Open edX course run (course-v1:org+course+run); the run is course.xml's url_name.
        identifier=f"course-v1:{course.get('org', '')}+{course.get('course', '')}+{url_name}",
        description=_short_description(olx),
        language=course.get("language", ""),
        modules=modules,
    )
    _finish(olx, outline)
    return OlxParse(outline=outline, findings=findings, unsupported=olx.unsupported)


def _load_policy(olx: _Olx, url_name: str) -> None:
    # Display names edited in Studio often live only in policies/<run>/policy.json, keyed "<tag>/<url_name>"
    # (OLX docs, "Course Policies"), not on the XML elements; ``display_name`` looks there next.
    policy_name = olx.path("policies", url_name, "policy.json")
    if not url_name or not olx.files.has(policy_name):
        return
    try:
        policy = json.loads(olx.files.read(policy_name).decode("utf-8"))
    except (ValueError, UnicodeError, RecursionError):
        policy = None
    if not isinstance(policy, dict):  # policy.json is an object keyed "<tag>/<url_name>"; anything else is damage
        olx.findings.warning("olx_bad_policy", _("El archivo de políticas del curso está dañado; se ignora."))
        return
    olx.policy = policy


def _short_description(olx: _Olx) -> str:
    # The catalogue's one-line summary (OLX docs, "Course About pages": about/short_description.html).
    name = olx.path("about", "short_description.html")
    if not olx.files.has(name):
        return ""
    return html_to_text(olx.files.read(name).decode("utf-8", "replace"))


def _read_chapters(olx: _Olx, course: Element) -> list[Module]:
    """chapter → module, each sequential (subsection) in it → a lesson; staff-only chapters are left out."""
    modules: list[Module] = []
    for chapter_ptr in course:
        # <course> may also hold <wiki> and other non-courseware children (OLX docs, "The Courseware Structure").
        if local(chapter_ptr.tag) != "chapter":
            continue
        chapter = olx.resolve(chapter_ptr)
        if chapter.get("visible_to_staff_only") == "true":
            continue
        lessons = [olx.lesson(olx.resolve(seq)) for seq in chapter if local(seq.tag) == "sequential"]
        modules.append(
            Module(title=olx.display_name(chapter, _("Módulo")), lessons=lessons, source_id=chapter.get("url_name", ""))
        )
    return modules


def _parse_library(olx: _Olx) -> OlxParse:
    library = olx.load_xml("library.xml")
    title = olx.display_name(library, _("Biblioteca de Open edX"))
    blocks: list[Block] = []
    for comp in library:
        blocks.extend(olx.component(comp))
    outline = Outline(
        title=title,
        format="olx",
        format_version="olx-library",
        identifier=f"library-v1:{library.get('org', '')}+{library.get('library', '')}",
        modules=[Module(title=title, lessons=[Lesson(title=title, blocks=blocks)])],
    )
    _finish(olx, outline)
    return OlxParse(outline=outline, findings=olx.findings, unsupported=olx.unsupported)


def _finish(olx: _Olx, outline: Outline) -> None:
    outline.provenance.source_format = "olx"
    outline.provenance.source_identifier = outline.identifier
    outline.provenance.original_title = outline.title
    outline.media = [
        MediaFile(path=olx.path("static", ref), ref=f"static/{ref}", size=olx.files.size(olx.path("static", ref)))
        for ref in sorted(olx.static_refs)
    ]
    labels = {
        "discussion": _("foros de discusión"),
        "lti": _("herramientas externas LTI"),
        "lti_consumer": _("herramientas externas LTI"),
        "openassessment": _("evaluación entre pares (ORA)"),
        "poll": _("encuestas rápidas"),
        "survey": _("encuestas"),
        "drag-and-drop-v2": _("arrastrar y soltar"),
        "library_content": _("contenido aleatorio de biblioteca"),
        "edx_sga": _("entrega de tareas"),
        "staffgradedxblock": _("tareas calificadas por el equipo docente"),
        "annotatable": _("anotaciones"),
        "done": _("botón «hecho»"),
    }
    for kind, count in sorted(olx.unsupported.items()):
        if kind == "problem":
            continue
        olx.findings.warning(
            "olx_component_unsupported",
            _("%(n)s componente(s) «%(k)s» (%(l)s) no se importan: Ruta no los admite.")
            % {"n": count, "k": kind, "l": labels.get(kind, _("tipo desconocido"))},
            path=kind,
        )
    if olx.missing_static:
        shown = ", ".join(sorted(olx.missing_static)[:5]) + ("…" if len(olx.missing_static) > 5 else "")
        olx.findings.warning(
            "olx_missing_static",
            _("Faltan %(n)s archivo(s) enlazados desde los textos (%(f)s); esos enlaces quedarán rotos.")
            % {"n": len(olx.missing_static), "f": shown},
        )


# --- CAPA problems -----------------------------------------------------------------------------------------

_SKIP_IN_TEXT = {"choicehint", "optionhint", "solution", "script", "style", "correcthint", "stringequalhint"}


def _text_of(el: Element | None) -> str:
    if el is None:
        return ""
    parts: list[str] = []

    def walk(node: Element) -> None:
        if local(node.tag) in _SKIP_IN_TEXT:
            return
        if node.text:
            parts.append(node.text)
        for sub in node:
            walk(sub)
            if sub.tail:
                parts.append(sub.tail)

    walk(el)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _hint(choice: Element, *, selected: bool = True) -> str:
    for sub in choice:
        if local(sub.tag) in ("choicehint", "optionhint"):
            flag = sub.get("selected")
            if flag is None or (flag.lower() == "true") == selected:
                return _text_of_all(sub)
    return ""


def _text_of_all(el: Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def _find(el: Element, name: str) -> Element | None:
    for node in el.iter():
        if local(node.tag) == name:
            return node
    return None


def capa_to_activities(problem: Element, *, source_id: str = "") -> tuple[list[Block], str]:
    """``(blocks, "")`` or ``([], reason)`` when the problem cannot be converted. Never runs author code."""
    responses = [n for n in problem.iter() if local(n.tag).endswith("response")]
    if any(local(n.tag) == "script" for n in problem.iter()):
        return [], _("contiene código Python del autor, que Ruta nunca ejecuta")
    if not responses:
        return [], _("no tiene ninguna pregunta reconocible")
    odd = sorted({local(r.tag) for r in responses} - SUPPORTED_RESPONSES)
    if odd:
        return [], _("usa un tipo de pregunta no compatible (%(t)s)") % {"t": ", ".join(odd)}
    solution = _find(problem, "solution")
    explanation = html_to_text(_text_of_all(solution)) if solution is not None else ""
    # Text of the problem outside its responses (a prompt written as <p> before the response).
    outer = [
        _text_of(p)
        for p in problem
        if local(p.tag) in ("p", "div", "text") and not any(local(n.tag).endswith("response") for n in p.iter())
    ]
    blocks: list[Block] = []
    for index, response in enumerate(responses):
        label = _find(response, "label")
        description = _find(response, "description")
        prompt = _text_of(label) if label is not None else ""
        if description is not None:
            prompt = f"{prompt}\n{_text_of(description)}".strip()
        if not prompt and index == 0:
            prompt = "\n".join(t for t in outer if t)
        response_solution = _find(response, "solution")
        response_explanation = (
            html_to_text(_text_of_all(response_solution)) if response_solution is not None else explanation
        )
        sid = f"{source_id}-{index}" if len(responses) > 1 else source_id
        block = _response(response, prompt, response_explanation, sid)
        if isinstance(block, str):
            return [], block
        blocks.append(block)
    return blocks, ""


def _response(response: Element, prompt: str, explanation: str, sid: str) -> Block | str:
    """One CAPA response as an activity, or the reason it cannot be one."""
    tag = local(response.tag)
    if tag in ("multiplechoiceresponse", "choiceresponse", "truefalseresponse"):
        return _choice_response(response, tag, prompt, explanation, sid)
    if tag == "optionresponse":
        return _option_response(response, prompt, explanation, sid)
    if tag == "stringresponse":
        return _string_response(response, prompt, explanation, sid)
    if tag == "numericalresponse":
        return _numerical_response(response, prompt, explanation, sid)
    return _("usa un tipo de pregunta no compatible (%(t)s)") % {"t": tag}


def _choice_response(response: Element, tag: str, prompt: str, explanation: str, sid: str) -> Block | str:
    # <choicegroup> (one answer) and <checkboxgroup> (several) hold <choice correct="true|false">; a choice's
    # <choicehint selected="true"> is the feedback for ticking it (OLX docs, "Checkbox Problem").
    choices = []
    for choice in response.iter():
        if local(choice.tag) != "choice":
            continue
        correct = (choice.get("correct") or "").lower() == "true"
        choices.append(Choice(text=_text_of(choice), correct=correct, feedback=_hint(choice, selected=True)))
    if not choices or not any(c.correct for c in choices):
        return _("la pregunta no tiene respuestas correctas marcadas")
    return ChoiceActivity(
        prompt=prompt, choices=choices, multiple=tag == "choiceresponse", explanation=explanation, source_id=sid
    )


def _option_response(response: Element, prompt: str, explanation: str, sid: str) -> Block | str:
    optioninput = _find(response, "optioninput")
    if optioninput is None:
        return _("la lista desplegable no tiene opciones")
    choices = []
    options = [o for o in optioninput if local(o.tag) == "option"]
    if options:
        for option in options:
            correct = (option.get("correct") or "").lower() == "true"
            choices.append(Choice(text=_text_of(option), correct=correct, feedback=_hint(option)))
    else:
        # The older dropdown syntax (OLX docs, "Dropdown Problem"): options="('a','b')" correct="b", with
        # backslash-escaped quotes inside the values.
        raw = optioninput.get("options", "")
        correct_text = optioninput.get("correct", "")
        for value in re.findall(r"'((?:[^'\\]|\\.)*)'", raw):
            choices.append(Choice(text=value, correct=value == correct_text))
    if not choices or not any(c.correct for c in choices):
        return _("la lista desplegable no tiene respuesta correcta")
    return ChoiceActivity(prompt=prompt, choices=choices, style="dropdown", explanation=explanation, source_id=sid)


def _string_response(response: Element, prompt: str, explanation: str, sid: str) -> Block | str:
    # answer= plus any <additional_answer>; type= is a space-separated list where "ci" makes it case-insensitive
    # and "regexp" makes every answer a regular expression (OLX docs, "Text Input Problem").
    answers = [response.get("answer", "")] + [
        a.get("answer", "") or _text_of_all(a) for a in response.iter() if local(a.tag) == "additional_answer"
    ]
    answers = [a for a in answers if a]
    kind = (response.get("type") or "").lower().split()
    if not answers:
        return _("la pregunta de texto no tiene respuesta")
    return TextEntryActivity(
        prompt=prompt,
        answers=answers,
        case_sensitive="ci" not in kind,
        regexp="regexp" in kind,
        explanation=explanation,
        source_id=sid,
    )


def _numerical_response(response: Element, prompt: str, explanation: str, sid: str) -> Block | str:
    raw = response.get("answer", "")
    try:
        answer = float(raw)
    except ValueError:
        # "$x" or a formula: answers computed by the author's Python, which Ruta never runs.
        return _("la respuesta numérica depende de variables o fórmulas («%(a)s»)") % {"a": raw}
    tolerance = 0.0
    # <responseparam type="tolerance" default="0.5"/> is absolute; "5%" is relative to the answer
    # (OLX docs, "Numerical Input Problem").
    for param in response.iter():
        if local(param.tag) == "responseparam" and param.get("type") == "tolerance":
            value = (param.get("default") or "0").strip()
            try:
                tolerance = abs(answer) * float(value[:-1]) / 100 if value.endswith("%") else float(value)
            except ValueError:
                tolerance = 0.0
    return NumericActivity(prompt=prompt, answer=answer, tolerance=tolerance, explanation=explanation, source_id=sid)
