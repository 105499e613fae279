"""StreamField blocks of a lesson body: text, light media, documents, callouts (activities come from content).

Media blocks never autoplay, use ``preload="none"`` and show their size before anything is downloaded;
video and audio always offer a text transcript. External media are links, never embeds (no third-party
scripts). Must not import certification or reports.
"""

from __future__ import annotations

from urllib.parse import urlparse

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from content.blocks import ACTIVITY_BLOCKS, ActivityBlock
from content.packages.blocks import PackageActivityBlock


def _file_size(document) -> int | None:
    """Size in bytes of a Wagtail document, from its stored field or (once) from storage."""
    if document is None:
        return None
    size = getattr(document, "file_size", None)
    if size:
        return size
    try:
        return document.get_file_size()
    except (OSError, ValueError):
        return None


class MediaStructValue(blocks.StructValue):
    """Presentation helpers for video and audio: size and host of what the learner is about to load."""

    def file_size(self) -> int | None:
        return _file_size(self.get("file"))

    def external_host(self) -> str:
        url = self.get("url") or ""
        return urlparse(url).hostname or ""

    def mime_type(self) -> str:
        document = self.get("file")
        if document is None:
            return ""
        extension = document.file_extension.lower()
        return {
            "mp4": "video/mp4",
            "webm": "video/webm",
            "ogv": "video/ogg",
            "mp3": "audio/mpeg",
            "m4a": "audio/mp4",
            "ogg": "audio/ogg",
            "oga": "audio/ogg",
            "opus": "audio/ogg",
            "wav": "audio/wav",
        }.get(extension, "")


class DocumentStructValue(blocks.StructValue):
    def file_size(self) -> int | None:
        return _file_size(self.get("document"))

    def label(self) -> str:
        document = self.get("document")
        return self.get("title") or (document.title if document else "")

    def extension(self) -> str:
        document = self.get("document")
        return document.file_extension.upper() if document else ""


class TextBlock(blocks.RichTextBlock):
    """Formatted text."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"])
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "courses/blocks/text.html"
        label = _("Texto")
        description = _("Párrafos, títulos, listas y enlaces.")
        preview_value = "<p>Una <b>idea de negocio</b> nace de observar lo que las personas de tu barrio necesitan.</p>"


class ImageBlock(blocks.StructBlock):
    """A responsive WebP image, lazily loaded, with alternative text and an optional caption."""

    image = ImageChooserBlock(label=_("imagen"))
    alt = blocks.CharBlock(
        label=_("texto alternativo"),
        required=False,
        max_length=250,
        help_text=_("Describe la imagen para quienes no pueden verla. Déjalo vacío si es decorativa."),
    )
    caption = blocks.CharBlock(label=_("leyenda"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "courses/blocks/image.html"
        label = _("Imagen")
        description = _("Una imagen liviana (WebP, varios tamaños) con texto alternativo.")
        preview_value = {"alt": "", "caption": "Un puesto de comida en Lima"}


class FileOrLinkRequired:
    """For a media block with a ``file`` and a ``url``: one of the two is required (mixed in before StructBlock)."""

    def clean(self, value):
        from django.core.exceptions import ValidationError
        from wagtail.blocks.struct_block import StructBlockValidationError

        if not value.get("file") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"file": ValidationError(_("Sube un archivo o escribe un enlace externo."))}
            )
        return super().clean(value)  # type: ignore[misc]


class VideoBlock(FileOrLinkRequired, blocks.StructBlock):
    """A video file or external link: never autoplays, size shown first, captions and transcript offered."""

    title = blocks.CharBlock(label=_("título"), max_length=200)
    file = DocumentChooserBlock(
        label=_("archivo de video"), required=False, help_text=_("MP4 o WebM, comprimido para celulares.")
    )
    url = blocks.URLBlock(
        label=_("enlace externo"),
        required=False,
        help_text=_("Si el video está en otro sitio. Se muestra como enlace, no se inserta en la página."),
    )
    poster = ImageChooserBlock(label=_("imagen de portada"), required=False)
    captions = DocumentChooserBlock(label=_("subtítulos (archivo .vtt)"), required=False)
    duration = blocks.CharBlock(label=_("duración"), required=False, max_length=20, help_text=_("Por ejemplo 4:30."))
    transcript = blocks.RichTextBlock(
        label=_("transcripción"),
        required=False,
        features=["bold", "italic", "ol", "ul", "link"],
        help_text=_("Texto completo del video: la alternativa para quien tiene pocos datos o no puede escuchar."),
    )

    class Meta:
        icon = "media"
        template = "courses/blocks/video.html"
        label = _("Video")
        value_class = MediaStructValue
        description = _("Video sin reproducción automática, con su tamaño, subtítulos y transcripción.")
        preview_value = {
            "title": "Cómo encontrar clientes",
            "url": "https://example.org/video",
            "duration": "3:20",
            "transcript": "<p>En este video vemos tres formas de encontrar clientes.</p>",
        }


class AudioBlock(FileOrLinkRequired, blocks.StructBlock):
    """An audio file or external link: never autoplays, size shown first, transcript offered."""

    title = blocks.CharBlock(label=_("título"), max_length=200)
    file = DocumentChooserBlock(label=_("archivo de audio"), required=False, help_text=_("MP3, M4A u OGG."))
    url = blocks.URLBlock(label=_("enlace externo"), required=False)
    duration = blocks.CharBlock(label=_("duración"), required=False, max_length=20)
    transcript = blocks.RichTextBlock(
        label=_("transcripción"), required=False, features=["bold", "italic", "ol", "ul", "link"]
    )

    class Meta:
        icon = "microphone"
        template = "courses/blocks/audio.html"
        label = _("Audio")
        value_class = MediaStructValue
        description = _("Audio sin reproducción automática, con su tamaño y transcripción.")
        preview_value = {
            "title": "Testimonio de una emprendedora",
            "url": "https://example.org/audio",
            "duration": "2:10",
            "transcript": "<p>Empecé vendiendo arepas en la puerta de mi casa.</p>",
        }


class DocumentBlock(blocks.StructBlock):
    """A downloadable document (a manual, a template), with its format and size."""

    document = DocumentChooserBlock(label=_("documento"))
    title = blocks.CharBlock(label=_("título"), required=False, max_length=200)
    description = blocks.CharBlock(label=_("descripción"), required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        template = "courses/blocks/document.html"
        label = _("Documento descargable")
        value_class = DocumentStructValue
        description = _("Un archivo para descargar (PDF, plantilla), con su tamaño.")
        preview_value = {"title": "Manual del curso", "description": "Para leer sin conexión."}


class CalloutBlock(blocks.StructBlock):
    """A highlighted tip, note or warning."""

    kind = blocks.ChoiceBlock(
        label=_("tipo"),
        choices=[("tip", _("Consejo")), ("note", _("Nota")), ("warning", _("Importante"))],
        default="tip",
    )
    title = blocks.CharBlock(label=_("título"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("texto"), features=["bold", "italic", "ul", "ol", "link"])

    class Meta:
        icon = "help"
        template = "courses/blocks/callout.html"
        label = _("Recuadro destacado")
        description = _("Un consejo, una nota o un aviso importante, resaltado.")
        preview_value = {
            "kind": "tip",
            "title": "Consejo",
            "text": "<p>Pregunta a tres vecinas o vecinos qué les falta en el barrio.</p>",
        }


MEDIA_BLOCKS = [
    ("text", TextBlock()),
    ("image", ImageBlock()),
    ("video", VideoBlock()),
    ("audio", AudioBlock()),
    ("document", DocumentBlock()),
    ("callout", CalloutBlock()),
]

# Imported SCORM/H5P content played in a sandboxed frame: it reports completion, and a score that counts towards
# the lesson and course score only when the author marked the block «Calificado» (``graded``, with its weight).
PLAYER_BLOCKS = [("package", PackageActivityBlock())]

LESSON_BODY_BLOCKS = [*MEDIA_BLOCKS, *ACTIVITY_BLOCKS, *PLAYER_BLOCKS]
ACTIVITY_BLOCK_NAMES: frozenset[str] = frozenset(name for name, _block in [*ACTIVITY_BLOCKS, *PLAYER_BLOCKS])
_ALL_ACTIVITY_BLOCKS = dict([*ACTIVITY_BLOCKS, *PLAYER_BLOCKS])


def _weight(value: dict, graded: bool) -> float:
    try:
        return float(value.get("weight", 1) if graded else 0)
    except (TypeError, ValueError):
        return 1.0


def activity_refs(body) -> list[dict]:
    """The activities in a lesson body: usage id (the block id), type, whether graded (scored, not just
    completed) and weight. A package is graded when its author marked it so (``graded``; blocks saved before that
    choice existed are not): its ref also carries its pass mark, ``mastery`` (0..1 or None). Reads the raw JSON, so
    no chooser lookups run."""
    refs = []
    raw = getattr(body, "raw_data", None)
    for child in raw if raw is not None else []:
        if child.get("type") not in ACTIVITY_BLOCK_NAMES or not child.get("id"):
            continue
        value = child.get("value") or {}
        if child["type"] == "package":
            if not value.get("tracked", True):
                continue  # an untracked package reports nothing, so it cannot gate completion
            graded = bool(value.get("graded"))
            try:
                mastery = float(value["mastery_score"]) if value.get("mastery_score") is not None else None
            except (TypeError, ValueError):
                mastery = None
            ref = {"id": child["id"], "type": "package", "graded": graded, "weight": _weight(value, graded)}
            refs.append({**ref, "mastery": mastery})
            continue
        graded = isinstance(_ALL_ACTIVITY_BLOCKS[child["type"]], ActivityBlock)
        refs.append({"id": child["id"], "type": child["type"], "graded": graded, "weight": _weight(value, graded)})
    return refs
