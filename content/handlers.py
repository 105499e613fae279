"""Receivers of lower apps' signals: one line each, calling a content service."""

from django.dispatch import receiver

from content import services
from lms.accounts.signals import account_deleted, user_data_requested


@receiver(user_data_requested, dispatch_uid="content.on_user_data_requested")
def on_user_data_requested(sender, *, user, **kwargs):
    return services.learner_answers_export(user=user)


@receiver(account_deleted, dispatch_uid="content.on_account_deleted")
def on_account_deleted(sender, *, user_id, **kwargs):
    services.learner_answers_erase(user_id=user_id)
