from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = _("Apariencia")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Site

        from .context_processors import theme_clear
        from .models import ThemeSettings

        for model in (ThemeSettings, Site):
            post_save.connect(theme_clear, sender=model, dispatch_uid=f"themes.clear.save.{model.__name__}")
            post_delete.connect(theme_clear, sender=model, dispatch_uid=f"themes.clear.delete.{model.__name__}")
