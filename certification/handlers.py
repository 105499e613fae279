"""Receivers of lower apps' signals: one line each, calling a service."""

from django.dispatch import receiver

from courses.signals import course_completed

from .services import certificate_issue_for_enrollment


@receiver(course_completed, dispatch_uid="certification.on_course_completed")
def on_course_completed(sender, enrollment, **kwargs):
    certificate_issue_for_enrollment(enrollment=enrollment)
