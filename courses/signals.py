"""News that courses sends up.

``course_completed``: sent exactly once per enrolment, when its completion rule is first met,
with keyword argument ``enrollment`` (courses.models.Enrollment).
"""

from django.dispatch import Signal

course_completed = Signal()
