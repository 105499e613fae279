from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Contenidos y actividades")

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - connects the receivers
