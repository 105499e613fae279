"""Lesson body media: light by default (no autoplay, nothing preloaded, size shown first, text alternatives)."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail_factories import ImageFactory

from courses.blocks import AudioBlock, CalloutBlock, DocumentBlock, ImageBlock, VideoBlock
from courses.models import LessonPage

pytestmark = pytest.mark.django_db


def document(name: str, size: int) -> Document:
    doc = Document(title=name)
    doc.file.save(name, ContentFile(b"x" * size), save=False)
    doc.save()
    return doc


def test_video_file_never_autoplays_preloads_nothing_and_shows_size_captions_and_transcript():
    block = VideoBlock()
    value = block.to_python(
        {
            "title": "Cómo encontrar clientes",
            "file": document("clientes.mp4", 2_500_000).pk,
            "poster": ImageFactory().pk,
            "captions": document("clientes.vtt", 300).pk,
            "duration": "3:20",
            "transcript": "<p>En este video vemos tres formas de encontrar clientes.</p>",
        }
    )
    html = block.render(value)
    assert 'preload="none"' in html
    assert "autoplay" not in html
    assert "2,4\xa0MB" in html or "2.4\xa0MB" in html or "2,4 MB" in html
    assert '<track kind="captions" srclang="es"' in html
    assert 'type="video/mp4"' in html
    assert "poster=" in html and ".webp" in html
    assert "Leer la transcripción" in html and "tres formas de encontrar clientes" in html


def test_external_video_is_a_link_not_an_embed():
    block = VideoBlock()
    html = block.render(block.to_python({"title": "Charla", "url": "https://videos.example.org/v/1", "transcript": ""}))
    assert "<iframe" not in html and "<video" not in html and "<script" not in html
    assert 'href="https://videos.example.org/v/1"' in html
    assert "videos.example.org" in html


def test_video_needs_a_file_or_a_link():
    from django.core.exceptions import ValidationError

    block = VideoBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"title": "Sin fuente"}))


def test_audio_preloads_nothing_and_shows_its_size():
    block = AudioBlock()
    html = block.render(block.to_python({"title": "Testimonio", "file": document("testimonio.mp3", 800_000).pk}))
    assert 'preload="none"' in html and "autoplay" not in html
    assert "KB" in html
    assert 'type="audio/mpeg"' in html


def test_document_shows_format_and_size():
    block = DocumentBlock()
    html = block.render(block.to_python({"document": document("manual-sst.pdf", 150_000).pk, "title": "Manual SST"}))
    assert "Manual SST" in html and "PDF" in html and "KB" in html
    assert "download" in html


def test_image_is_responsive_webp_lazy_with_alt_text():
    block = ImageBlock()
    html = block.render(block.to_python({"image": ImageFactory().pk, "alt": "Un puesto de comida", "caption": ""}))
    assert 'loading="lazy"' in html
    assert "srcset=" in html and html.count(".webp") >= 3
    assert 'alt="Un puesto de comida"' in html


def test_callout_renders_its_title_and_text():
    block = CalloutBlock()
    html = block.render(block.to_python({"kind": "warning", "title": "", "text": "<p>Ten un botiquín.</p>"}))
    assert "Importante" in html and "Ten un botiquín." in html


def test_every_body_block_declares_icon_template_preview_and_description():
    for name, block in LessonPage.body.field.stream_block.child_blocks.items():
        meta = block.meta
        assert meta.icon, name
        assert getattr(meta, "template", None), name
        assert getattr(meta, "description", None), name
        assert getattr(meta, "preview_value", None) is not None, name
