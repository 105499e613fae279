from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Cuentas e instituciones")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import handlers

        user_logged_in.connect(handlers.on_user_logged_in, dispatch_uid="accounts-signed-in-on-own")
