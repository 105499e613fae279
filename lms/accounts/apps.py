from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Cuentas e instituciones")

    def ready(self) -> None:
        from lms import learnercache

        from . import handlers  # noqa: F401 - connects the receivers

        learnercache.install()  # web and worker processes alike: any database write invalidates learners' pages
