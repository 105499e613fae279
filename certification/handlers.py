"""Receivers of lower apps' signals: one line each, calling a service or selector."""

from django.dispatch import receiver

from courses.signals import course_completed
from lms.accounts.signals import user_data_requested

from .selectors import certificate_data_export
from .services import certificates_issue_for_completion


@receiver(course_completed, dispatch_uid="certification.on_course_completed")
def on_course_completed(sender, enrollment, **kwargs):
    certificates_issue_for_completion(enrollment=enrollment)


@receiver(user_data_requested, dispatch_uid="certification.on_user_data_requested")
def on_user_data_requested(sender, *, user, **kwargs):
    return {"certificates": certificate_data_export(user=user)}
