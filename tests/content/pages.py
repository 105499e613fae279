"""Test-only Wagtail pages that hold activities (the real LessonPage belongs to courses).

Their tables are created by ``tests/content/conftest.py`` when the test database is set up; they are never
migrated. ``HookedActivityTestPage`` implements the duck-typed hooks content calls on pages.
"""

from typing import ClassVar

from django.template import engines
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from content.blocks import ACTIVITY_BLOCKS

TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% load wagtailcore_tags %}{% block content %}<h1>{{ page.title }}</h1>'
    "{% for block in page.body %}{% include_block block %}{% endfor %}{% endblock %}"
)


class ActivityTestPage(Page):
    body = StreamField(ACTIVITY_BLOCKS, blank=True)
    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types: ClassVar[list] = []  # never offered in the page tree of other tests
    is_creatable = False

    class Meta:
        app_label = "content"

    def get_template(self, request, *args, **kwargs):
        return TEMPLATE


class HookedActivityTestPage(Page):
    body = StreamField(ACTIVITY_BLOCKS, blank=True)
    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types: ClassVar[list] = []  # never offered in the page tree of other tests
    is_creatable = False

    allowed: ClassVar[set[str]] = set()  # usernames that may submit
    graders: ClassVar[set[tuple[str, str]]] = set()  # (grader, learner) pairs

    class Meta:
        app_label = "content"

    def get_template(self, request, *args, **kwargs):
        return TEMPLATE

    def can_submit_activity(self, user) -> bool:
        return user.username in self.allowed

    def can_grade_activity(self, grader, learner) -> bool:
        return (grader.username, learner.username) in self.graders
