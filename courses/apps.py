from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Cursos")

    def ready(self) -> None:
        from . import handlers  # noqa: F401
