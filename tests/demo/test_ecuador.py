"""The demo serves Ecuador too: FUDELA's cohort in Quito, with +593 mobiles, shows in the reports for ``?pais=EC``."""

import io

import pytest
from django.core.management import call_command

from certification.models import Certificate
from courses.cohorts.models import Attendance, Cohort
from courses.models import Enrollment
from lms.accounts.models import User

pytestmark = pytest.mark.django_db


def enrolled_in_report(client, query: str) -> tuple[str, str]:
    """The «enrolled» figure of the M&E report's total row as the page prints it, and the page."""
    client.force_login(User.objects.get(username="monitoreo"))
    response = client.get("/informes/monitoreo/" + query)
    assert response.status_code == 200
    table = response.context["table"]
    column = next(i for i, c in enumerate(table.columns) if c.key == "enrolled")
    return table.total_row.cells[column].text, response.content.decode()


def test_the_demo_has_an_ecuadorian_cohort_that_the_reports_show_for_ecuador(client):
    call_command("seed_demo", stdout=io.StringIO())

    cohort = Cohort.objects.get(country="EC", institution__slug="fudela")
    assert cohort.city == "Quito" and cohort.region == "Pichincha"
    assert cohort.trainer_links.get(lead=True).user.username == "facilitadora-quito"
    members = [m.user for m in cohort.members.select_related("user", "user__profile")]
    assert 8 <= len(members) <= 13
    invented = [u for u in members if u.username.startswith("quito-")]
    assert invented and all(u.phone.startswith("+5939") and len(u.phone) == 13 for u in invented)
    nationalities = {u.profile.nationality for u in members}
    assert {"VE", "EC"} <= nationalities and "" in nationalities  # some leave it empty
    enrolments = Enrollment.objects.filter(user__in=members, course=cohort.course)
    assert enrolments.filter(completed_at__isnull=False).count() >= 3
    assert enrolments.filter(completed_at__isnull=True, progress__gt=0).count() >= 3
    assert Certificate.objects.filter(holder__in=invented, programme__course=cohort.course).count() >= 3
    assert Attendance.objects.filter(session__cohort=cohort, status="present").exists()

    ecuador, html = enrolled_in_report(client, "?pais=EC")
    assert ecuador.isdigit() and int(ecuador) >= len(members)
    assert "&lt;5" in html  # the four men of the cohort are a small cell
    peru, _ = enrolled_in_report(client, "?pais=PE")
    assert int(peru) > int(ecuador)

    def counts():
        return (
            cohort.members.count(),
            Enrollment.objects.filter(user__in=members).count(),
            Attendance.objects.filter(session__cohort=cohort).count(),
            Certificate.objects.filter(holder__in=members).count(),
            User.objects.filter(phone__startswith="+593").count(),
        )

    before = counts()
    call_command("seed_demo", stdout=io.StringIO())  # idempotent: the Ecuadorian cohort is not made twice
    assert Cohort.objects.filter(country="EC").count() == 1
    assert counts() == before
    assert enrolled_in_report(client, "?pais=EC")[0] == ecuador
