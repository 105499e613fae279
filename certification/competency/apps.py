from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetencyConfig(AppConfig):
    name = "certification.competency"
    label = "competency"
    verbose_name = _("Certificación de competencias")

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - connects the receivers
