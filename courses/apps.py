from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Cursos")

    def ready(self) -> None:
        from content.packages.selectors import package_access_register

        from . import handlers  # noqa: F401 - connects the receivers
        from .selectors import package_readable_by

        package_access_register(package_readable_by)
