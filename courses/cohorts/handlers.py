"""Receivers of signals sent by lower apps. One line each: they call a service or selector."""

from __future__ import annotations

from django.dispatch import receiver

from lms.accounts.signals import account_deleted, password_reset_by_helper, user_data_requested

from . import selectors, services
from .models import Notification


@receiver(password_reset_by_helper, dispatch_uid="cohorts.on_password_reset_by_helper")
def on_password_reset_by_helper(sender, reset, **kwargs) -> None:
    services.notification_helper_reset_send(reset=reset)


@receiver(user_data_requested, dispatch_uid="cohorts.on_user_data_requested")
def on_user_data_requested(sender, *, user, **kwargs):
    return selectors.participant_data_export(user=user)


@receiver(account_deleted, dispatch_uid="cohorts.on_account_deleted")
def on_account_deleted(sender, user_id, **kwargs) -> None:
    services.cohort_invitations_forget(user_id=user_id)
    # A notification is written to one person (it may name them, a reset, a session): none outlives the account.
    Notification.objects.filter(user_id=user_id).delete()
