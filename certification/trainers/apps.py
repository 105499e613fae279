from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainersConfig(AppConfig):
    name = "certification.trainers"
    label = "trainers"
    verbose_name = _("Certificación de facilitadores")

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - connects the receivers
