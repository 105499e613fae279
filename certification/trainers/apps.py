from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainersConfig(AppConfig):
    name = "certification.trainers"
    label = "trainers"
    verbose_name = _("Certificación de facilitadores")

    def ready(self) -> None:
        from courses.signals import course_completed

        from . import handlers

        course_completed.connect(handlers.on_course_completed, dispatch_uid="trainers.on_course_completed")
