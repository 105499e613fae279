"""Receivers of lower apps' signals: one line each, calling a service."""

from django.dispatch import receiver

from content.signals import activity_scored

from . import services


@receiver(activity_scored, dispatch_uid="courses.on_activity_scored")
def on_activity_scored(sender, *, user, page_id=None, **kwargs):
    services.progress_record(user=user, lesson_id=page_id)
