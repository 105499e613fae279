"""Ruta's activity XBlocks: single/multiple choice, true/false, fill in the blanks, matching, ordering,
free text (graded later with a rubric) and self-reflection (completion only).

Each block checks answers on the server only: its student view receives display data alone (option texts,
never which is correct). ``submit_answer`` enforces the attempt limit, evaluates, stores the learner's state
and publishes ``grade``, ``pending_review`` or ``completion`` through the runtime. Must not import courses.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String

from content.exceptions import AttemptsExhausted, InvalidAnswer

# Said after a reflection whose author wrote no closing message (marked noop: translated where it is used).
DEFAULT_CLOSING = gettext_noop("Gracias por compartir tu reflexión.")

# Ruta's own verdicts on an answer. A result keeps them untranslated (this Spanish msgid) and they are translated
# each time the activity is shown, so the learner reads them in the language of the page they look at, whatever
# language they answered in. Never edit one of these texts in place: results already stored hold it; add the new
# one and keep the old in RUTA_FEEDBACK_RENAMED (old text → new text).
CORRECT = gettext_noop("¡Correcto!")
NOT_CORRECT = gettext_noop("No es la respuesta correcta.")
PARTLY_CORRECT = gettext_noop("Tu respuesta es parcialmente correcta.")
MISSED_OPTION = gettext_noop("Te faltó marcar alguna opción correcta.")
BLANKS_WRONG = gettext_noop("Algunos espacios no son correctos.")
PAIRS_WRONG = gettext_noop("Algunas parejas no son correctas.")
STEPS_WRONG = gettext_noop("Algunos pasos no están en su lugar.")
PENDING_REVIEW = gettext_noop("Pendiente de revisión.")
RUTA_FEEDBACK: tuple[str, ...] = (
    CORRECT,
    NOT_CORRECT,
    PARTLY_CORRECT,
    MISSED_OPTION,
    BLANKS_WRONG,
    PAIRS_WRONG,
    STEPS_WRONG,
    PENDING_REVIEW,
    DEFAULT_CLOSING,
)
RUTA_FEEDBACK_RENAMED: dict[str, str] = {}
BLANK_PATTERN = re.compile(r"\[\[(.+?)\]\]")


@dataclass
class Evaluation:
    """The server's verdict on one answer. ``score`` is 0..1, or None while a person must review it."""

    score: float | None
    feedback: list[str] = field(default_factory=list)
    items: dict[str, dict[str, Any]] = field(default_factory=dict)  # per answer key: correct, feedback


def _values(raw: Mapping[str, Any], key: str) -> list[str]:
    value = raw.get(key, [])
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


def _value(raw: Mapping[str, Any], key: str) -> str:
    values = _values(raw, key)
    return values[0] if values else ""


def normalise(text: str) -> str:
    """Compare typed answers ignoring case, accents and repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def _translated_feedback(languages: tuple[tuple[str, Any], ...]) -> dict[str, str]:
    """Each translation of Ruta's verdicts (in every interface language) → its msgid: results stored before they
    kept the msgid hold the text as it was shown then ("That is not the correct answer.")."""
    found: dict[str, str] = {}
    for code, _name in languages:
        with translation.override(code):
            for msgid in RUTA_FEEDBACK:
                found.setdefault(_(msgid), msgid)
    return found


_TRANSLATED_FEEDBACK: dict[tuple[tuple[str, Any], ...], dict[str, str]] = {}


def ruta_feedback_msgid(line: str) -> str | None:
    """The msgid of one of Ruta's verdicts as a result stores it: the msgid itself, a renamed one, or (in results
    stored before) its translation in any interface language. None for any other text."""
    if line in RUTA_FEEDBACK:
        return line
    if line in RUTA_FEEDBACK_RENAMED:
        return RUTA_FEEDBACK_RENAMED[line]
    languages = tuple((str(code), name) for code, name in settings.LANGUAGES)
    if languages not in _TRANSLATED_FEEDBACK:
        _TRANSLATED_FEEDBACK[languages] = _translated_feedback(languages)
    msgid = _TRANSLATED_FEEDBACK[languages].get(line)
    return RUTA_FEEDBACK_RENAMED.get(msgid, msgid) if msgid else None


def ruta_feedback_text(line: str) -> str:
    """One of Ruta's own feedback lines of a stored result, in the current language (a text Ruta does not know,
    e.g. from a version that worded it otherwise, is shown as stored)."""
    msgid = ruta_feedback_msgid(line)
    return _(msgid) if msgid else line


def place(stored: list[str], current: list[str]) -> list[int | None]:
    """Where each stored text stands now, matched by normalised text (each current entry taken once): its index
    in ``current``, or None when the author has removed (or rewritten) it since."""
    free: dict[str, list[int]] = {}
    for index, text in enumerate(current):
        free.setdefault(normalise(str(text)), []).append(index)
    return [free[key].pop(0) if free.get(key := normalise(str(text))) else None for text in stored]


class ActivityXBlock(XBlock):
    """What every activity shares: authored settings, the learner's state and the submit/render cycle."""

    kind: ClassVar[str] = ""
    kind_label: ClassVar[Any] = ""
    fields_template: ClassVar[str] = ""
    has_score = True
    event_type: ClassVar[str] = "grade"
    # From which line of a result's feedback on the lines are the author's own (feedback_correct/_incorrect): the
    # lines before are Ruta's verdict ("¡Correcto!"). None: every line is Ruta's.
    authored_feedback_from: ClassVar[int | None] = None

    title = String(scope=Scope.settings, default="")
    prompt = String(scope=Scope.content, default="")
    max_attempts = Integer(scope=Scope.settings, default=0)
    pass_mark = Integer(scope=Scope.settings, default=60)
    weight = Float(scope=Scope.settings, default=1.0)
    offline_feedback = Boolean(scope=Scope.settings, default=False)  # practice only: the page carries the key

    attempts = Integer(scope=Scope.user_state, default=0)
    last_answer = Dict(scope=Scope.user_state, default={})
    last_result = Dict(scope=Scope.user_state, default={})
    best_score = Float(scope=Scope.user_state, default=None)
    passed = Boolean(scope=Scope.user_state, default=False)
    completed = Boolean(scope=Scope.user_state, default=False)
    pending_review = Boolean(scope=Scope.user_state, default=False)

    # --- rules ------------------------------------------------------------------------------------
    @property
    def usage_id(self) -> str:
        return str(self.scope_ids.usage_id)

    @property
    def attempts_left(self) -> int | None:
        if not self.max_attempts:
            return None
        return max(self.max_attempts - self.attempts, 0)

    @property
    def result_items(self) -> dict[str, dict[str, Any]]:
        """Per-answer marks of the last result, by answer key (shown next to what the learner chose)."""
        return (self.last_result or {}).get("items", {})

    def text_keys(self, kind: str, texts: list[str]) -> list[str]:
        """A stable key for each authored text (option, item, step): it follows the text when the author reorders,
        adds or removes others, so a stored answer or mark keeps meaning what the learner saw. Repeated texts are
        told apart by their occurrence. Opaque: a key says nothing about which text is right or its position."""
        seen: dict[str, int] = {}
        keys = []
        for text in texts:
            norm = normalise(str(text))
            occurrence = seen[norm] = seen.get(norm, -1) + 1
            source = f"{self.scope_ids.usage_id}:{kind}:{norm}:{occurrence}"
            # A plain digest, not one keyed with the site's secret: a new DJANGO_SECRET_KEY must not change the keys
            # stored in results or carried by pages and answers kept offline (the key reveals only the text, which
            # the learner reads anyway; never whether it is right).
            keys.append(hashlib.sha256(source.encode()).hexdigest()[:12])
        return keys

    @property
    def locked(self) -> bool:
        """No new answer is taken: attempts used up, or the last one is waiting for a person's review."""
        return self.attempts_left == 0 or self.pending_review

    def clean_answer(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def evaluate(self, answer: dict[str, Any]) -> Evaluation:
        raise NotImplementedError

    def is_passing(self, score: float | None) -> bool:
        return score is not None and score * 100 + 1e-9 >= self.pass_mark

    def submit_answer(self, raw: Mapping[str, Any]) -> None:
        """Take one answer: refuse it past the attempt limit, evaluate it, store state and publish."""
        if self.pending_review:
            raise AttemptsExhausted(gettext_lazy("Tu respuesta anterior está pendiente de revisión."))
        if self.attempts_left == 0:
            raise AttemptsExhausted()
        answer = self.clean_answer(raw)
        evaluation = self.evaluate(answer)
        self.attempts += 1
        self.last_answer = answer
        self.record(evaluation)

    def record(self, evaluation: Evaluation) -> None:
        score = evaluation.score
        passed = self.is_passing(score)
        self.last_result = {
            "score": score,
            "passed": passed,
            "feedback": evaluation.feedback,
            "items": evaluation.items,
        }
        self.completed = True
        if score is not None and (self.best_score is None or score > self.best_score):
            self.best_score = score
        self.passed = self.passed or passed
        self.runtime.publish(
            self,
            self.event_type,
            {
                "value": score,
                "max_value": 1.0,
                "passed": passed,
                "attempt": self.attempts,
                "answer": self.last_answer,
                "result": self.last_result,
            },
        )

    @XBlock.json_handler
    def state(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """The learner's standing (never the answers' key): attempts, limit, lock and last result."""
        return {
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "locked": self.locked,
            "pending_review": self.pending_review,
            "result": self.shown_result(),
        }

    def shown_result(self) -> dict[str, Any] | None:
        """The last result as the learner reads it now: its feedback lines in the current language (Ruta's)."""
        result = self.last_result or None
        if not result:
            return None
        return {**result, "feedback": [line["text"] for line in self.feedback_lines(result)]}

    # --- rendering --------------------------------------------------------------------------------
    def display_context(self) -> dict[str, Any]:
        """Type-specific display data. Never includes which answer is right."""
        return {}

    @property
    def gives_offline_feedback(self) -> bool:
        """A practice activity (weight 0: it counts for no score or certificate) whose author lets the page carry
        its answer key, so a learner without signal sees right away whether they got it right."""
        return bool(self.offline_feedback) and not self.weight

    def offline_key(self) -> dict[str, Any] | None:
        """What the page needs to correct this activity offline, for practice activities that allow it: the input
        name, the right values and the feedback for each value. None for every other activity."""
        return None

    def feedback_authored(self, result: dict[str, Any]) -> list[bool]:
        """For each line of ``result``'s feedback, whether the course's authors (or its reviewer) wrote it, in the
        course's language; the other lines are Ruta's own messages, in the interface's language (the page marks
        each with its language so screen readers read it with the right voice)."""
        start = self.authored_feedback_from
        return [start is not None and index >= start for index in range(len(result.get("feedback") or []))]

    def feedback_lines(self, result: dict[str, Any]) -> list[dict[str, Any]]:
        """``result``'s feedback as shown now: the author's lines as written (the course's language), Ruta's own
        translated into the current language (the result keeps their msgid, or in older results the text as it
        was shown then)."""
        lines = [str(text) for text in result.get("feedback") or []]
        return [
            {"text": text if authored else ruta_feedback_text(text), "authored": authored}
            for text, authored in zip(lines, self.feedback_authored(result), strict=True)
        ]

    def student_view(self, context: dict[str, Any] | None = None) -> Fragment:
        context = context or {}
        result = self.last_result or None
        score = result.get("score") if result else None
        ctx = {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "fields_template": self.fields_template,
            "usage_id": self.usage_id,
            "dom_id": f"actividad-{self.usage_id}",
            "title": self.title,
            "prompt": self.prompt,
            "has_score": self.has_score,
            "pass_mark": self.pass_mark,
            "attempts": self.attempts,
            "max_attempts": self.max_attempts,
            "attempts_left": self.attempts_left,
            "locked": self.locked,
            "pending_review": self.pending_review,
            "result": result,
            "feedback_lines": self.feedback_lines(result or {}),
            "score_percent": None if score is None else round(score * 100),
            "answer": self.last_answer,
            "submission_id": str(uuid.uuid4()),
            "offline_key": json.dumps(key, ensure_ascii=False) if (key := self.offline_key()) else "",
            **self.display_context(),
            **context,
        }
        request = context.get("request")
        if request is not None:
            # Rendered without the request: the activity's templates need only the form's token, and a
            # RequestContext would run every context processor again for each activity on the page.
            ctx["csrf_token"] = get_token(request)
        return Fragment(render_to_string("content/xblocks/activity.html", ctx))


class ChoiceXBlock(ActivityXBlock):
    """Shared by the choice activities: authored options, posted by index (the form's values) but stored and marked
    by the option's text, so an answer keeps meaning what the learner chose when the author reorders, adds or
    removes options afterwards. Answers stored before texts were kept (index only) are still read by index."""

    options = List(scope=Scope.content, default=[])
    input_type: ClassVar[str] = "radio"
    input_name: ClassVar[str] = "choice"

    def _choice(self, raw_index: str, raw: Mapping[str, Any] | None = None) -> int:
        try:
            index = int(raw_index)
        except (TypeError, ValueError):
            raise InvalidAnswer(gettext_lazy("Elige una opción.")) from None
        if raw is not None and _value(raw, "shown"):
            return self._now_at(index, raw) if index >= 0 else self._choice("-1")
        if not 0 <= index < len(self.options):
            raise InvalidAnswer(gettext_lazy("Elige una opción."))
        return index

    def _texts(self) -> list[str]:
        return [str(option.get("text", "")) for option in self.options]

    def _now_at(self, index: int, raw: Mapping[str, Any]) -> int:
        """Where the option the learner chose is now. The form posts positions, and with them the options' keys in
        the order that page showed them (``shown``): a page opened before the author reordered the options (or
        an answer kept offline and sent later) still records the option the learner saw, not the one now in its
        place; an option since removed asks the learner to choose again."""
        shown = [key for key in _value(raw, "shown").split(",") if key]
        if not shown:
            return index  # a form without the keys (older page): its positions are all there is
        keys = self.option_keys()
        if index >= len(shown) or shown[index] not in keys:
            raise InvalidAnswer(
                gettext_lazy("Esta pregunta cambió mientras la tenías abierta. Revisa las opciones y vuelve a elegir.")
            )
        return keys.index(shown[index])

    def option_keys(self) -> list[str]:
        """The stable key of each option: what a result's marks are keyed by."""
        return self.text_keys("option", self._texts())

    def _mark(self, index: int) -> dict[str, Any]:
        option = self.options[index]
        return {"correct": bool(option.get("correct")), "feedback": option.get("feedback") or ""}

    def chosen_texts(self) -> list[str] | None:
        """The option texts of the learner's last answer; None for an answer stored by index only."""
        raise NotImplementedError

    def legacy_chosen(self) -> list[int]:
        raise NotImplementedError

    def display_context(self) -> dict[str, Any]:
        marks = self.result_items
        keys = self.option_keys()
        texts = self.chosen_texts()
        changed = False
        if texts is None:  # stored before answers kept their option's text: nothing better than the index is known
            chosen = [str(i) for i in self.legacy_chosen()]
            mark_of = {str(i): marks.get(str(i)) for i in range(len(self.options))}
        else:
            found = place(texts, self._texts())
            chosen = [str(i) for i in found if i is not None]
            changed = None in found
            mark_of = {str(i): marks.get(key) for i, key in enumerate(keys)}
        return {
            "choices": [
                {"key": str(i), "text": option["text"], "mark": mark_of[str(i)] if str(i) in chosen else None}
                for i, option in enumerate(self.options)
            ],
            "input_type": self.input_type,
            "input_name": self.input_name,
            "shown": ",".join(keys),
            "chosen": chosen,
            "answer_changed": changed,
        }

    def offline_key(self) -> dict[str, Any] | None:
        if not self.gives_offline_feedback:
            return None
        return {
            "field": "choices" if self.kind == "multiple_choice" else "choice",
            "right": [str(i) for i, option in enumerate(self.options) if option.get("correct")],
            "feedback": {str(i): option.get("feedback") or "" for i, option in enumerate(self.options)},
        }


class SingleChoiceXBlock(ChoiceXBlock):
    kind = "single_choice"
    kind_label = gettext_lazy("Selección única")
    fields_template = "content/xblocks/fields_choice.html"

    def clean_answer(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        index = self._choice(_value(raw, "choice"), raw)
        return {"choice": index, "option": self._texts()[index]}

    def evaluate(self, answer: dict[str, Any]) -> Evaluation:
        index = answer["choice"]
        mark = self._mark(index)
        message = CORRECT if mark["correct"] else NOT_CORRECT
        return Evaluation(
            score=1.0 if mark["correct"] else 0.0, feedback=[message], items={self.option_keys()[index]: mark}
        )

    def chosen_texts(self) -> list[str] | None:
        answer = self.last_answer or {}
        return [str(answer["option"])] if "option" in answer else None

    def legacy_chosen(self) -> list[int]:
        chosen = (self.last_answer or {}).get("choice")
        return [chosen] if isinstance(chosen, int) else []


class MultipleChoiceXBlock(ChoiceXBlock):
    kind = "multiple_choice"
    kind_label = gettext_lazy("Selección múltiple")
    fields_template = "content/xblocks/fields_choice.html"
    input_type = "checkbox"
    input_name = "choices"

    def clean_answer(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        chosen = sorted({self._choice(value, raw) for value in _values(raw, "choices")})
        if not chosen:
            raise InvalidAnswer(gettext_lazy("Elige al menos una opción."))
        texts = self._texts()
        return {"choices": chosen, "options": [texts[i] for i in chosen]}

    def evaluate(self, answer: dict[str, Any]) -> Evaluation:
        right = {i for i, option in enumerate(self.options) if option.get("correct")}
        chosen = set(answer["choices"])
        hits, wrong = len(chosen & right), len(chosen - right)
        score = max(hits - wrong, 0) / len(right) if right else 0.0
        feedback = [CORRECT] if chosen == right else []
        if chosen != right:
            feedback.append(PARTLY_CORRECT if score > 0 else NOT_CORRECT)
        if right - chosen:
            feedback.append(MISSED_OPTION)
        keys = self.option_keys()
        return Evaluation(score=score, feedback=feedback, items={keys[i]: self._mark(i) for i in sorted(chosen)})

    def chosen_texts(self) -> list[str] | None:
        answer = self.last_answer or {}
        return [str(text) for text in answer["options"]] if "options" in answer else None

    def legacy_chosen(self) -> list[int]:
        return [i for i in (self.last_answer or {}).get("choices", []) if isinstance(i, int)]


class TrueFalseXBlock(ActivityXBlock):
    kind = "true_false"
    kind_label = gettext_lazy("Verdadero o falso")
    fields_template = "content/xblocks/fields_choice.html"

    correct_answer = String(scope=Scope.content, default="true")
    feedback_correct = String(scope=Scope.content, default="")
    feedback_incorrect = String(scope=Scope.content, default="")

    def clean_answer(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        value = _value(raw, "value")
        if value not in ("true", "false"):
            raise InvalidAnswer(gettext_lazy("Elige verdadero o falso."))
        return {"value": value}

    def evaluate(self, answer: dict[str, Any]) -> Evaluation:
        correct = answer["value"] == self.correct_answer
        message = CORRECT if correct else NOT_CORRECT
        extra = self.feedback_correct if correct else self.feedback_incorrect
        return Evaluation(
            score=1.0 if correct else 0.0,
            feedback=[message],
            items={answer["value"]: {"correct": correct, "feedback": extra or ""}},
        )

    def display_context(self) -> dict[str, Any]:
        return {
            "choices": [
                {"key": key, "text": text, "mark": self.result_items.get(key), "interface": True}
                for key, text in (("true", _("Verdadero")), ("false", _("Falso")))
            ],
            "input_type": "radio",
            "input_name": "value",
            "chosen": [self.last_answer.get("value", "")],
        }

    def offline_key(self) -> dict[str, Any] | None:
        if not self.gives_offline_feedback:
            return None
        wrong = "false" if self.correct_answer == "true" else "true"
        return {
            "field": "value",
            "right": [self.correct_answer],
            "feedback": {self.correct_answer: self.feedback_correct or "", wrong: self.feedback_incorrect or ""},
        }


class FillBlanksXBlock(ActivityXBlock):
    kind = "fill_blanks"
    authored_feedback_from = 1
    kind_label = gettext_lazy("Completar espacios")
    fields_template = "content/xblocks/fields_blanks.html"

    text = String(scope=Scope.content, default="")
    word_bank = String(scope=Scope.content, default="")
    feedback_correct = String(scope=Scope.content, default="")
    feedback_incorrect = String(scope=Scope.content, default="")

    def _words(self) -> list[str]:
        """The words offered for every blank, in alphabetical order (the order never hints at the answer)."""
        words = dict.fromkeys(w.strip() for w in self.word_bank.splitlines())
        return sorted((w for w in words if w), key=lambda w: (normalise(w), w))

    def _accepted(self) -> list[list[str]]:
        return [
            [normalise(alt) for alt in m.group(1).split("|") if alt.strip()] for m in BLANK_PATTERN.finditer(self.text)
        ]

    def clean_answer(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        count = len(self._accepted())
        given = [v.strip()[:200] for v in _values(raw, "blank")][:count]
        given += [""] * (count - len(given))
        if not any(given):
            raise InvalidAnswer(gettext_lazy("Completa los espacios en blanco."))
        words = self._words()
        if words and any(value and value not in words for value in given):
            raise InvalidAnswer(gettext_lazy("Elige cada palabra de la lista."))
        return {"blanks": given}

    def evaluate(self, answer: dict[str, Any]) -> Evaluation:
        accepted = self._accepted()
        marks = [normalise(value) in accepted[i] for i, value in enumerate(answer["blanks"])]
        score = sum(marks) / len(marks) if marks else 0.0
        all_right = all(marks)
        feedback = [CORRECT if all_right else BLANKS_WRONG]
        extra = self.feedback_correct if all_right else self.feedback_incorrect
        if extra:
            feedback.append(extra)
        items = {str(i): {"correct": ok, "feedback": ""} for i, ok in enumerate(marks)}
        return Evaluation(score=score, feedback=feedback, items=items)

    def display_context(self) -> dict[str, Any]:
        segments: list[dict[str, Any]] = []
        given = self.last_answer.get("blanks", [])
        position = 0
        count = len(self._accepted())
        for number, part in enumerate(BLANK_PATTERN.split(self.text)):
            if number % 2 == 0:
                if part:
                    segments.append({"text": part})
            else:
                segments.append(
                    {
                        "blank": True,
                        "key": str(position),
                        "number": position + 1,
                        "count": count,
                        "value": given[position] if position < len(given) else "",
                        "mark": self.result_items.get(str(position)),
                    }
                )
                position += 1
        return {"segments": segments, "words": self._words()}


class OpaqueKeysXBlock(ActivityXBlock):
    """Keys for the browser that do not reveal the authored (correct) order. A key comes from its text (see
    ``text_keys``), not its position, so what a learner answered follows each text when the author reorders,
    adds or removes some; keys an earlier page carried (from the position) are still accepted."""

    key_kind: ClassVar[str] = ""

    def key_texts(self) -> list[str]:
        raise NotImplementedError

    def tokens(self) -> list[str]:
        return self.text_keys(self.key_kind, self.key_texts())

    def token(self, index: int) -> str:
        return self.tokens()[index]

    def legacy_token(self, index: int) -> str:
        """The key of a position, as pages carried them before keys came from texts (old forms and results)."""
        return salted_hmac("content.activity", f"{self.scope_ids.usage_id}:{index}").hexdigest()[:12]

    def shuffled(self, count: int) -> list[int]:
        order = list(range(count))
        random.Random(str(self.scope_ids.usage_id)).shuffle(order)  # noqa: S311 - display order, not security
        if order == list(range(count)) and count > 1:
            order = order[1:] + order[:1]
        return order


class MatchingXBlock(OpaqueKeysXBlock):
    kind = "matching"
    authored_feedback_from = 1
    kind_label = gettext_lazy("Relacionar")
    fields_template = "content/xblocks/fields_matching.html"
    key_kind = "match"

    pairs = List(scope=Scope.content, default=[])
    feedback_correct = String(scope=Scope.content, default="")
    feedback_incorrect = String(scope=Scope.content, default="")

    def key_texts(self) -> list[str]:
        return [str(pair.get("match", "")) for pair in self.pairs]

    def _items(self) -> list[str]:
        return [str(pair.get("item", "")) for pair in self.pairs]

    def item_keys(self) -> list[str]:
        """The stable key of each row (its item): the form field's name and what a result's marks are keyed by."""
        return self.text_keys("item", self._items())

    def clean_answer(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        tokens = {self.legacy_token(i): i for i in range(len(self.pairs))}
        tokens.update({token: i for i, token in enumerate(self.tokens())})
        matches = []
        for i, key in enumerate(self.item_keys()):
            chosen = _value(raw, f"match_{key}") or _value(raw, f"match_{i}")  # by position: an older form
            if chosen not in tokens:
                raise InvalidAnswer(gettext_lazy("Relaciona todos los elementos."))
            matches.append(tokens[chosen])
        items, texts = self._items(), self.key_texts()
        return {"matches": matches, "matched": [[items[i], texts[j]] for i, j in enumerate(matches)]}

    def evaluate(self, answer: dict[str, Any]) -> Evaluation:
        marks = [
            normalise(self.pairs[j]["match"]) == normalise(self.pairs[i]["match"])
            for i, j in enumerate(answer["matches"])
        ]
        score = sum(marks) / len(marks) if marks else 0.0
        all_right = all(marks)
        feedback = [CORRECT if all_right else PAIRS_WRONG]
        extra = self.feedback_correct if all_right else self.feedback_incorrect
        if extra:
            feedback.append(extra)
        keys = self.item_keys()
        return Evaluation(
            score=score, feedback=feedback, items={keys[i]: {"correct": ok} for i, ok in enumerate(marks)}
        )

    def display_context(self) -> dict[str, Any]:
        answer = self.last_answer or {}
        tokens, texts, keys = self.tokens(), self.key_texts(), self.item_keys()
        marks = self.result_items
        options = sorted(
            ({"value": tokens[j], "text": pair["match"]} for j, pair in enumerate(self.pairs)),
            key=lambda option: normalise(option["text"]),
        )
        chosen: list[str] = [""] * len(self.pairs)
        row_marks: list[Any] = [None] * len(self.pairs)
        changed = False
        if "matched" in answer:
            stored = [(str(item), str(match)) for item, match in answer["matched"]]
            rows_now = place([item for item, _match in stored], self._items())
            changed = None in rows_now or len(stored) != len(self.pairs)
            for row, (_item, match) in zip(rows_now, stored, strict=True):
                if row is None:
                    continue
                where = place([match], texts)[0]
                if where is None:  # that match is no longer offered
                    changed = True
                    continue
                chosen[row] = tokens[where]
                row_marks[row] = marks.get(keys[row])
        else:  # stored by position only, before answers kept their texts
            given = answer.get("matches", [])
            for i in range(len(self.pairs)):
                if i < len(given) and isinstance(given[i], int) and 0 <= given[i] < len(tokens):
                    chosen[i] = tokens[given[i]]
                row_marks[i] = marks.get(str(i))
        rows = [
            {"key": keys[i], "text": pair["item"], "chosen": chosen[i], "mark": row_marks[i]}
            for i, pair in enumerate(self.pairs)
        ]
        return {"rows": rows, "match_options": options, "answer_changed": changed}


class OrderingXBlock(OpaqueKeysXBlock):
    kind = "ordering"
    authored_feedback_from = 1
    kind_label = gettext_lazy("Ordenar")
    fields_template = "content/xblocks/fields_ordering.html"
    key_kind = "step"

    items = List(scope=Scope.content, default=[])
    feedback_correct = String(scope=Scope.content, default="")
    feedback_incorrect = String(scope=Scope.content, default="")

    def key_texts(self) -> list[str]:
        return [str(item) for item in self.items]

    def clean_answer(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        count = len(self.items)
        positions = []
        for i, token in enumerate(self.tokens()):
            given = _value(raw, f"position_{token}") or _value(raw, f"position_{self.legacy_token(i)}")
            try:
                position = int(given)
            except ValueError:
                raise InvalidAnswer(gettext_lazy("Elige una posición para cada paso.")) from None
            if not 1 <= position <= count:
                raise InvalidAnswer(gettext_lazy("Elige una posición para cada paso."))
            positions.append(position)
        texts = self.key_texts()
        return {"positions": positions, "placed": [[texts[i], p] for i, p in enumerate(positions)]}

    def evaluate(self, answer: dict[str, Any]) -> Evaluation:
        marks = [position == i + 1 for i, position in enumerate(answer["positions"])]
        score = sum(marks) / len(marks) if marks else 0.0
        all_right = all(marks)
        feedback = [CORRECT if all_right else STEPS_WRONG]
        extra = self.feedback_correct if all_right else self.feedback_incorrect
        if extra:
            feedback.append(extra)
        tokens = self.tokens()
        return Evaluation(
            score=score, feedback=feedback, items={tokens[i]: {"correct": ok} for i, ok in enumerate(marks)}
        )

    def display_context(self) -> dict[str, Any]:
        answer = self.last_answer or {}
        tokens = self.tokens()
        marks = self.result_items
        count = len(self.items)
        chosen: list[Any] = [None] * count
        row_marks: list[Any] = [None] * count
        changed = False
        if "placed" in answer:
            stored = [(str(text), position) for text, position in answer["placed"]]
            now = place([text for text, _position in stored], self.key_texts())
            changed = None in now or len(stored) != count
            for i, (_text, position) in zip(now, stored, strict=True):
                if i is not None:
                    chosen[i] = position
                    row_marks[i] = marks.get(tokens[i])
        else:  # stored by position only, before answers kept their texts
            given = answer.get("positions", [])
            for i in range(count):
                chosen[i] = given[i] if i < len(given) else None
                row_marks[i] = marks.get(self.legacy_token(i))
        rows = [
            {"key": tokens[i], "text": self.items[i], "chosen": chosen[i], "mark": row_marks[i]}
            for i in self.shuffled(count)
        ]
        return {"rows": rows, "positions": list(range(1, count + 1)), "answer_changed": changed}


class FreeTextXBlock(ActivityXBlock):
    kind = "free_text"
    kind_label = gettext_lazy("Respuesta abierta")
    fields_template = "content/xblocks/fields_text.html"
    event_type = "pending_review"

    max_length = Integer(scope=Scope.content, default=3000)
    rubric = List(scope=Scope.content, default=[])

    def clean_answer(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        text = _value(raw, "text").strip()
        if not text:
            raise InvalidAnswer(gettext_lazy("Escribe tu respuesta antes de enviarla."))
        if len(text) > self.max_length:
            raise InvalidAnswer(gettext_lazy("Tu respuesta es demasiado larga."))
        return {"text": text}

    def evaluate(self, answer: dict[str, Any]) -> Evaluation:
        return Evaluation(score=None, feedback=[PENDING_REVIEW])

    def feedback_authored(self, result: dict[str, Any]) -> list[bool]:
        # Once reviewed (the result carries the rubric), the feedback is the reviewer's comment on the course.
        return ["rubric" in result] * len(result.get("feedback") or [])

    def record(self, evaluation: Evaluation) -> None:
        self.pending_review = True
        self.last_result = {"score": None, "passed": False, "feedback": evaluation.feedback, "items": {}}
        self.runtime.publish(self, self.event_type, {"attempt": self.attempts, "answer": self.last_answer})

    @property
    def max_points(self) -> int:
        return sum(max((level["points"] for level in criterion["levels"]), default=0) for criterion in self.rubric)

    def apply_grade(self, *, score: float, rubric: list[dict[str, Any]], feedback: str) -> dict[str, Any]:
        """Store a reviewer's verdict in the learner's state; returns the result the learner sees."""
        passed = self.is_passing(score)
        self.pending_review = False
        self.last_result = {
            "score": score,
            "passed": passed,
            "feedback": [feedback] if feedback else [],
            "items": {},
            "rubric": rubric,
        }
        if self.best_score is None or score > self.best_score:
            self.best_score = score
        self.passed = self.passed or passed
        self.completed = True
        return self.last_result

    def display_context(self) -> dict[str, Any]:
        return {"text_value": self.last_answer.get("text", ""), "max_length": self.max_length}


class SelfReflectionXBlock(ActivityXBlock):
    kind = "self_reflection"
    kind_label = gettext_lazy("Reflexión personal")
    fields_template = "content/xblocks/fields_text.html"
    has_score = False
    event_type = "completion"

    max_length = Integer(scope=Scope.content, default=3000)
    closing_message = String(scope=Scope.content, default="")
    pass_mark = Integer(scope=Scope.settings, default=0)
    weight = Float(scope=Scope.settings, default=0.0)

    def clean_answer(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        text = _value(raw, "text").strip()
        if not text:
            raise InvalidAnswer(gettext_lazy("Escribe tu reflexión antes de enviarla."))
        if len(text) > self.max_length:
            raise InvalidAnswer(gettext_lazy("Tu reflexión es demasiado larga."))
        return {"text": text}

    def evaluate(self, answer: dict[str, Any]) -> Evaluation:
        message = self.closing_message or DEFAULT_CLOSING
        return Evaluation(score=1.0, feedback=[message])

    def feedback_authored(self, result: dict[str, Any]) -> list[bool]:
        # The author's closing message, unless it is Ruta's default one (its msgid, or before results kept the
        # msgid its translation in the language it was given in).
        return [ruta_feedback_msgid(str(text)) != DEFAULT_CLOSING for text in result.get("feedback") or []]

    def record(self, evaluation: Evaluation) -> None:
        self.completed = True
        self.passed = True
        self.last_result = {"score": None, "passed": True, "feedback": evaluation.feedback, "items": {}}
        self.runtime.publish(
            self, self.event_type, {"completion": 1.0, "attempt": self.attempts, "answer": self.last_answer}
        )

    def display_context(self) -> dict[str, Any]:
        return {"text_value": self.last_answer.get("text", ""), "max_length": self.max_length}


XBLOCK_CLASSES: dict[str, type[ActivityXBlock]] = {
    cls.kind: cls
    for cls in (
        SingleChoiceXBlock,
        MultipleChoiceXBlock,
        TrueFalseXBlock,
        FillBlanksXBlock,
        MatchingXBlock,
        OrderingXBlock,
        FreeTextXBlock,
        SelfReflectionXBlock,
    )
}
