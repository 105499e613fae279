"""Receivers for Django's own auth signals. One line each: they call a service."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import services


@receiver(user_logged_in, dispatch_uid="accounts.on_user_logged_in")
def on_user_logged_in(sender, request, user, **kwargs) -> None:
    # A login with a password that is not a helper's temporary one proves the person holds the account.
    if not getattr(user, "password_is_temporary", True) and user.has_usable_password():
        services.user_signed_in_on_own_mark(user=user)
