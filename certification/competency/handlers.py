"""Receivers of lower apps' signals: one line each, calling a competency service."""

from django.dispatch import receiver

from lms.accounts.signals import account_deleted, user_data_requested

from . import services


@receiver(user_data_requested, dispatch_uid="competency.on_user_data_requested")
def on_user_data_requested(sender, *, user, **kwargs):
    return services.candidate_data_export(user=user)


@receiver(account_deleted, dispatch_uid="competency.on_account_deleted")
def on_account_deleted(sender, *, user_id, **kwargs):
    services.candidate_data_erase(user_id=user_id)
