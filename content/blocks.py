"""StreamField blocks for the activities authors put in lesson bodies.

Each activity type is one ``StructBlock``; its StreamField child ``id`` (a uuid) is the activity's usage id.
``ACTIVITY_BLOCKS`` is the list of ``(name, block)`` pairs the courses app includes in ``LessonPage.body``.
Rendering a block renders the matching XBlock's student view (``content.xblocks``) for ``request.user``.

Value shapes are documented in ``content/README.md``. This module imports nothing from courses or certification.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import blocks
from wagtail.blocks.list_block import ListValue
from wagtail.blocks.struct_block import StructBlockValidationError, StructValue

from content.xblocks.activities import normalise

BLANK_PATTERN = re.compile(r"\[\[(.+?)\]\]")


def plain(value: Any) -> Any:
    """Turn a block value (StructValue, ListValue, StreamValue...) into plain JSON-able Python data."""
    if isinstance(value, StructValue):
        return {name: plain(child) for name, child in value.items()}
    if isinstance(value, ListValue | list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "source"):  # RichText
        return value.source
    if hasattr(value, "quantize"):  # Decimal
        return float(value)
    return value


def activity_context(block: blocks.Block, value: ActivityStructValue, parent_context: dict | None) -> dict:
    """Block template context plus ``activity``: the XBlock student view for the current learner."""
    from content.xblocks.rendering import render_activity_block

    context = blocks.Block.get_context(block, value, parent_context=parent_context)
    context["activity"] = render_activity_block(block=block, value=value, context=parent_context or {})
    return context


class ActivityStructValue(StructValue):
    """Presentation helpers for an authored activity."""

    def xblock_fields(self) -> dict[str, Any]:
        """The content- and settings-scoped XBlock field values this block supplies."""
        return plain(self)


class ActivityBlock(blocks.StructBlock):
    """Fields every scored activity shares: title, prompt, attempts, pass mark and weight."""

    xblock_type = ""  # the key of the XBlock class in ``content.xblocks.activities.XBLOCK_CLASSES``

    title = blocks.CharBlock(required=False, max_length=200, label=_("Título"))
    prompt = blocks.TextBlock(label=_("Enunciado"), help_text=_("La pregunta o consigna que verá la persona."))
    max_attempts = blocks.IntegerBlock(
        default=0, min_value=0, label=_("Intentos permitidos"), help_text=_("0 = sin límite.")
    )
    pass_mark = blocks.IntegerBlock(default=60, min_value=0, max_value=100, label=_("Nota mínima para aprobar (%)"))
    weight = blocks.DecimalBlock(
        default=1,
        min_value=0,
        max_digits=5,
        decimal_places=2,
        label=_("Peso"),
        help_text=_("Cuánto pesa esta actividad en la nota de la lección."),
    )

    class Meta:
        value_class = ActivityStructValue
        form_classname = "struct-block ruta-activity-block"

    def get_context(self, value: ActivityStructValue, parent_context: dict | None = None) -> dict:
        return activity_context(self, value, parent_context)


class PracticeActivityBlock(ActivityBlock):
    """An activity that, as practice (weight 0), may correct itself on the phone without signal."""

    offline_feedback = blocks.BooleanBlock(
        required=False,
        default=False,
        label=_("Corregir sin conexión (solo práctica)"),
        help_text=_(
            "Solo para práctica con peso 0: la página lleva las respuestas correctas para que la persona vea sin "
            "señal si acertó. Nunca en actividades que cuentan para la nota o el certificado."
        ),
    )

    def clean(self, value):
        value = super().clean(value)
        if value.get("offline_feedback") and value.get("weight"):
            raise StructBlockValidationError(
                block_errors={
                    "offline_feedback": ValidationError(
                        _("Solo una actividad de práctica (peso 0) puede corregirse sin conexión.")
                    )
                }
            )
        return value


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=500, label=_("Opción"))
    correct = blocks.BooleanBlock(required=False, label=_("Es correcta"))
    feedback = blocks.TextBlock(required=False, label=_("Retroalimentación si la eligen"))

    class Meta:
        icon = "radio-full"
        label = _("Opción")


class SingleChoiceBlock(PracticeActivityBlock):
    xblock_type = "single_choice"
    options = blocks.ListBlock(OptionBlock(), min_num=2, label=_("Opciones"))

    class Meta:
        icon = "radio-full"
        label = _("Selección única")
        description = _("Una pregunta con varias opciones y una sola respuesta correcta.")
        template = "content/blocks/activity.html"
        preview_value = {
            "title": "Tu idea de negocio",
            "prompt": "¿Qué conviene hacer antes de invertir en un negocio?",
            "options": [
                {"text": "Conversar con posibles clientes", "correct": True, "feedback": "¡Bien! Validas tu idea."},
                {"text": "Comprar toda la mercadería", "correct": False, "feedback": "Primero valida tu idea."},
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        if sum(1 for option in value["options"] if option["correct"]) != 1:
            raise StructBlockValidationError(
                block_errors={"options": ValidationError(_("Marca exactamente una opción correcta."))}
            )
        return value


class MultipleChoiceBlock(PracticeActivityBlock):
    xblock_type = "multiple_choice"
    options = blocks.ListBlock(OptionBlock(), min_num=2, label=_("Opciones"))

    class Meta:
        icon = "tasks"
        label = _("Selección múltiple")
        description = _("Una pregunta con varias respuestas correctas; la nota es parcial.")
        template = "content/blocks/activity.html"
        preview_value = {
            "title": "Costos del negocio",
            "prompt": "¿Cuáles son costos fijos?",
            "options": [
                {"text": "Alquiler del local", "correct": True, "feedback": "Sí, se paga cada mes."},
                {"text": "Harina para el pan", "correct": False, "feedback": "Varía con la producción."},
                {"text": "Sueldo fijo de una ayudante", "correct": True, "feedback": "Correcto."},
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        if not any(option["correct"] for option in value["options"]):
            raise StructBlockValidationError(
                block_errors={"options": ValidationError(_("Marca al menos una opción correcta."))}
            )
        return value


class TrueFalseBlock(PracticeActivityBlock):
    xblock_type = "true_false"
    correct_answer = blocks.ChoiceBlock(
        choices=[("true", _("Verdadero")), ("false", _("Falso"))], default="true", label=_("Respuesta correcta")
    )
    feedback_correct = blocks.TextBlock(required=False, label=_("Retroalimentación si acierta"))
    feedback_incorrect = blocks.TextBlock(required=False, label=_("Retroalimentación si se equivoca"))

    class Meta:
        icon = "check"
        label = _("Verdadero o falso")
        description = _("Una afirmación que la persona marca como verdadera o falsa.")
        template = "content/blocks/activity.html"
        preview_value = {
            "prompt": "Separar el dinero del negocio del dinero de la casa ayuda a saber si ganas.",
            "correct_answer": "true",
            "feedback_correct": "¡Exacto!",
            "feedback_incorrect": "Mezclar ambos no deja ver las ganancias.",
        }


class FillBlanksBlock(ActivityBlock):
    xblock_type = "fill_blanks"
    text = blocks.TextBlock(
        label=_("Texto con espacios"),
        help_text=_(
            "Escribe cada respuesta entre dobles corchetes: «El precio es [[costo|costos]] más ganancia». "
            "Separa respuestas aceptadas con «|». No importan mayúsculas ni tildes."
        ),
    )
    word_bank = blocks.TextBlock(
        required=False,
        label=_("Palabras para elegir"),
        help_text=_(
            "Opcional, una por línea. Si las escribes, cada espacio se completa eligiendo una de estas palabras "
            "(como «arrastrar palabras»): incluye las respuestas y, si quieres, palabras de más para despistar."
        ),
    )
    feedback_correct = blocks.TextBlock(required=False, label=_("Retroalimentación si acierta todo"))
    feedback_incorrect = blocks.TextBlock(required=False, label=_("Retroalimentación si falla algún espacio"))

    class Meta:
        icon = "edit"
        label = _("Completar espacios")
        description = _("Un texto con espacios en blanco que la persona completa.")
        template = "content/blocks/activity.html"
        preview_value = {
            "prompt": "Completa la fórmula.",
            "text": "Ganancia = ingresos menos [[costos|gastos]].",
            "feedback_correct": "¡Muy bien!",
            "feedback_incorrect": "Recuerda: a los ingresos les restas lo que gastas.",
        }

    def clean(self, value):
        value = super().clean(value)
        if not BLANK_PATTERN.search(value["text"]):
            raise StructBlockValidationError(
                block_errors={"text": ValidationError(_("Marca al menos un espacio con [[respuesta]]."))}
            )
        missing = self.answers_missing_from_word_bank(value)
        if missing:
            # With a word list the learner can only choose from it: a blank whose answer it lacks can never be
            # right, and a lesson that completes when its activities pass would never complete.
            answers = "; ".join(" / ".join(f"«{alt}»" for alt in blank) for blank in missing)
            message = ngettext(
                "A la lista de palabras le falta la respuesta de un espacio: %(answers)s. Agrégala a la lista "
                "(o corrige el espacio): sin ella nadie puede acertar.",
                "A la lista de palabras le faltan las respuestas de %(count)d espacios: %(answers)s. Agrégalas a "
                "la lista (o corrige los espacios): sin ellas nadie puede acertar.",
                len(missing),
            ) % {"count": len(missing), "answers": answers}
            raise StructBlockValidationError(block_errors={"word_bank": ValidationError(message)})
        return value

    @staticmethod
    def answers_missing_from_word_bank(value: Any) -> list[list[str]]:
        """The accepted answers of each blank none of whose answers is in the word list (empty without a list)."""
        words = {normalise(word) for word in (value.get("word_bank") or "").splitlines() if word.strip()}
        if not words:
            return []
        missing = []
        for match in BLANK_PATTERN.finditer(value.get("text") or ""):
            accepted = [alt.strip() for alt in match.group(1).split("|") if alt.strip()]
            if accepted and not any(normalise(alt) in words for alt in accepted):
                missing.append(accepted)
        return missing


class PairBlock(blocks.StructBlock):
    item = blocks.CharBlock(max_length=300, label=_("Elemento"))
    match = blocks.CharBlock(max_length=300, label=_("Pareja correcta"))

    class Meta:
        icon = "link"
        label = _("Pareja")


class MatchingBlock(ActivityBlock):
    xblock_type = "matching"
    pairs = blocks.ListBlock(PairBlock(), min_num=2, label=_("Parejas"))
    feedback_correct = blocks.TextBlock(required=False, label=_("Retroalimentación si acierta todo"))
    feedback_incorrect = blocks.TextBlock(required=False, label=_("Retroalimentación si falla alguna pareja"))

    class Meta:
        icon = "link"
        label = _("Relacionar")
        description = _("La persona une cada elemento con su pareja (listas desplegables, sin arrastrar).")
        template = "content/blocks/activity.html"
        preview_value = {
            "prompt": "Relaciona cada término con su significado.",
            "pairs": [
                {"item": "Ingreso", "match": "Dinero que entra"},
                {"item": "Costo", "match": "Dinero que sale"},
            ],
        }


class OrderingBlock(ActivityBlock):
    xblock_type = "ordering"
    items = blocks.ListBlock(
        blocks.CharBlock(max_length=300, label=_("Paso")),
        min_num=2,
        label=_("Pasos en el orden correcto"),
        help_text=_("Escríbelos en el orden correcto; la persona los verá mezclados."),
    )
    feedback_correct = blocks.TextBlock(required=False, label=_("Retroalimentación si acierta todo"))
    feedback_incorrect = blocks.TextBlock(required=False, label=_("Retroalimentación si falla algún paso"))

    class Meta:
        icon = "list-ol"
        label = _("Ordenar")
        description = _("La persona pone pasos en el orden correcto.")
        template = "content/blocks/activity.html"
        preview_value = {
            "prompt": "Ordena los pasos para formalizar tu negocio.",
            "items": ["Elegir el régimen tributario", "Obtener el RUC", "Emitir comprobantes"],
        }


class RubricLevelBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=200, label=_("Nivel"))
    points = blocks.IntegerBlock(min_value=0, label=_("Puntos"))

    class Meta:
        icon = "pick"
        label = _("Nivel")


class RubricCriterionBlock(blocks.StructBlock):
    criterion = blocks.CharBlock(max_length=200, label=_("Criterio"))
    description = blocks.TextBlock(required=False, label=_("Descripción"))
    levels = blocks.ListBlock(RubricLevelBlock(), min_num=1, label=_("Niveles"))

    class Meta:
        icon = "list-ul"
        label = _("Criterio")


class FreeTextBlock(ActivityBlock):
    xblock_type = "free_text"
    max_length = blocks.IntegerBlock(default=3000, min_value=1, label=_("Máximo de caracteres"))
    rubric = blocks.ListBlock(RubricCriterionBlock(), min_num=1, label=_("Rúbrica para quien revisa"))

    class Meta:
        icon = "doc-full"
        label = _("Respuesta abierta")
        description = _("Un texto libre que revisa una persona facilitadora con una rúbrica.")
        template = "content/blocks/activity.html"
        preview_value = {
            "prompt": "Describe a tu cliente ideal en pocas líneas.",
            "rubric": [
                {
                    "criterion": "Claridad",
                    "description": "Se entiende quién es el cliente.",
                    "levels": [{"label": "En proceso", "points": 1}, {"label": "Logrado", "points": 2}],
                }
            ],
        }

    def clean(self, value):
        value = super().clean(value)
        top = sum(
            max((level["points"] or 0 for level in criterion["levels"]), default=0) for criterion in value["rubric"]
        )
        if top <= 0:
            # A rubric worth 0 points cannot be graded: the answer would wait for a review that never comes.
            raise StructBlockValidationError(
                block_errors={
                    "rubric": ValidationError(
                        _(
                            "La rúbrica no da ningún punto: todos sus niveles valen 0. Da más de 0 puntos al nivel "
                            "más alto de al menos un criterio, para que se pueda calificar la respuesta."
                        )
                    )
                }
            )
        return value


class SelfReflectionBlock(blocks.StructBlock):
    """A prompt for personal reflection: completion only, no score, no right answer."""

    xblock_type = "self_reflection"

    title = blocks.CharBlock(required=False, max_length=200, label=_("Título"))
    prompt = blocks.TextBlock(label=_("Pregunta para reflexionar"))
    closing_message = blocks.TextBlock(
        required=False, label=_("Mensaje al terminar"), help_text=_("Se muestra después de enviar la reflexión.")
    )
    max_length = blocks.IntegerBlock(default=3000, min_value=1, label=_("Máximo de caracteres"))

    class Meta:
        icon = "openquote"
        label = _("Reflexión personal")
        description = _("Una pregunta para pensar; cuenta como completada al responder, sin nota.")
        template = "content/blocks/activity.html"
        value_class = ActivityStructValue
        preview_value = {
            "prompt": "¿Qué aprendiste hoy que puedas aplicar mañana en tu negocio?",
            "closing_message": "Gracias por compartir tu reflexión.",
        }

    def get_context(self, value: ActivityStructValue, parent_context: dict | None = None) -> dict:
        return activity_context(self, value, parent_context)


ACTIVITY_BLOCK_CLASSES: dict[str, type[blocks.StructBlock]] = {
    "single_choice": SingleChoiceBlock,
    "multiple_choice": MultipleChoiceBlock,
    "true_false": TrueFalseBlock,
    "fill_blanks": FillBlanksBlock,
    "matching": MatchingBlock,
    "ordering": OrderingBlock,
    "free_text": FreeTextBlock,
    "self_reflection": SelfReflectionBlock,
}

# What lesson bodies include: ``StreamField([..., *ACTIVITY_BLOCKS])``.
ACTIVITY_BLOCKS: list[tuple[str, blocks.StructBlock]] = [(name, cls()) for name, cls in ACTIVITY_BLOCK_CLASSES.items()]
