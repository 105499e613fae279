"""Ruta's base form for Wagtail images (``WAGTAILIMAGES_IMAGE_FORM_BASE``): every image upload in the admin (the
image library, the multiple uploader, the image chooser used for pages and the branding logo) goes through it.

Wagtail only recognises an image by its first bytes; a truncated or corrupt photo, or another file renamed to
``.jpg``, then fails while its size is read (``PIL.UnidentifiedImageError``, wagtail issue #10960) and the staff
member sees an error page. Here such a file is a validation error on the file field, in Spanish, like any other.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

UNREADABLE = _(
    "No pudimos leer la imagen: puede estar dañada o incompleta. Vuelve a exportarla o toma otra foto (JPG, PNG o "
    "WebP)."
)


class ReadableImageField(WagtailImageField):
    """Wagtail's image field, refusing with a message any file whose pixels cannot actually be read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages["invalid_image"] = UNREADABLE

    def check_image_pixel_size(self, f: Any) -> None:
        try:
            super().check_image_pixel_size(f)
        except ValidationError:
            raise
        except (OSError, ValueError, SyntaxError, EOFError) as exc:  # PIL.UnidentifiedImageError is an OSError
            raise ValidationError(UNREADABLE, code="invalid_image") from exc


class RutaImageForm(BaseImageForm):
    """Wagtail's image form with :class:`ReadableImageField` for the file (Wagtail builds the field itself, through
    its own ``formfield_callback``, so it is swapped here)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None and type(field) is WagtailImageField:
            replacement = ReadableImageField(
                label=field.label, required=field.required, widget=field.widget, initial=field.initial
            )
            replacement.help_text = field.help_text
            self.fields["file"] = replacement
