"""Receivers of signals sent by lower apps. One line each: they call a service."""

from __future__ import annotations

from django.dispatch import receiver

from lms.accounts.signals import account_deleted, password_reset_by_helper

from . import services


@receiver(password_reset_by_helper, dispatch_uid="cohorts.on_password_reset_by_helper")
def on_password_reset_by_helper(sender, reset, **kwargs) -> None:
    services.notification_helper_reset_send(reset=reset)


@receiver(account_deleted, dispatch_uid="cohorts.on_account_deleted")
def on_account_deleted(sender, user_id, **kwargs) -> None:
    services.cohort_invitations_forget(user_id=user_id)
