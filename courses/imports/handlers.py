"""Receivers: when an editor publishes an imported course, its draft modules, lessons and folder go live too."""

from django.dispatch import receiver
from wagtail.signals import page_published

from courses.models import CoursePage

from .services import imported_course_publish


@receiver(page_published, sender=CoursePage, dispatch_uid="imports.on_page_published")
def on_page_published(sender, instance, revision=None, **kwargs):
    imported_course_publish(course=instance, user=getattr(revision, "user", None))
