"""The reports demo seeder only prints where each role finds its report."""

import io

import pytest

from lms.demo import reports
from lms.demo.context import DemoContext
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_lists_each_roles_report():
    ctx = DemoContext(stdout=io.StringIO(), style=None)
    ctx.users["me_officer"] = UserFactory(username="monitoreo")
    ctx.users["donor_viewer"] = UserFactory(username="cooperante")
    reports.seed(ctx)
    text = "\n".join(ctx.lines)
    assert "/informes/monitoreo/" in text and "monitoreo" in text
    assert "/informes/cooperante/" in text
    assert "/informes/programa/" not in text  # no such user in this context
