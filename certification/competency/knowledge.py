"""Knowledge-test questions: content's activity definitions (``content.blocks``), shown and graded for a test.

A bank question is stored as ``(block_type, value)`` in the shape of ``content.blocks.ACTIVITY_BLOCK_CLASSES``;
``validate`` runs the block's own ``clean``. A test is not a lesson: answers are graded here in one request and
never reach the XBlock state store or ``activity_scored`` (a test must not count as lesson progress).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Activity types a knowledge test can grade automatically.
GRADABLE = ("single_choice", "multiple_choice", "true_false", "fill_blanks", "matching", "ordering")


def validate(block_type: str, value: dict[str, Any]) -> dict[str, Any]:
    """Check a question against its activity block definition; return the plain, cleaned value."""
    from content.blocks import ACTIVITY_BLOCK_CLASSES, plain

    if block_type not in GRADABLE or block_type not in ACTIVITY_BLOCK_CLASSES:
        raise ValidationError(_("Este tipo de actividad no se puede usar en una prueba de conocimientos."))
    block = ACTIVITY_BLOCK_CLASSES[block_type]()
    return plain(block.clean(block.to_python(value)))


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or "").strip().lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def blanks(value: dict[str, Any]) -> list[list[str]]:
    from content.blocks import BLANK_PATTERN

    return [group.split("|") for group in BLANK_PATTERN.findall(value.get("text", ""))]


def grade(block_type: str, value: dict[str, Any], answer: Any) -> float:
    """The share (0..1) of the question answered correctly; unanswered is 0."""
    if answer in (None, "", []):
        return 0.0
    if block_type == "single_choice":
        options = value.get("options", [])
        try:
            return 1.0 if options[int(answer)]["correct"] else 0.0
        except (ValueError, IndexError, TypeError):
            return 0.0
    if block_type == "multiple_choice":
        options = value.get("options", [])
        chosen = {str(a) for a in (answer if isinstance(answer, list) else [answer])}
        right = sum(1 for i, o in enumerate(options) if (str(i) in chosen) == bool(o["correct"]))
        return right / len(options) if options else 0.0
    if block_type == "true_false":
        return 1.0 if str(answer) == str(value.get("correct_answer")) else 0.0
    if block_type == "fill_blanks":
        expected = blanks(value)
        given = answer if isinstance(answer, list) else [answer]
        right = sum(
            1
            for i, accepted in enumerate(expected)
            if i < len(given) and _norm(given[i]) in {_norm(a) for a in accepted}
        )
        return right / len(expected) if expected else 0.0
    if block_type == "matching":
        pairs = value.get("pairs", [])
        given = answer if isinstance(answer, list) else [answer]
        right = sum(1 for i, p in enumerate(pairs) if i < len(given) and given[i] == p["match"])
        return right / len(pairs) if pairs else 0.0
    if block_type == "ordering":
        items = value.get("items", [])
        given = answer if isinstance(answer, list) else [answer]
        right = sum(1 for i, item in enumerate(items) if i < len(given) and given[i] == item)
        return right / len(items) if items else 0.0
    return 0.0


@dataclass
class QuestionView:
    """What the test page shows for one question: no correct answers, choices shuffled per attempt."""

    pk: int
    number: int
    block_type: str
    prompt: str
    choices: list[tuple[str, str]]  # (value, label)
    rows: list[str]  # matching items / ordering positions / blanks
    multiple: bool = False


def question_view(question: Any, *, number: int, seed: str) -> QuestionView:
    """Shape one bank question for the form, shuffling choices reproducibly with the attempt's seed."""
    value = question.value
    rng = random.Random(f"{seed}:{question.pk}")  # noqa: S311 - presentation order, not a secret
    kind = question.block_type
    prompt = value.get("prompt", "")
    if kind in ("single_choice", "multiple_choice"):
        choices = [(str(i), o["text"]) for i, o in enumerate(value.get("options", []))]
        rng.shuffle(choices)
        return QuestionView(question.pk, number, kind, prompt, choices, [], multiple=kind == "multiple_choice")
    if kind == "true_false":
        return QuestionView(question.pk, number, kind, prompt, [("true", _("Verdadero")), ("false", _("Falso"))], [])
    if kind == "fill_blanks":
        from content.blocks import BLANK_PATTERN

        text = BLANK_PATTERN.sub("____", value.get("text", ""))
        return QuestionView(question.pk, number, kind, f"{prompt} {text}".strip(), [], [""] * len(blanks(value)))
    if kind == "matching":
        matches = [p["match"] for p in value.get("pairs", [])]
        rng.shuffle(matches)
        return QuestionView(
            question.pk, number, kind, prompt, [(m, m) for m in matches], [p["item"] for p in value["pairs"]]
        )
    if kind == "ordering":
        items = list(value.get("items", []))
        rng.shuffle(items)
        positions = [_("Paso %(n)s") % {"n": i + 1} for i in range(len(items))]
        return QuestionView(question.pk, number, kind, prompt, [(i, i) for i in items], positions)
    return QuestionView(question.pk, number, kind, prompt, [], [])


def answers_from_post(post: Any, question_ids: list[int], kinds: dict[int, str]) -> dict[str, Any]:
    """Read the test form: ``q<pk>`` for single values, ``q<pk>`` lists or ``q<pk>_<i>`` rows."""
    answers: dict[str, Any] = {}
    for qid in question_ids:
        kind = kinds.get(qid, "")
        key = f"q{qid}"
        if kind == "multiple_choice":
            answers[str(qid)] = post.getlist(key)
        elif kind in ("fill_blanks", "matching", "ordering"):
            rows = []
            i = 0
            while f"{key}_{i}" in post:
                rows.append(post.get(f"{key}_{i}", ""))
                i += 1
            answers[str(qid)] = rows
        else:
            answers[str(qid)] = post.get(key)
    return answers
