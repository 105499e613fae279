"""The outline every parser produces: course → modules → lessons → blocks, as plain dataclasses.

Block kinds are Ruta's own, independent of the source format:
- ``RichText`` (sanitised HTML), ``Video`` (external link, never fetched), ``Image`` (a file of the package),
- activities with their answers and feedback: ``ChoiceActivity`` (single/multiple choice, true/false, dropdown),
  ``TextEntryActivity``, ``NumericActivity``, ``FillBlanksActivity`` (also "drag the words"),
  ``MarkWordsActivity``,
- ``PackagePlayer``: a SCORM SCO or an H5P content that is played as is (sandboxed iframe),
- ``NativeActivity``: a Ruta activity with no format-neutral equivalent (matching, ordering, free text…): its
  prompt only, for readers other than Ruta (Ruta itself reads the lossless part of its own package),
- ``Unsupported``: something Ruta cannot run, kept only so the report can list it.

``outline_to_dict`` / ``outline_from_dict`` are exact inverses (the Ruta package format relies on it).
Pure: no Django. Must not import courses or certification.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .shapes import obj, objects


@dataclass
class Choice:
    text: str
    correct: bool = False
    feedback: str = ""


@dataclass
class Blank:
    answers: list[str]
    tip: str = ""


@dataclass
class Block:
    type: ClassVar[str] = ""
    is_activity: ClassVar[bool] = False


@dataclass
class RichText(Block):
    type: ClassVar[str] = "rich_text"
    html: str = ""


@dataclass
class Video(Block):
    type: ClassVar[str] = "video"
    url: str = ""
    title: str = ""
    transcript_url: str = ""


@dataclass
class Image(Block):
    type: ClassVar[str] = "image"
    path: str = ""  # a file of the package (see Outline.media)
    alt: str = ""


@dataclass
class ChoiceActivity(Block):
    type: ClassVar[str] = "choice"
    is_activity: ClassVar[bool] = True
    prompt: str = ""
    choices: list[Choice] = field(default_factory=list)
    multiple: bool = False
    style: str = ""  # "" | "true_false" | "dropdown": how the source presented it
    explanation: str = ""
    source_id: str = ""

    @property
    def correct_answers(self) -> list[str]:
        return [c.text for c in self.choices if c.correct]


@dataclass
class TextEntryActivity(Block):
    type: ClassVar[str] = "text_entry"
    is_activity: ClassVar[bool] = True
    prompt: str = ""
    answers: list[str] = field(default_factory=list)
    case_sensitive: bool = False
    regexp: bool = False
    explanation: str = ""
    source_id: str = ""


@dataclass
class NumericActivity(Block):
    type: ClassVar[str] = "numeric"
    is_activity: ClassVar[bool] = True
    prompt: str = ""
    answer: float = 0.0
    tolerance: float = 0.0  # absolute, already converted from a percentage if needed
    explanation: str = ""
    source_id: str = ""


@dataclass
class FillBlanksActivity(Block):
    """``text`` holds ``[[1]]``, ``[[2]]``… where blank 1, 2… go; ``blanks[i]`` lists the accepted answers."""

    type: ClassVar[str] = "fill_blanks"
    is_activity: ClassVar[bool] = True
    prompt: str = ""
    text: str = ""
    blanks: list[Blank] = field(default_factory=list)
    case_sensitive: bool = False
    drag_words: bool = False
    #: with ``drag_words``: the words the learner chooses from (every blank's answer and any distractors)
    word_bank: list[str] = field(default_factory=list)
    explanation: str = ""
    source_id: str = ""


@dataclass
class MarkWordsActivity(Block):
    type: ClassVar[str] = "mark_words"
    is_activity: ClassVar[bool] = True
    prompt: str = ""
    text: str = ""
    correct_words: list[str] = field(default_factory=list)
    explanation: str = ""
    source_id: str = ""


@dataclass
class PackagePlayer(Block):
    """A SCORM SCO/asset or an H5P content played from the package files in a sandboxed iframe."""

    type: ClassVar[str] = "package_player"
    is_activity: ClassVar[bool] = True
    engine: str = ""  # "scorm12" | "scorm2004" | "h5p"
    title: str = ""
    launch: str = ""  # path inside the package, without query string
    parameters: str = ""  # query string passed to the SCO (item parameters)
    tracked: bool = True  # False for SCORM assets (no run-time calls)
    mastery_score: float | None = None  # 0..1
    library: str = ""  # H5P main library, e.g. "H5P.Accordion 1.0"
    source_id: str = ""


@dataclass
class NativeActivity(Block):
    type: ClassVar[str] = "ruta_activity"
    is_activity: ClassVar[bool] = True
    kind: str = ""  # the Ruta block name, e.g. "matching"
    title: str = ""
    prompt: str = ""


@dataclass
class Unsupported(Block):
    type: ClassVar[str] = "unsupported"
    kind: str = ""
    title: str = ""
    reason: str = ""
    source_id: str = ""


BLOCK_TYPES: dict[str, type[Block]] = {
    cls.type: cls
    for cls in (
        RichText,
        Video,
        Image,
        ChoiceActivity,
        TextEntryActivity,
        NumericActivity,
        FillBlanksActivity,
        MarkWordsActivity,
        PackagePlayer,
        NativeActivity,
        Unsupported,
    )
}


@dataclass
class Lesson:
    title: str
    blocks: list[Block] = field(default_factory=list)
    source_id: str = ""


@dataclass
class Module:
    title: str
    lessons: list[Lesson] = field(default_factory=list)
    source_id: str = ""


@dataclass
class MediaFile:
    path: str  # path inside the package
    ref: str = ""  # how rich text refers to it (e.g. "static/a.png"); rewritten to the stored file's URL
    size: int = 0
    sha256: str = ""
    content_type: str = ""


@dataclass
class Provenance:
    """Where a package comes from (DOMAIN §10: ILO original → institution adaptation → later versions)."""

    original_institution: str = ""
    original_title: str = ""
    authors: str = ""
    licence: str = ""
    version: str = ""
    adapted_by: str = ""
    change_note: str = ""
    parent_identifier: str = ""
    source_format: str = ""
    source_identifier: str = ""


@dataclass
class Outline:
    title: str
    format: str  # "scorm12" | "scorm2004" | "h5p" | "olx" | "ruta"
    format_version: str = ""
    identifier: str = ""
    description: str = ""
    language: str = ""
    modules: list[Module] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)
    provenance: Provenance = field(default_factory=Provenance)
    certificate_programme: str = ""
    # Files of the package that players need (SCORM/H5P): the whole package is kept, not only ``media``.
    keeps_package_files: bool = False

    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]

    def blocks(self) -> list[Block]:
        return [block for lesson in self.lessons() for block in lesson.blocks]

    def activities(self) -> list[Block]:
        return [b for b in self.blocks() if b.is_activity]

    def unsupported(self) -> list[Unsupported]:
        return [b for b in self.blocks() if isinstance(b, Unsupported)]


# --- (de)serialisation ----------------------------------------------------------------------------------------


def block_to_dict(block: Block) -> dict[str, Any]:
    return {"type": block.type, **dataclasses.asdict(block)}


def block_from_dict(data: dict[str, Any]) -> Block:
    data = dict(obj(data))
    cls = BLOCK_TYPES.get(str(data.pop("type", "")))
    if cls is None:
        return Unsupported(kind="unknown", reason="unknown block type")
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in data.items() if k in names}
    if "choices" in kwargs:
        kwargs["choices"] = [Choice(**_known(Choice, c)) for c in objects(kwargs["choices"])]
    if "blanks" in kwargs:
        kwargs["blanks"] = [Blank(**_known(Blank, b)) for b in objects(kwargs["blanks"])]
    return cls(**kwargs)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``data`` that are fields of the dataclass ``cls`` (a crafted package may add others)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def outline_to_dict(outline: Outline) -> dict[str, Any]:
    return {
        "title": outline.title,
        "format": outline.format,
        "format_version": outline.format_version,
        "identifier": outline.identifier,
        "description": outline.description,
        "language": outline.language,
        "certificate_programme": outline.certificate_programme,
        "keeps_package_files": outline.keeps_package_files,
        "provenance": dataclasses.asdict(outline.provenance),
        "media": [dataclasses.asdict(m) for m in outline.media],
        "modules": [
            {
                "title": m.title,
                "source_id": m.source_id,
                "lessons": [
                    {
                        "title": lesson.title,
                        "source_id": lesson.source_id,
                        "blocks": [block_to_dict(b) for b in lesson.blocks],
                    }
                    for lesson in m.lessons
                ],
            }
            for m in outline.modules
        ],
    }


def outline_from_dict(data: dict[str, Any]) -> Outline:
    prov_names = {f.name for f in dataclasses.fields(Provenance)}
    media_names = {f.name for f in dataclasses.fields(MediaFile)}
    return Outline(
        title=str(data.get("title", "")),
        format=str(data.get("format", "")),
        format_version=str(data.get("format_version", "")),
        identifier=str(data.get("identifier", "")),
        description=str(data.get("description", "")),
        language=str(data.get("language", "")),
        certificate_programme=str(data.get("certificate_programme", "")),
        keeps_package_files=bool(data.get("keeps_package_files", False)),
        provenance=Provenance(**{k: str(v) for k, v in obj(data.get("provenance")).items() if k in prov_names}),
        media=[MediaFile(**{k: v for k, v in m.items() if k in media_names}) for m in objects(data.get("media"))],
        modules=[
            Module(
                title=str(m.get("title", "")),
                source_id=str(m.get("source_id", "")),
                lessons=[
                    Lesson(
                        title=str(lesson.get("title", "")),
                        source_id=str(lesson.get("source_id", "")),
                        blocks=[block_from_dict(b) for b in objects(lesson.get("blocks"))],
                    )
                    for lesson in objects(m.get("lessons"))
                ],
            )
            for m in objects(data.get("modules"))
        ],
    )
