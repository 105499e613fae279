"""H5P (``.h5p``): validation of ``h5p.json``, ``content/content.json`` and the bundled libraries, and conversion
of question types into Ruta activities.

Converted (answers and feedback kept, HTML stripped to plain text, no script survives):
Multiple Choice, True/False, Fill in the Blanks, Drag the Words, Mark the Words, Single Choice Set,
Question Set (each question), Course Presentation (text and question elements of each slide).
Anything else is played as is with h5p-standalone (``PackagePlayer``), which needs the bundled libraries.

Pure: reads files through the ``PackageFiles`` protocol (a SafeArchive), no Django models.
Must not import courses or certification.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from .errors import PackageRefused
from .outline import (
    Blank,
    Block,
    Choice,
    ChoiceActivity,
    FillBlanksActivity,
    Image,
    Lesson,
    MarkWordsActivity,
    Module,
    Outline,
    PackagePlayer,
    RichText,
    Unsupported,
)
from .report import Findings
from .safexml import html_to_text, sanitize_html
from .shapes import items, obj, objects, string

# h5p-standalone 3.8 implements the H5P core API 1.24 (the newest that the corpus' libraries require).
SUPPORTED_CORE_API = (1, 24)
LIBRARY_DIR = re.compile(r"^[A-Za-z0-9_.\-]+-\d+\.\d+$")
LANGUAGE_FILE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*\.json$")
MAX_JSON = 8 * 1024 * 1024


class PackageFiles(Protocol):
    def names(self) -> list[str]: ...
    def has(self, name: str) -> bool: ...
    def read(self, name: str, *, max_size: int | None = None) -> bytes: ...


@dataclass
class H5PParse:
    outline: Outline
    findings: Findings
    main_library: str
    libraries: list[str]


def _json(files: PackageFiles, name: str, *, code: str, message: str) -> Any:
    try:
        return json.loads(files.read(name, max_size=MAX_JSON).decode("utf-8-sig"))
    except (ValueError, UnicodeError, RecursionError) as exc:
        raise PackageRefused(message, code=code, detail=f"{name}: {exc}") from exc


def _lib_key(dep: dict[str, Any]) -> str:
    return f"{dep.get('machineName')}-{dep.get('majorVersion')}.{dep.get('minorVersion')}"


def parse_h5p(files: PackageFiles) -> H5PParse:
    findings = Findings()
    meta, deps = _read_manifest(files)
    content = _read_content(files)
    libraries = _check_libraries(files, deps, findings)
    main = str(meta["mainLibrary"])
    main_dep = next((d for d in deps if d.get("machineName") == main), None)
    main_label = f"{main} {main_dep.get('majorVersion')}.{main_dep.get('minorVersion')}" if main_dep else main
    title = html_to_text(str(meta.get("title") or "")) or _("Contenido H5P")
    lessons = _converted_lessons(main, content, title, findings)
    needs_player = not lessons.fully_converted
    if needs_player:
        lessons.lessons.append(_player_lesson(title, main_label, after_converted=bool(lessons.lessons)))
        # The player loads the bundled libraries: one that is missing breaks it, so the warning becomes an error.
        for f in findings.items:
            if f.code == "h5p_missing_library":
                f.level = "error"
    outline = Outline(
        title=title,
        format="h5p",
        format_version=main_label,
        language=str(meta.get("language") or ""),
        modules=[Module(title=title, lessons=lessons.lessons)],
        keeps_package_files=needs_player,
    )
    _record_provenance(outline, meta, title, findings)
    return H5PParse(outline=outline, findings=findings, main_library=main_label, libraries=libraries)


def _read_manifest(files: PackageFiles) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``h5p.json`` and its ``preloadedDependencies``, or ``PackageRefused``."""
    if not files.has("h5p.json"):
        raise PackageRefused(_("El paquete H5P no tiene el archivo «h5p.json»."), code="h5p_no_manifest")
    meta = _json(
        files,
        "h5p.json",
        code="h5p_bad_manifest",
        message=_("El archivo «h5p.json» está dañado (no es JSON válido). Vuelva a exportar el contenido H5P."),
    )
    # The package definition (h5p.org "Package Definition (h5p.json)") makes title, mainLibrary, language,
    # preloadedDependencies and embedTypes mandatory; exporters often drop the last three, which the player can
    # do without, so only the first two are required here.
    if not isinstance(meta, dict) or not meta.get("mainLibrary") or not meta.get("title"):
        raise PackageRefused(
            _("El archivo «h5p.json» está incompleto: le falta el título o la biblioteca principal (mainLibrary)."),
            code="h5p_bad_manifest",
        )
    deps = meta.get("preloadedDependencies") or []
    if not isinstance(deps, list) or not all(isinstance(d, dict) for d in deps):
        raise PackageRefused(
            _("El archivo «h5p.json» tiene una lista de dependencias no válida."), code="h5p_bad_manifest"
        )
    return meta, deps


def _read_content(files: PackageFiles) -> Any:
    # The H5P file specification ("Package file structure") puts the main library's parameters, and nothing else,
    # in content/content.json; the media it refers to sit beside it under content/.
    if not files.has("content/content.json"):
        raise PackageRefused(_("El paquete H5P no tiene el contenido («content/content.json»)."), code="h5p_no_content")
    return _json(
        files,
        "content/content.json",
        code="h5p_bad_content",
        message=_("El contenido del paquete H5P («content/content.json») está dañado (no es JSON válido)."),
    )


@dataclass
class _Converted:
    lessons: list[Lesson]
    fully_converted: bool


def _converted_lessons(main: str, content: Any, title: str, findings: Findings) -> _Converted:
    """The lessons Ruta can build from the content: a lesson per slide for Course Presentation, else one."""
    blocks, fully_converted = convert_h5p(main, content, findings, lesson_slides=main == "H5P.CoursePresentation")
    lessons: list[Lesson]
    if main == "H5P.CoursePresentation":
        lessons = [lesson for lesson in blocks if isinstance(lesson, Lesson)]
    else:
        lessons = [Lesson(title=title, blocks=[b for b in blocks if isinstance(b, Block)])] if blocks else []
    # A lesson whose every question was incomplete or not convertible would be empty in Ruta.
    lessons = [lesson for lesson in lessons if any(not isinstance(b, Unsupported) for b in lesson.blocks)]
    return _Converted(lessons=lessons, fully_converted=fully_converted)


def _player_lesson(title: str, main_label: str, *, after_converted: bool) -> Lesson:
    """A lesson playing the whole package in the H5P player (what Ruta could not convert stays playable)."""
    return Lesson(
        title=_("%(t)s (H5P interactivo)") % {"t": title} if after_converted else title,
        blocks=[PackagePlayer(engine="h5p", title=title, launch="h5p.json", library=main_label)],
    )


def _record_provenance(outline: Outline, meta: dict[str, Any], title: str, findings: Findings) -> None:
    outline.provenance.source_format = "h5p"
    outline.provenance.original_title = title
    outline.provenance.licence = str(meta.get("license") or "")
    authors = meta.get("authors") or []
    if isinstance(authors, list):
        outline.provenance.authors = ", ".join(str(a.get("name", "")) for a in authors if isinstance(a, dict))
    # h5p.json's "license" uses H5P's own codes; "U" is "Undisclosed", the editor's default.
    if meta.get("license") in (None, "", "U"):
        findings.info(
            "h5p_licence_undisclosed", _("El contenido H5P no declara licencia; confirme que puede reutilizarlo.")
        )


def _check_libraries(files: PackageFiles, deps: list[dict[str, Any]], findings: Findings) -> list[str]:
    """The bundled library folders that are valid (``name-major.minor``); problems go to ``findings``."""
    names = files.names()
    tops = sorted({n.split("/", 1)[0] for n in names if "/" in n})
    present: dict[str, dict[str, Any]] = {}
    for top in tops:
        if top == "content":
            continue
        lib = _check_library(files, top, findings)
        if lib is None:
            continue
        _check_core_api(lib, top, findings)
        _check_library_files(files, lib, top, findings)
        _check_language_files(files, names, top, findings)
        present[top] = lib
    _check_dependencies(deps, present, findings)
    return sorted(present)


def _check_library(files: PackageFiles, top: str, findings: Findings) -> dict[str, Any] | None:
    """The folder's ``library.json`` when the folder is a well-formed library, else None."""
    # Every top-level folder but content/ is a library, named machineName-majorVersion.minorVersion (H5P file
    # specification, "Package file structure"; h5p.org "Library Definition (library.json)").
    if not LIBRARY_DIR.match(top):
        findings.error(
            "h5p_bad_library_folder",
            _("La carpeta «%(d)s» del paquete no es una biblioteca H5P válida (nombre no permitido).") % {"d": top},
            path=top,
        )
        return None
    lib_json = f"{top}/library.json"
    if not files.has(lib_json):
        findings.error("h5p_bad_library", _("La biblioteca «%(d)s» no tiene «library.json».") % {"d": top}, path=top)
        return None
    try:
        lib = json.loads(files.read(lib_json, max_size=MAX_JSON).decode("utf-8-sig"))
    except (ValueError, UnicodeError, RecursionError):
        findings.error("h5p_bad_library", _("El «library.json» de «%(d)s» está dañado.") % {"d": top}, path=lib_json)
        return None
    required = ("machineName", "majorVersion", "minorVersion", "patchVersion")
    if not isinstance(lib, dict) or any(lib.get(k) in (None, "") for k in required):
        findings.error(
            "h5p_bad_library",
            _("El «library.json» de «%(d)s» está incompleto (nombre o versión).") % {"d": top},
            path=lib_json,
        )
        return None
    expected = f"{lib['machineName']}-{lib['majorVersion']}.{lib['minorVersion']}"
    if expected != top:
        findings.error(
            "h5p_bad_library_folder",
            _("La carpeta «%(d)s» no coincide con la biblioteca que contiene («%(e)s»).") % {"d": top, "e": expected},
            path=top,
        )
        return None
    return lib


def _check_core_api(lib: dict[str, Any], top: str, findings: Findings) -> None:
    # library.json "coreApi" is the H5P core the library needs (1.0 when absent); ours is h5p-standalone's.
    core = lib.get("coreApi") or {}
    if not isinstance(core, dict) or not core:
        return
    try:
        wanted = (int(core.get("majorVersion", 0)), int(core.get("minorVersion", 0)))
    except (TypeError, ValueError, OverflowError):  # OverflowError: a version of Infinity
        wanted = (99, 99)
    if wanted > SUPPORTED_CORE_API:
        findings.error(
            "h5p_core_too_new",
            _("La biblioteca «%(d)s» necesita una versión de H5P (%(v)s) más nueva que la de Ruta (%(r)s).")
            % {"d": top, "v": ".".join(map(str, wanted)), "r": ".".join(map(str, SUPPORTED_CORE_API))},
            path=f"{top}/library.json",
        )


def _check_library_files(files: PackageFiles, lib: dict[str, Any], top: str, findings: Findings) -> None:
    for key in ("preloadedJs", "preloadedCss"):
        for entry in items(lib.get(key)):
            path = f"{top}/{entry.get('path', '')}" if isinstance(entry, dict) else ""
            if not path or not files.has(path):
                findings.error(
                    "h5p_missing_library_file",
                    _("Falta el archivo «%(f)s» que necesita la biblioteca «%(d)s».") % {"f": path, "d": top},
                    path=path,
                )


def _check_language_files(files: PackageFiles, names: list[str], top: str, findings: Findings) -> None:
    # A library's translations are language/<code>.json; the player loads them by name, so a stray file there is
    # either a broken translation or something smuggled in.
    for name in names:
        if not (name.startswith(f"{top}/language/") and name.count("/") == 2):
            continue
        base = name.rsplit("/", 1)[1]
        if not LANGUAGE_FILE.match(base):
            findings.error(
                "h5p_bad_language",
                _("El archivo de idioma «%(f)s» tiene un nombre no válido.") % {"f": name},
                path=name,
            )
            continue
        try:
            json.loads(files.read(name, max_size=MAX_JSON).decode("utf-8-sig"))
        except (ValueError, UnicodeError, RecursionError):
            findings.error("h5p_bad_language", _("El archivo de idioma «%(f)s» está dañado.") % {"f": name}, path=name)


def _check_dependencies(deps: list[dict[str, Any]], present: dict[str, dict[str, Any]], findings: Findings) -> None:
    # every dependency, transitively, must be bundled (Ruta never downloads libraries from the H5P hub)
    seen: set[str] = set()
    queue = [d for d in deps if isinstance(d, dict)]
    while queue:
        dep = queue.pop()
        key = _lib_key(dep)
        if key in seen:
            continue
        seen.add(key)
        if key not in present:
            findings.warning(
                "h5p_missing_library",
                _("Falta la biblioteca H5P «%(l)s» en el paquete (exporte el H5P con sus bibliotecas).") % {"l": key},
                path=key,
            )
            continue
        queue.extend(objects(present[key].get("preloadedDependencies")))


# --- conversion ------------------------------------------------------------------------------------------------

_BLANK = re.compile(r"\*([^*\n]+)\*")
#: a "mark the words" text with more distinct words than this is not turned into a multiple-choice question
MARK_WORDS_MAX = 20


def mark_words_options(text: str) -> list[str]:
    """The distinct words of a "mark the words" text, as the options of the converted question."""
    words = dict.fromkeys(w.strip(".,;:¡!¿?()«»\"'") for w in text.split())
    return [w for w in words if w]


def _text(value: Any) -> str:
    return html_to_text(str(value or ""))


def _machine(library: str) -> str:
    return str(library or "").split(" ", 1)[0]


def _split_answer(raw: str) -> tuple[list[str], str]:
    """``*blue/Blue:a colour*`` → (["blue", "Blue"], "a colour"); drag-text feedback (``\\+`` / ``\\-``) dropped."""
    raw = re.split(r"\\[+-]", raw, maxsplit=1)[0]
    answer, _sep, tip = raw.partition(":")
    answers = [a.strip() for a in answer.split("/") if a.strip()]
    return answers, tip.strip()


def _blanks_from(text: str) -> tuple[str, list[Blank]]:
    blanks: list[Blank] = []

    def repl(match: re.Match[str]) -> str:
        answers, tip = _split_answer(match.group(1))
        if not answers:
            return match.group(0)
        blanks.append(Blank(answers=answers, tip=tip))
        return f"[[{len(blanks)}]]"

    return _BLANK.sub(repl, text), blanks


def _incomplete(kind: str, title: str, findings: Findings) -> Unsupported:
    findings.warning(
        "h5p_incomplete",
        _("La pregunta H5P «%(t)s» (%(k)s) está incompleta (sin enunciado o sin respuestas correctas); se omite.")
        % {"t": title or kind, "k": kind},
    )
    return Unsupported(kind=kind, title=title, reason=_("pregunta incompleta"))


def _convert_one(library: str, params: dict[str, Any], findings: Findings, sub_id: str = "") -> list[Block] | None:
    """Blocks for one H5P content, ``None`` when Ruta cannot convert it."""
    kind = _machine(library)
    converter = _CONVERTERS.get(kind)
    # params come from the package's JSON: anything but an object carries nothing to convert
    return converter(kind, obj(params), findings, string(sub_id)) if converter is not None else None


# Each converter reads the parameters the library's semantics.json defines (the content.json of a package, or the
# "params" of a sub-content); field names below are those of the H5P libraries, not Ruta's.


def _multi_choice(kind: str, params: dict[str, Any], findings: Findings, sub_id: str) -> list[Block]:
    prompt = _text(params.get("question"))
    choices = []
    for answer in objects(params.get("answers")):
        text = _text(answer.get("text"))
        if not text:
            continue
        tips = obj(answer.get("tipsAndFeedback"))
        choices.append(
            Choice(text=text, correct=bool(answer.get("correct")), feedback=_text(tips.get("chosenFeedback")))
        )
    if not prompt or not choices or not any(c.correct for c in choices):
        return [_incomplete(kind, prompt, findings)]
    behaviour = obj(params.get("behaviour"))
    # behaviour.type is "auto" by default: H5P then shows checkboxes only when more than one answer is correct.
    multiple = behaviour.get("type") == "multi" or (
        behaviour.get("type") != "single" and sum(c.correct for c in choices) > 1
    )
    blocks: list[Block] = []
    # "media" is an optional sub-content (H5P.Image); only a file inside the package is kept, never a remote URL.
    media = obj(obj(obj(params.get("media")).get("type")).get("params"))
    path = string(obj(media.get("file")).get("path"))
    if path and "://" not in path:
        blocks.append(Image(path=f"content/{path}", alt=_text(media.get("alt"))))
    blocks.append(ChoiceActivity(prompt=prompt, choices=choices, multiple=multiple, source_id=sub_id))
    return blocks


def _true_false(kind: str, params: dict[str, Any], findings: Findings, sub_id: str) -> list[Block]:
    prompt = _text(params.get("question"))
    # "correct" is the string "true" or "false" in H5P.TrueFalse's semantics, not a JSON boolean.
    correct = str(params.get("correct", "")).lower()
    if not prompt or correct not in ("true", "false"):
        return [_incomplete(kind, prompt, findings)]
    behaviour = obj(params.get("behaviour"))
    ok, wrong = _text(behaviour.get("feedbackOnCorrect")), _text(behaviour.get("feedbackOnWrong"))
    return [
        ChoiceActivity(
            prompt=prompt,
            choices=[
                Choice(text=_("Verdadero"), correct=correct == "true", feedback=ok if correct == "true" else wrong),
                Choice(text=_("Falso"), correct=correct == "false", feedback=ok if correct == "false" else wrong),
            ],
            style="true_false",
            source_id=sub_id,
        )
    ]


def _blanks(kind: str, params: dict[str, Any], findings: Findings, sub_id: str) -> list[Block]:
    # Each entry of "questions" is a line of text in which *answer/alternative:tip* marks a blank.
    parts = [_text(q) for q in items(params.get("questions")) if _text(q)]
    text, blanks = _blanks_from("\n".join(parts))
    if not blanks:
        return [_incomplete(kind, _text(params.get("text")), findings)]
    behaviour = obj(params.get("behaviour"))
    return [
        FillBlanksActivity(
            prompt=_text(params.get("text")),
            text=text,
            blanks=blanks,
            case_sensitive=bool(behaviour.get("caseSensitive", False)),
            source_id=sub_id,
        )
    ]


def _drag_text(kind: str, params: dict[str, Any], findings: Findings, sub_id: str) -> list[Block]:
    text, blanks = _blanks_from(_text(params.get("textField")))
    if not blanks:
        return [_incomplete(kind, _text(params.get("taskDescription")), findings)]
    # The learner drags the given words (and the distractors, "*word*" in their own field) into the gaps: the
    # converted activity offers the same words to choose from, never a free text box to guess into.
    distractors = [m.group(1).strip() for m in _BLANK.finditer(_text(params.get("distractors")))]
    bank = list(dict.fromkeys([b.answers[0] for b in blanks] + [d for d in distractors if d]))
    return [
        FillBlanksActivity(
            prompt=_text(params.get("taskDescription")),
            text=text,
            blanks=blanks,
            case_sensitive=True,
            drag_words=True,
            word_bank=bank,
            source_id=sub_id,
        )
    ]


def _mark_the_words(kind: str, params: dict[str, Any], findings: Findings, sub_id: str) -> list[Block] | None:
    # The words to mark are starred (*word*) in "textField"; the learner sees the text without the stars.
    raw = _text(params.get("textField"))
    words = [m.group(1).strip() for m in _BLANK.finditer(raw)]
    if not words:
        return [_incomplete(kind, _text(params.get("taskDescription")), findings)]
    if len(mark_words_options(_BLANK.sub(lambda m: m.group(1), raw))) > MARK_WORDS_MAX:
        return None  # too many words to offer as options: it plays in the H5P player instead
    return [
        MarkWordsActivity(
            prompt=_text(params.get("taskDescription")),
            text=_BLANK.sub(lambda m: m.group(1), raw),
            correct_words=words,
            source_id=sub_id,
        )
    ]


def _single_choice_set(kind: str, params: dict[str, Any], findings: Findings, sub_id: str) -> list[Block]:
    out: list[Block] = []
    for item in objects(params.get("choices")):
        prompt = _text(item.get("question"))
        answers = [_text(a) for a in items(item.get("answers"))]
        answers = [a for a in answers if a]
        if not prompt or len(answers) < 2:
            out.append(_incomplete(kind, prompt, findings))
            continue
        # In Single Choice Set the first answer is the correct one (the player shuffles them).
        out.append(
            ChoiceActivity(
                prompt=prompt,
                choices=[Choice(text=a, correct=i == 0) for i, a in enumerate(answers)],
                source_id=str(item.get("subContentId") or ""),
            )
        )
    return out


def _question_set(kind: str, params: dict[str, Any], findings: Findings, sub_id: str) -> list[Block]:
    out: list[Block] = []
    intro = obj(params.get("introPage"))
    if intro.get("showIntroPage") and _text(intro.get("introduction")):
        out.append(RichText(html=sanitize_html(str(intro.get("introduction")))))
    # Each question is a sub-content: {"library": "H5P.MultiChoice 1.16", "params": {...}, "subContentId": ...}.
    for question in objects(params.get("questions")):
        library = string(question.get("library"))
        sub = _convert_one(library, obj(question.get("params")), findings, string(question.get("subContentId")))
        out.extend(sub if sub is not None else [_unsupported(library, findings)])
    return out


def _text_block(kind: str, params: dict[str, Any], findings: Findings, sub_id: str) -> list[Block]:
    html = sanitize_html(str(params.get("text") or ""))
    return [RichText(html=html)] if html else []


_Converter = Callable[[str, dict[str, Any], Findings, str], list[Block] | None]
_CONVERTERS: dict[str, _Converter] = {
    "H5P.MultiChoice": _multi_choice,
    "H5P.TrueFalse": _true_false,
    "H5P.Blanks": _blanks,
    "H5P.DragText": _drag_text,
    "H5P.MarkTheWords": _mark_the_words,
    "H5P.SingleChoiceSet": _single_choice_set,
    "H5P.QuestionSet": _question_set,
    "H5P.AdvancedText": _text_block,
    "H5P.Text": _text_block,
}


def _unsupported(library: str, findings: Findings) -> Unsupported:
    kind = _machine(library) or "?"
    findings.warning(
        "h5p_not_converted",
        _("El tipo H5P «%(k)s» no se convierte en actividad de Ruta; se omite de las preguntas.") % {"k": kind},
        path=kind,
    )
    return Unsupported(kind=kind, title=kind, reason=_("tipo H5P no convertible"))


_DECORATION = {"H5P.Shape", "H5P.Link", "H5P.Image", "H5P.Nil", "H5P.ContinuousText", "H5P.Table"}


def convert_h5p(
    main: str, content: dict[str, Any], findings: Findings, *, lesson_slides: bool = False
) -> tuple[list[Any], bool]:
    """(blocks — or lessons for Course Presentation —, fully_converted)."""
    if not isinstance(content, dict):
        return [], False
    if lesson_slides:
        lessons, complete = _convert_slides(content, findings)
        return lessons, complete and bool(lessons)
    converted = _convert_one(main, content, findings)
    if converted is None:
        findings.info(
            "h5p_player",
            _("El tipo H5P «%(k)s» no se convierte en actividades de Ruta: se reproducirá tal cual (reproductor H5P).")
            % {"k": main},
        )
        return [], False
    usable = [b for b in converted if not isinstance(b, Unsupported)]
    return converted, bool(usable) and len(usable) == len(converted)


def _convert_slides(content: dict[str, Any], findings: Findings) -> tuple[list[Lesson], bool]:
    """Course Presentation: a lesson per slide with the elements Ruta converts; False when any was left out."""
    lessons: list[Lesson] = []
    complete = True
    # presentation.slides[].elements[].action is each element's sub-content (library, params, subContentId);
    # elements without an action (e.g. "go to slide" buttons) carry nothing to convert.
    slides = objects(obj(content.get("presentation")).get("slides"))
    for number, slide in enumerate(slides, start=1):
        blocks: list[Block] = []
        for element in objects(slide.get("elements")):
            action = obj(element.get("action"))
            library = string(action.get("library"))
            if not library:
                continue
            converted = _convert_one(library, obj(action.get("params")), findings, string(action.get("subContentId")))
            if converted is None:
                complete = False
                # Shapes, links and images are decoration the player still shows; no need to list them as lost.
                if _machine(library) not in _DECORATION:
                    blocks.append(_unsupported(library, findings))
                continue
            blocks.extend(converted)
        if blocks:
            lessons.append(Lesson(title=_("Diapositiva %(n)s") % {"n": number}, blocks=blocks))
    return lessons, complete
