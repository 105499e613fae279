"""Receivers of Django's model signals: a saved or deleted theme or site drops the cached themes."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Site

from .context_processors import theme_forget
from .models import ThemeSettings


@receiver([post_save, post_delete], sender=ThemeSettings, dispatch_uid="themes.on_theme_changed")
@receiver([post_save, post_delete], sender=Site, dispatch_uid="themes.on_site_changed")
def on_theme_changed(sender, **kwargs) -> None:
    theme_forget()
