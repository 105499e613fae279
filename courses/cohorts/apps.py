from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "courses.cohorts"
    label = "cohorts"
    verbose_name = _("Grupos y facilitación")

    def ready(self) -> None:
        from lms.accounts.signals import account_deleted, password_reset_by_helper

        from . import handlers

        password_reset_by_helper.connect(handlers.on_password_reset_by_helper, dispatch_uid="cohorts-helper-reset")
        account_deleted.connect(handlers.on_account_deleted, dispatch_uid="cohorts-account-deleted")
