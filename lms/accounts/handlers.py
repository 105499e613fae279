"""Receivers for Django's own auth signals, the header's language switch and role changes. One line each: they call
a service."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from themes.signals import language_chosen

from . import services
from .models import Institution, Membership


@receiver(user_logged_in, dispatch_uid="accounts.on_user_logged_in")
def on_user_logged_in(sender, request, user, **kwargs) -> None:
    # A login with a password that is not a helper's temporary one proves the person holds the account.
    if not getattr(user, "password_is_temporary", True) and user.has_usable_password():
        services.user_signed_in_on_own_mark(user=user)
    # The language the person signs in with (the request's, set by LocaleMiddleware; none for a login made in code)
    # is the one they read: notices sent to them later follow it.
    services.user_language_set(user=user, language=getattr(request, "LANGUAGE_CODE", None))


@receiver(language_chosen, dispatch_uid="accounts.on_language_chosen")
def on_language_chosen(sender, request, language, **kwargs) -> None:
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)


@receiver(post_save, sender=Membership, dispatch_uid="accounts.on_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="accounts.on_membership_deleted")
def on_membership_changed(sender, instance, **kwargs) -> None:
    # The institution-admin role reaches the Wagtail admin (importing packages) through its group.
    services.institution_admin_group_sync(user_ids=[instance.user_id])


@receiver(post_save, sender=Institution, dispatch_uid="accounts.on_institution_saved")
def on_institution_saved(sender, instance, created, **kwargs) -> None:
    if not created:  # closing an institution takes its admins out of the group (unless they admin another)
        services.institution_admin_group_sync(user_ids=instance.memberships.values_list("user_id", flat=True))
