"""Receivers of lower apps' signals: one line each, calling a service."""

from .services import trainer_paths_on_course_completed


def on_course_completed(sender, enrollment, **kwargs):
    trainer_paths_on_course_completed(enrollment=enrollment)
