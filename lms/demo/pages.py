"""What the demo's pages are made of: raw StreamField values with stable ids, pages found by slug or created,
the generated illustration, and a learner finishing a lesson through the services learners use.

Idempotent by construction: block ids and submission ids are uuid5 of readable names, and pages are found by slug
under their parent and refreshed, so a second run changes nothing and never double-counts an answer.
"""

from __future__ import annotations

import io
import uuid

from django.core.files.images import ImageFile
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from courses.services import progress_record

NAMESPACE = uuid.UUID("0f5c3b8e-6a57-4d4e-9a7e-2f0b7c1d9e11")


def stable_id(*parts: str) -> str:
    """A uuid5 of readable parts: the same on every run, so a re-run finds what the last one made."""
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


# --- Raw StreamField values (stable ids) -----------------------------------------------------------------


def text(key: str, html: str) -> dict:
    return {"type": "text", "id": stable_id(key, "text", html[:40]), "value": html}


def callout(key: str, title: str, html: str, kind: str = "tip") -> dict:
    return {
        "type": "callout",
        "id": stable_id(key, "callout", title),
        "value": {"kind": kind, "title": title, "text": html},
    }


def image(key: str, image_id: int, alt: str, caption: str = "") -> dict:
    return {
        "type": "image",
        "id": stable_id(key, "image"),
        "value": {"image": image_id, "alt": alt, "caption": caption},
    }


def _activity(key: str, kind: str, prompt: str, **value) -> dict:
    base = {"title": value.pop("title", ""), "prompt": prompt, "max_attempts": 0, "pass_mark": 60, "weight": "1"}
    return {"type": kind, "id": stable_id(key, kind, prompt[:40]), "value": {**base, **value}}


def choice(key: str, prompt: str, options: list[tuple[str, bool, str]], title: str = "") -> dict:
    items = [
        {
            "type": "item",
            "id": stable_id(key, prompt[:30], option),
            "value": {"text": option, "correct": ok, "feedback": fb},
        }
        for option, ok, fb in options
    ]
    return _activity(key, "single_choice", prompt, title=title, options=items)


def true_false(key: str, prompt: str, answer: bool, right: str, wrong: str) -> dict:
    return _activity(
        key,
        "true_false",
        prompt,
        correct_answer="true" if answer else "false",
        feedback_correct=right,
        feedback_incorrect=wrong,
    )


def blanks(key: str, prompt: str, body: str, right: str, wrong: str) -> dict:
    return _activity(key, "fill_blanks", prompt, text=body, feedback_correct=right, feedback_incorrect=wrong)


def ordering(key: str, prompt: str, steps: list[str]) -> dict:
    items = [{"type": "item", "id": stable_id(key, "step", step), "value": step} for step in steps]
    return _activity(key, "ordering", prompt, items=items, feedback_correct="¡Muy bien!", feedback_incorrect="")


def reflection(key: str, prompt: str, closing: str) -> dict:
    return {
        "type": "self_reflection",
        "id": stable_id(key, "self_reflection", prompt[:40]),
        "value": {"title": "", "prompt": prompt, "closing_message": closing, "max_length": 3000},
    }


# --- Pages -----------------------------------------------------------------------------------------------


def child_page(parent: Page, model, slug: str, **fields):
    """Find the child page by slug (refreshing its fields) or create it, live."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        return page
    changed = False
    for name, value in fields.items():
        if getattr(page, name) != value and name != "body":
            setattr(page, name, value)
            changed = True
    if "body" in fields and list(page.body.raw_data) != fields["body"]:
        page.body = fields["body"]
        changed = True
    if changed:
        page.save()
    return page


def demo_image():
    """A small generated illustration (a market stall), made once."""
    from PIL import Image as PILImage
    from PIL import ImageDraw
    from wagtail.images.models import Image

    title = "Demo: puesto de mercado"
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    canvas = PILImage.new("RGB", (1200, 675), "#f3f6fa")
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((150, 250, 1050, 600), fill="#0B5394")
    for n, colour in enumerate(["#B45309", "#146c2e", "#a4161a", "#7a4d00", "#B45309", "#146c2e"]):
        draw.rectangle((150 + n * 150, 150, 300 + n * 150, 260), fill=colour)
    for n in range(8):
        draw.ellipse((200 + n * 105, 320, 280 + n * 105, 400), fill="#f6c453")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name="puesto-de-mercado.png"))


def required_lessons(course: CoursePage) -> list[LessonPage]:
    """The required lessons of a course, in order."""
    # Only the required lessons the catalogue step builds: later steps may add optional ones (the cohorts step adds
    # a free-text lesson to GIN), and a second run must not start progress on them.
    return list(LessonPage.objects.live().descendant_of(course).filter(required=True).order_by("path"))


CORRECT_ANSWERS = {
    "single_choice": lambda value: {
        "choice": str(next(i for i, o in enumerate(value["options"]) if o["value"]["correct"]))
    },
    "true_false": lambda value: {"value": value["correct_answer"]},
    "fill_blanks": lambda value: {"blank": [value["text"].split("[[")[1].split("|")[0].split("]]")[0]]},
    "self_reflection": lambda value: {"text": "Sé cocinar muy bien y organizar pedidos."},
}


def complete_lesson(user, lesson: LessonPage) -> None:
    """View a lesson and answer its activities correctly, through the same services learners use."""
    from content.services import activity_submit

    progress_record(user=user, lesson_id=lesson.pk, viewed=True)
    for child in lesson.body.raw_data:
        maker = CORRECT_ANSWERS.get(child["type"])
        if maker is None:  # ordering and matching are left for the learner
            continue
        activity_submit(
            user=user,
            page=lesson,
            usage_id=child["id"],
            answer=maker(child["value"]),
            submission_id=stable_id("demo-answer", str(user.pk), child["id"]),
        )
