"""The women's quota never shows «Cumple»/«No cumple» for a cohort whose counts are hidden (security audit): with
one person in a group, the status would tell her or his sex. Not on the page, the warnings, the chart or exports."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from lms.accounts.models import Membership, Profile, Role
from lms.reports.selectors.filters import Scope
from lms.reports.selectors.gender_quota import gender_quota
from lms.reports.selectors.roles import universe_for
from tests.courses.cohorts.factories import CohortFactory, CohortMemberFactory
from tests.lms.accounts.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

STATUSES = ("Cumple", "No cumple", "Alerta")


@pytest.fixture
def world(settings):
    settings.RUTA_SMALL_CELL_THRESHOLD = 5
    institution = InstitutionFactory(name="Asociación Señor de Sipán", slug="senor-de-sipan")
    officer = UserFactory(username="monitora", first_name="Lucía", last_name="Fernández Ortiz")
    Membership.objects.create(user=officer, institution=institution, role=Role.ME_OFFICER)
    solo_woman = CohortFactory(institution=institution, name="Tejedoras Ñaña", join_open=False)
    solo_man = CohortFactory(institution=institution, name="Bodegueros Piñán", join_open=False)
    solo_open = CohortFactory(institution=institution, name="Emprende Cañete", join_open=True)
    big = CohortFactory(institution=institution, name="Gestión Ayacucho", join_open=False)
    for cohort, sex, name in (
        (solo_woman, "F", "Yesenia Quispe Mamani"),
        (solo_man, "M", "Óscar Huamán Ñahui"),
        (solo_open, "M", "José Ángel Chávez"),
    ):
        first, last = name.split(" ", 1)
        user = UserFactory(first_name=first, last_name=last)
        Profile.objects.create(user=user, sex=sex)
        CohortMemberFactory(cohort=cohort, user=user)
    for i in range(12):
        user = UserFactory(first_name=f"Participante {i}", last_name="Núñez")
        Profile.objects.create(user=user, sex="F" if i % 2 else "M")
        CohortMemberFactory(cohort=big, user=user)
    # A second big cohort: the lone woman of «Tejedoras Ñaña» needs a non-zero partner in the women's column (the
    # other small cohorts' zeros give no cover), and the smallest one is here (5 women), not in «Gestión Ayacucho».
    partner = CohortFactory(institution=institution, name="Gestión Huamanga", join_open=False)
    for i in range(12):
        user = UserFactory(first_name=f"Integrante {i}", last_name="Rojas")
        Profile.objects.create(user=user, sex="F" if i < 5 else "M")
        CohortMemberFactory(cohort=partner, user=user)
    return officer


def _row(rows, name):
    return next(row for row in rows if row and row[0].startswith(name))


def test_a_suppressed_cohort_has_no_status_in_the_selector(world):
    rows, table = gender_quota(scope=Scope(universe_for(user=world, view="monitoreo")))
    by_name = {row.name: row for row in rows}
    for name in ("Tejedoras Ñaña", "Bodegueros Piñán", "Emprende Cañete"):
        assert by_name[name].total.hidden and by_name[name].status == "hidden" and by_name[name].share is None
    assert by_name["Gestión Ayacucho"].status == "ok" and by_name["Gestión Ayacucho"].share == 50.0
    statuses = {row.label.split(" (")[0]: row.cells[-1].text for row in table.rows}
    assert statuses["Tejedoras Ñaña"] == statuses["Bodegueros Piñán"] == statuses["Emprende Cañete"] == "—"
    assert statuses["Gestión Ayacucho"] == "Cumple"


def test_the_page_has_no_status_warning_or_bar_for_a_suppressed_cohort(world, client):
    client.force_login(world)
    response = client.get(reverse("reports:report", args=["monitoreo"]))
    assert response.status_code == 200
    assert response.context["quota_warnings"] == []  # «Emprende Cañete» (open, one man) would have been a warning
    assert "Alerta temprana" not in response.content.decode()
    chart = response.context["quota_chart"]
    assert [bar.label for bar in chart.bars] == ["Gestión Ayacucho"]
    assert "Tejedoras" not in chart.description and "Bodegueros" not in chart.description


def test_csv_and_xlsx_exports_show_a_dash_for_a_suppressed_cohorts_status(world, client):
    client.force_login(world)
    text = client.get(reverse("reports:export", args=["monitoreo", "csv"])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    woman, man = _row(rows, "Tejedoras Ñaña"), _row(rows, "Bodegueros Piñán")
    assert woman[1:] == man[1:]  # nothing tells them apart
    assert woman[-1] == "—" and not any(status in cell for cell in woman for status in STATUSES)
    assert _row(rows, "Gestión Ayacucho")[-1] == "Cumple"
    content = client.get(reverse("reports:export", args=["monitoreo", "xlsx"])).content
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    cells = [
        [str(v) if v is not None else "" for v in row] for sheet in book for row in sheet.iter_rows(values_only=True)
    ]
    woman, man = _row(cells, "Tejedoras Ñaña"), _row(cells, "Bodegueros Piñán")
    assert woman[1:] == man[1:] and woman[-1] == "—"
