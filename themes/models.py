"""Per-site branding (logo, name, colours) as a Wagtail site setting. Imports nothing from Ruta's other apps."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

#: The tagline a new site starts with; translated on pages in other languages until staff write their own.
DEFAULT_TAGLINE = gettext_noop("Aprende, certifica y emprende desde tu celular")

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Usa un color hexadecimal como #0B5394."))


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

    @property
    def localised_tagline(self) -> str:
        """The tagline in the active language: the Spanish one as written; in English the English one, else Ruta's
        default translated (an emptied Spanish tagline means none, in every language)."""
        if (get_language() or "es").split("-")[0] == "es":
            return self.tagline
        if self.tagline_en.strip():
            return self.tagline_en
        return gettext(DEFAULT_TAGLINE) if self.tagline.strip() else ""
