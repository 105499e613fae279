"""A cohort or region filter must not undo the women-per-cohort table's suppression (audit of 2026-12-08): the
filtered table showed the big cohort's women and total, and the unfiltered report's «Total (personas)» minus them
gave the small cohort the same table hides (2 people in Guayaquil, 1 of them a woman). The quota table is compared
with the wider reports as the indicator table is, on the page and in the CSV and XLSX exports."""

import csv
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from courses.cohorts.models import Cohort
from lms.accounts.models import Membership, Role
from tests.courses.factories import CataloguePageFactory, CoursePageFactory, ProgrammePageFactory
from tests.lms.accounts.factories import InstitutionFactory, UserFactory
from tests.lms.reports.conftest import enrol, ensure_site, member, person

pytestmark = pytest.mark.django_db

FIRST = ("María José", "Ñusta", "Andrés", "Yéssica", "Jhonny", "Sofía", "Martín", "Ángela", "Raúl", "Inés")


def _people(cohort, course, prefix, sexes, phone):
    for i, sex in enumerate(sexes):
        name = {"first_name": FIRST[i % len(FIRST)], "last_name": f"Pérez Ñáñez {i}", "phone": f"{phone}{i:02d}"}
        user = person(f"{prefix}{i}", sex=sex) if sex is not None else person(f"{prefix}{i}")
        type(user).objects.filter(pk=user.pk).update(**name)
        member(cohort, user)
        enrol(user, course, "2026-06-15")


@pytest.fixture
def ecuador(settings):
    """FUDELA (Ecuador): «MESUN Quito» 20 people (9 women, 4 men, 2 «Otra identidad», 5 not stated), «MESUN
    Guayaquil» 2 (a woman and a man); its M&E officer."""
    settings.RUTA_SMALL_CELL_THRESHOLD = 5
    ensure_site()
    institution = InstitutionFactory(slug="fudela-cuota", name="Fundación FUDELA", acronym="FUDELA", country="EC")
    course = CoursePageFactory(
        parent=ProgrammePageFactory(parent=CataloguePageFactory(), title="MESUN"), institution=institution
    )
    quito = Cohort.objects.create(
        institution=institution, course=course, name="MESUN Quito", country="EC", region="Pichincha", city="Quito"
    )
    guayaquil = Cohort.objects.create(
        institution=institution, course=course, name="MESUN Guayaquil", country="EC", region="Guayas"
    )
    _people(quito, course, "quito", ["F"] * 9 + ["M"] * 4 + ["O"] * 2 + [""] * 2 + [None] * 3, "+59399123")
    _people(guayaquil, course, "gye", ["F", "M"], "+59398765")
    officer = UserFactory(username="monitora-fudela", first_name="Lucía", last_name="Andrade Ñauta")
    Membership.objects.create(user=officer, institution=institution, role=Role.ME_OFFICER)
    return officer, quito


@pytest.fixture
def peru(settings):
    """Alternativa (Peru), programme «Emprende Segur@»: «Emprende Lima» 22 people (15 women, 6 men, 1 not stated),
    «Formación de facilitadores» 1 woman; its programme manager."""
    settings.RUTA_SMALL_CELL_THRESHOLD = 5
    ensure_site()
    institution = InstitutionFactory(slug="alternativa-cuota", name="Asociación Alternativa", country="PE")
    programme = ProgrammePageFactory(parent=CataloguePageFactory(), title="Emprende Segur@")
    course = CoursePageFactory(parent=programme, title="Gestión del negocio", institution=institution)
    lima = Cohort.objects.create(
        institution=institution, course=course, name="Emprende Lima", country="PE", region="Lima", city="Lima"
    )
    trainers = Cohort.objects.create(
        institution=institution, course=course, name="Formación de facilitadores", country="PE", region="Lima"
    )
    _people(lima, course, "lima", ["F"] * 15 + ["M"] * 6 + [""], "+5199812")
    _people(trainers, course, "fac", ["F"], "+5199845")
    manager = UserFactory(username="gestion-alternativa", first_name="Rocío", last_name="Quispe Ñahui")
    Membership.objects.create(user=manager, institution=institution, role=Role.PROGRAMME_MANAGER)
    return manager, lima


def _page_quota(client, view, params):
    response = client.get(reverse("reports:report", args=[view]), params)
    assert response.status_code == 200
    section = BeautifulSoup(response.content, "lxml").find("section", attrs={"aria-labelledby": "cuota"})
    for spoken in section.select(".visually-hidden"):  # «menos de 5», «cifra oculta»: what a screen reader says
        spoken.decompose()
    rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in section.find_all("tr")]
    return _by_row(rows)


def _csv_quota(client, view, params):
    response = client.get(reverse("reports:export", args=[view, "csv"]), params)
    assert response.status_code == 200
    return _by_row(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))))


def _xlsx_quota(client, view, params):
    response = client.get(reverse("reports:export", args=[view, "xlsx"]), params)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return _by_row(
        [["" if v is None else str(v) for v in row] for sheet in book for row in sheet.iter_rows(values_only=True)]
    )


def _by_row(rows):
    """The quota table's rows by label (cohort name or «Total (personas)»), as {column header: text}."""
    header = next(r for r in rows if r and r[0] == "Grupo")
    start = rows.index(header)
    table = {}
    for row in rows[start + 1 :]:
        if not row or not row[0]:
            break
        table[row[0].split(" (")[0] if not row[0].startswith("Total") else row[0]] = dict(
            zip(header, row, strict=False)
        )
        if row[0].startswith("Total"):
            break
    return table


def _number(text):
    return int(text.replace(",", "")) if text.replace(",", "").isdigit() else None


def _nothing_told_apart(narrow, wide):
    """No figure the filtered table shows, subtracted from the one the unfiltered report shows at the same place or
    in its Total row, gives a small count (1..4)."""
    for label, row in narrow.items():
        for column in ("Mujer", "Hombre", "No indicado", "Total"):
            shown = _number(row.get(column, ""))
            if shown is None:
                continue
            for other in (wide.get(label, {}), wide["Total (personas)"]):
                wider = _number(other.get(column, ""))
                assert wider is None or not 1 <= wider - shown <= 4, (label, column, shown, wider)


def test_a_cohort_or_region_filter_does_not_give_back_the_small_cohort_of_ecuador(ecuador, client):
    officer, quito = ecuador
    client.force_login(officer)
    wide = _page_quota(client, "monitoreo", {})
    assert wide["MESUN Guayaquil"]["Total"] == "<5"
    assert (wide["Total (personas)"]["Mujer"], wide["Total (personas)"]["Total"]) == ("10", "22")
    for params in ({"grupo": quito.pk}, {"region": "Pichincha"}):
        for table in (
            _page_quota(client, "monitoreo", params),
            _csv_quota(client, "monitoreo", params),
            _xlsx_quota(client, "monitoreo", params),
        ):
            assert list(table) == ["MESUN Quito", "Total (personas)"]
            quito_row, total_row = table["MESUN Quito"], table["Total (personas)"]
            # 10 − 9 and 22 − 20 would be Guayaquil's woman and its two people.
            assert quito_row["Mujer"] != "9" and quito_row["Total"] != "20", params
            assert total_row["Mujer"] != "9" and total_row["Total"] != "20", params
            assert quito_row["Mujeres (%)"] == "—" and quito_row["Estado"] == "—"
            _nothing_told_apart(table, wide)


def test_the_filtered_page_does_not_show_in_the_quota_table_what_its_indicators_hide(ecuador, client):
    officer, quito = ecuador
    client.force_login(officer)
    response = client.get(reverse("reports:report", args=["monitoreo"]), {"grupo": quito.pk})
    indicators = {row.key: row.cells[0].text for row in response.context["table"].rows}
    assert indicators["F"] == "*" and indicators["total"] == "*"  # «Personas inscritas»: 9 women, 20 in all
    quota = _page_quota(client, "monitoreo", {"grupo": quito.pk})
    assert "9" not in (quota["MESUN Quito"]["Mujer"], quota["Total (personas)"]["Mujer"])
    assert "20" not in (quota["MESUN Quito"]["Total"], quota["Total (personas)"]["Total"])
    assert response.context["quota_chart"] is None  # no bar for a cohort whose women or total are hidden


def test_a_cohort_filter_does_not_tell_the_programme_manager_the_one_trainer_is_a_woman(peru, client):
    manager, lima = peru
    client.force_login(manager)
    wide = _page_quota(client, "programa", {})
    assert (wide["Total (personas)"]["Mujer"], wide["Total (personas)"]["Total"]) == ("16", "23")
    assert wide["Formación de facilitadores"]["Total"] == "<5"
    for table in (
        _page_quota(client, "programa", {"grupo": lima.pk}),
        _csv_quota(client, "programa", {"grupo": lima.pk}),
        _xlsx_quota(client, "programa", {"grupo": lima.pk}),
    ):
        # 16 − 15 women of 23 − 22 people: the one person of «Formación de facilitadores» is a woman.
        assert table["Emprende Lima"]["Mujer"] != "15" and table["Emprende Lima"]["Total"] != "22"
        assert table["Total (personas)"]["Mujer"] != "15" and table["Total (personas)"]["Total"] != "22"
        _nothing_told_apart(table, wide)


def test_the_unfiltered_quota_table_still_shows_the_safe_figures_in_ecuador(ecuador, client):
    """No wider report to compare with: the table is suppressed as before (the small cohort and the partners that
    cover it hidden), and the Total row still gives the women's share."""
    officer, _quito = ecuador
    client.force_login(officer)
    for table in (_csv_quota(client, "monitoreo", {}), _page_quota(client, "monitoreo", {})):
        total = table["Total (personas)"]
        assert (total["Mujer"], total["No indicado"], total["Total"]) == ("10", "5", "22")
        assert total["Mujeres (%)"] in ("45.5", "45,5")
        assert table["MESUN Guayaquil"]["Mujer"] == "<5" and table["MESUN Guayaquil"]["Estado"] == "—"


def test_the_unfiltered_quota_table_still_shows_the_safe_figures_in_peru(peru, client):
    manager, _lima = peru
    client.force_login(manager)
    for table in (_csv_quota(client, "programa", {}), _page_quota(client, "programa", {})):
        total = table["Total (personas)"]
        assert (total["Mujer"], total["Total"]) == ("16", "23")
        assert total["Mujeres (%)"] in ("69.6", "69,6")
        assert table["Formación de facilitadores"]["Total"] == "<5"
