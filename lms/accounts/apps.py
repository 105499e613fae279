from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Cuentas e instituciones")

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - connects the receivers
