"""``seed_scale`` at a tiny size: every table the reports read gets rows, and the reports run on them."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lms.reports.selectors.filters import Scope
from lms.reports.selectors.indicators import indicator_figures
from lms.reports.selectors.universes import EVERYTHING
from tests.lms.reports.conftest import ensure_site

pytestmark = pytest.mark.django_db


def test_seed_scale_small(capsys):
    from courses.cohorts.models import Attendance, CohortMember
    from courses.models import Enrollment, LessonProgress

    ensure_site()
    args = ["--participants", "60", "--lessons", "3", "--courses", "2", "--cohorts-per-course", "2", "--sessions", "2"]
    call_command("seed_scale", *args)
    assert Enrollment.objects.count() == 60
    assert LessonProgress.objects.count() == 180
    assert CohortMember.objects.count() == 60
    assert Attendance.objects.count() == 120
    groups, _ = indicator_figures(scope=Scope(EVERYTHING))
    assert groups[None].counts["enrolled"] == 60
    with pytest.raises(CommandError):
        call_command("seed_scale", *args)
