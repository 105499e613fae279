from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "courses.imports"
    label = "imports"
    verbose_name = _("Importación de paquetes")

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - connects the receivers
