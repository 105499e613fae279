"""Per-site branding (logo, name, colours) as a Wagtail site setting. Imports nothing from Ruta's other apps."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Usa un color hexadecimal como #0B5394."))


@register_setting(icon="image")
class ThemeSettings(BaseSiteSetting):
    """Logo, name and colours shown on every page of one site (one site per institution if wanted)."""

    site_name = models.CharField(_("nombre del sitio"), max_length=80, default="Ruta")
    tagline = models.CharField(
        _("lema"), max_length=160, blank=True, default="Aprende, certifica y emprende desde tu celular"
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
        FieldPanel("logo"),
        FieldPanel("primary_colour"),
        FieldPanel("accent_colour"),
    ]

    class Meta:
        verbose_name = _("apariencia del sitio")
