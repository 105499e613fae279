"""Receivers of signals sent by lower apps. One line each: they call a service."""

from __future__ import annotations

from . import services


def on_password_reset_by_helper(sender, reset, **kwargs) -> None:
    services.notification_helper_reset_send(reset=reset)


def on_account_deleted(sender, user_id, **kwargs) -> None:
    services.cohort_invitations_forget(user_id=user_id)
