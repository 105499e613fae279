"""Per-site branding (logo, name, colours) as a Wagtail site setting. Imports nothing from Ruta's other apps."""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

#: The tagline a new site starts with; translated on pages in other languages until staff write their own.
DEFAULT_TAGLINE = gettext_noop("Aprende, certifica y emprende desde tu celular")

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Usa un color hexadecimal como #0B5394."))

#: The least contrast with white each colour needs (WCAG 2.1). The primary colour is the text colour of links and the
#: background of white text (buttons, header, menu): 4.5:1. The accent colour only draws lines on white (the keyboard
#: focus outline, borders), never text: 3:1 (1.4.11).
PRIMARY_MIN_CONTRAST = 4.5
ACCENT_MIN_CONTRAST = 3.0


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio between ``#RRGGBB`` and white (1 to 21)."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


@register_setting(icon="image")
class ThemeSettings(BaseSiteSetting):
    """Logo, name and colours shown on every page of one site (one site per institution if wanted)."""

    site_name = models.CharField(_("nombre del sitio"), max_length=80, default="Ruta")
    tagline = models.CharField(_("lema"), max_length=160, blank=True, default=DEFAULT_TAGLINE)
    tagline_en = models.CharField(
        _("lema en inglés"),
        max_length=160,
        blank=True,
        default="",
        help_text=_("Se muestra en las páginas en inglés. Si lo dejas vacío, se muestra el lema de Ruta traducido."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    primary_colour = models.CharField(
        _("color principal"),
        max_length=7,
        default="#0B5394",
        validators=[hex_colour],
        help_text=_("Debe contrastar con el blanco (4.5:1) para ser legible."),
    )
    accent_colour = models.CharField(_("color de acento"), max_length=7, default="#B45309", validators=[hex_colour])

    panels = [
        FieldPanel("site_name"),
        FieldPanel("tagline"),
        FieldPanel("tagline_en"),
        FieldPanel("logo"),
        FieldPanel("primary_colour"),
        FieldPanel("accent_colour"),
    ]

    class Meta:
        verbose_name = _("apariencia del sitio")

    def clean(self) -> None:
        super().clean()
        errors = {}
        checks = (
            (
                "primary_colour",
                PRIMARY_MIN_CONTRAST,
                _(
                    "Este color contrasta %(ratio)s:1 con el blanco y hace falta al menos %(needed)s:1: con él no se "
                    "leerían los enlaces, los botones ni el menú. Elige un tono más oscuro."
                ),
            ),
            (
                "accent_colour",
                ACCENT_MIN_CONTRAST,
                _(
                    "Este color contrasta %(ratio)s:1 con el blanco y hace falta al menos %(needed)s:1: no se vería el "
                    "contorno que marca dónde está el teclado. Elige un tono más oscuro."
                ),
            ),
        )
        for field, needed, message in checks:
            value = getattr(self, field) or ""
            if not hex_colour.regex.fullmatch(value):
                continue  # the field's own validator says how to write a colour
            ratio = contrast_with_white(value)
            if ratio < needed:
                # Rounded down, so a colour just short of the minimum never reads as meeting it.
                shown = number_format(math.floor(ratio * 100) / 100, 2)
                errors[field] = ValidationError(
                    message, code="contrast", params={"ratio": shown, "needed": number_format(needed, 1)}
                )
        if errors:
            raise ValidationError(errors)

    @property
    def localised_tagline(self) -> str:
        """The tagline in the active language: the Spanish one as written; in English the English one, else Ruta's
        default translated (an emptied Spanish tagline means none, in every language)."""
        if (get_language() or "es").split("-")[0] == "es":
            return self.tagline
        if self.tagline_en.strip():
            return self.tagline_en
        return gettext(DEFAULT_TAGLINE) if self.tagline.strip() else ""
