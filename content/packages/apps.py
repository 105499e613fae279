from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    name = "content.packages"
    label = "packages"
    verbose_name = _("Paquetes de contenido")

    def ready(self) -> None:
        from . import origin  # noqa: F401  registers the package origin's system checks
