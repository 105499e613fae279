from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThemesConfig(AppConfig):
    name = "themes"
    verbose_name = _("Apariencia")

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - connects the receivers
