"""Knowledge-test questions: content's activity definitions (``content.blocks``), shown and graded for a test.

A bank question is stored as ``(block_type, value)`` in the shape of ``content.blocks.ACTIVITY_BLOCK_CLASSES``;
``validate`` runs the block's own ``clean``. Grading builds the activity's XBlock with content's runtime and calls
its ``clean_answer``/``evaluate`` only: a test is not a lesson, so nothing reaches the XBlock state store or
``activity_scored`` (a test must not count as lesson progress). The test page is rendered here, as a plain
form, because the XBlocks' student views post to lesson handlers.
"""

from __future__ import annotations

import random
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


def blanks(value: dict[str, Any]) -> list[list[str]]:
    from content.blocks import BLANK_PATTERN

    return [group.split("|") for group in BLANK_PATTERN.findall(value.get("text", ""))]


def activity_block(block_type: str, value: dict[str, Any], *, key: str) -> Any:
    """Content's activity XBlock for a bank question, built by content's runtime with no learner state.

    Only ``clean_answer`` and ``evaluate`` are used: nothing is stored and nothing is published.
    """
    from django.contrib.auth.models import AnonymousUser

    from content.xblocks.runtime import RutaRuntime

    runtime = RutaRuntime(user=AnonymousUser(), page_id=None)
    return runtime.activity(usage_id=f"competency-{key}", block_type=block_type, authored=dict(value))


def _raw_answer(block_type: str, value: dict[str, Any], answer: Any, block: Any) -> dict[str, Any]:
    """Translate the test form's answer into the field names the activity XBlock reads."""
    given = answer if isinstance(answer, list) else [answer]
    if block_type == "single_choice":
        return {"choice": str(answer)}
    if block_type == "multiple_choice":
        return {"choices": [str(a) for a in given]}
    if block_type == "true_false":
        return {"value": str(answer)}
    if block_type == "fill_blanks":
        return {"blank": [str(a) for a in given]}
    if block_type == "matching":
        pairs = value.get("pairs", [])
        raw = {}
        for i, text in enumerate(given[: len(pairs)]):
            j = next((j for j, pair in enumerate(pairs) if pair["match"] == text), None)
            raw[f"match_{i}"] = block.token(j) if j is not None else ""
        return raw
    if block_type == "ordering":
        items = value.get("items", [])
        raw = {}
        for position, text in enumerate(given[: len(items)], start=1):
            if text in items:
                raw[f"position_{block.token(items.index(text))}"] = str(position)
        return raw
    return {}


def grade(block_type: str, value: dict[str, Any], answer: Any, *, key: str = "q") -> float:
    """The share (0..1) of the question answered correctly, as content's activity XBlock evaluates it."""
    if block_type not in GRADABLE or answer in (None, "", []):
        return 0.0
    block = activity_block(block_type, value, key=key)
    try:
        evaluation = block.evaluate(block.clean_answer(_raw_answer(block_type, value, answer, block)))
    except (ValidationError, ValueError, IndexError, KeyError, TypeError):
        return 0.0  # an incomplete or malformed answer scores nothing
    return float(evaluation.score or 0.0)


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
