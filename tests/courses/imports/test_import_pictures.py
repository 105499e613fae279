"""A package's pictures become image blocks in document order, splitting the text around them; a file Wagtail
cannot take as an image (an SVG) stays a link in the text and is listed in the import report."""

from __future__ import annotations

import io

import pytest
from PIL import Image as PILImage
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.images import get_image_model

from content.packages.media import lesson_media_save
from content.packages.outline import Image, RichText
from courses.blocks import TextBlock
from courses.imports.services import Pictures, lesson_body

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (40, 30), "orange").save(buf, "PNG")
    return buf.getvalue()


def test_pictures_split_the_text_and_an_svg_stays_a_link():
    _name, photo = lesson_media_save(name="t/ab-puesto.png", data=png())
    _name, drawing = lesson_media_save(name="t/cd-logo.svg", data=b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    markup = (
        '<p>Antes de abrir<br>tu puesto</p><p>Mira: <img src="static/x.png" alt="Un puesto en Lima"> y sigue.</p>'
        '<ul><li>Logo <img src="static/l.svg" alt="Logo de la feria"></li></ul>'
    )
    body, counts = lesson_body(
        [RichText(html=markup), Image(path="x.png", alt="Otra vez el puesto")],
        media_urls={"static/x.png": photo, "x.png": photo, "static/l.svg": drawing},
        pictures=Pictures(),
    )
    assert [b["type"] for b in body] == ["text", "image", "text", "image"]
    assert body[0]["value"] == "<p>Antes de abrir<br/>tu puesto</p><p>Mira: </p>"
    assert body[1]["value"]["alt"] == "Un puesto en Lima"
    assert body[2]["value"].startswith("<p> y sigue.</p>")
    assert f'<a href="{drawing}">Logo de la feria</a>' in body[2]["value"]
    assert body[3]["value"]["image"] == body[1]["value"]["image"]  # one image per stored file
    image = get_image_model().objects.get()
    assert image.title == "Un puesto en Lima" and (image.width, image.height) == (40, 30)
    assert counts["skipped"] == [
        "la imagen «Logo de la feria» no es una imagen que Ruta pueda mostrar y quedó como enlace"
    ]
    converter = ContentstateConverter(TextBlock().features)
    for block in body:
        if block["type"] == "text":
            converter.from_database_format(block["value"])  # what the page editor does: no AssertionError
