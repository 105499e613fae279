"""Receivers of lower apps' signals: one line each, calling a service."""

from django.dispatch import receiver

from courses.signals import course_completed
from lms.accounts.signals import account_deleted

from .services import trainer_paths_on_account_deleted, trainer_paths_on_course_completed


@receiver(course_completed, dispatch_uid="trainers.on_course_completed")
def on_course_completed(sender, enrollment, **kwargs):
    trainer_paths_on_course_completed(enrollment=enrollment)


@receiver(account_deleted, dispatch_uid="trainers.on_account_deleted")
def on_account_deleted(sender, *, user_id, **kwargs):
    trainer_paths_on_account_deleted(user_id=user_id)
