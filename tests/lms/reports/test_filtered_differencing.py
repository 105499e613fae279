"""A cohort or region filter must not undo the gender-quota table's suppression: the filtered report subtracted from
the wider one (or from the quota table's totals) gave the other cohorts' small cells (security audit)."""

import pytest

from courses.cohorts.models import Cohort
from lms.accounts.models import Membership, Role
from lms.reports.selectors.disaggregation import cross_table, indicator_table
from lms.reports.selectors.filters import Filters, Scope
from lms.reports.selectors.roles import universe_for
from tests.courses.factories import CataloguePageFactory, CoursePageFactory, ProgrammePageFactory
from tests.lms.accounts.factories import InstitutionFactory, UserFactory
from tests.lms.reports.conftest import enrol, ensure_site, member, person

pytestmark = pytest.mark.django_db


def test_a_cohort_filter_hides_what_the_wider_report_minus_it_would_tell(settings):
    settings.RUTA_SMALL_CELL_THRESHOLD = 5
    ensure_site()
    institution = InstitutionFactory(slug="dif", name="Asociación Diferencia", acronym="DIF", country="PE")
    course = CoursePageFactory(
        parent=ProgrammePageFactory(parent=CataloguePageFactory(), title="Programa"), institution=institution
    )
    cohorts = {}
    n = 0
    # Grupo A: 15 women and 3 «Otra identidad»; Grupo B: 8, 8, 8 and 6 not stated.
    for name, counts in (("Grupo A", {"F": 15, "O": 3}), ("Grupo B", {"F": 8, "M": 8, "O": 8, "": 6})):
        cohort = Cohort.objects.create(institution=institution, course=course, name=name, country="PE", region=name)
        cohorts[name] = cohort
        for sex, count in counts.items():
            for _ in range(count):
                n += 1
                user = person(f"dif{n}", sex=sex)
                member(cohort, user)
                enrol(user, course, "2026-03-01")
    officer = UserFactory(username="dif_me")
    Membership.objects.create(user=officer, institution=institution, role=Role.ME_OFFICER)
    universe = universe_for(user=officer, view="monitoreo")
    wider = indicator_table(scope=Scope(universe), dimension_key="sexo", indicators=["enrolled"])
    assert {r.key: r.cells[0].text for r in wider.rows} == {
        "F": "23",
        "M": "8",
        "O": "11",
        "no-indicado": "6",
        "total": "48",
    }
    for filters in (Filters(cohort=cohorts["Grupo B"].pk), Filters(region="Grupo B")):
        narrow = indicator_table(scope=Scope(universe, filters), dimension_key="sexo", indicators=["enrolled"])
        cells = {r.key: r.cells[0] for r in narrow.rows}
        # 11 − 8 would give Grupo A's «Otra identidad» (3): hidden, with a partner so the column cannot give it.
        assert cells["O"].hidden
        assert sum(1 for key in ("F", "M", "O", "no-indicado", "total") if cells[key].hidden) >= 2


def test_no_narrowing_filter_gives_back_by_subtraction_what_the_report_hides(settings):
    """Country, institution, course, programme, funding source and the period narrow a report as a cohort does: a
    donor who subtracted the Peruvian report from the whole one got Ecuador's hidden «3 with a disability»; the
    totals, subtracted, counted the few outside the filter (audit of 2026-12-07)."""
    settings.RUTA_SMALL_CELL_THRESHOLD = 5
    ensure_site()
    programme = ProgrammePageFactory(parent=CataloguePageFactory(), title="Programa")
    peru = InstitutionFactory(slug="dif-pe", name="Asociación Perú", acronym="DPE", country="PE")
    ecuador = InstitutionFactory(slug="dif-ec", name="Fundación Ecuador", acronym="DEC", country="EC")
    courses = {"PE": CoursePageFactory(parent=programme, institution=peru)}
    courses["EC"] = CoursePageFactory(parent=programme, institution=ecuador)
    n = 0
    # Lima: 9 people with a disability, 12 without, 5 who did not say; Quito: 3 with, 10 without.
    for institution, country, counts in (
        (peru, "PE", {"yes": 9, "no": 12, "": 5}),
        (ecuador, "EC", {"yes": 3, "no": 10}),
    ):
        course = courses[country]
        cohort = Cohort.objects.create(institution=institution, course=course, name=country, country=country)
        for value, count in counts.items():
            for _ in range(count):
                n += 1
                user = person(f"dis{n}", disability=value)
                member(cohort, user)
                enrol(user, course, "2026-03-01")
    officer = UserFactory(username="dif_me2", is_superuser=True)
    universe = universe_for(user=officer, view="monitoreo")
    whole = indicator_table(scope=Scope(universe), dimension_key="discapacidad", indicators=["enrolled"])
    shown = {r.key: r.cells[0].text for r in whole.rows}
    assert shown["yes"] == "12" and shown["total"] == "39"
    for filters in (Filters(country="PE"), Filters(institution=peru.pk), Filters(course=courses["PE"].pk)):
        narrow = indicator_table(scope=Scope(universe, filters), dimension_key="discapacidad", indicators=["enrolled"])
        cells = {r.key: r.cells[0] for r in narrow.rows}
        # 12 − 9 = Quito's 3: hidden, and not to be had from the column's total either.
        assert cells["yes"].hidden
        assert sum(1 for cell in cells.values() if cell.hidden) >= 2
        # What still shows must not differ from the whole report by a small number.
        for key, cell in cells.items():
            if not cell.hidden and key in shown and shown[key] not in ("<5", "*"):
                assert not 1 <= int(shown[key]) - int(cell.text) <= 4, key


def test_the_cross_table_hides_what_a_wider_cross_table_minus_it_would_tell(settings):
    """The two-way table (`cruce`) follows the same rule: Lima's «disability × sex» subtracted from the whole one
    gave Quito's three people with a disability."""
    settings.RUTA_SMALL_CELL_THRESHOLD = 5
    ensure_site()
    programme = ProgrammePageFactory(parent=CataloguePageFactory(), title="Programa")
    peru = InstitutionFactory(slug="cru-pe", name="Asociación Perú", acronym="CPE", country="PE")
    ecuador = InstitutionFactory(slug="cru-ec", name="Fundación Ecuador", acronym="CEC", country="EC")
    n = 0
    # Every cell large enough to show, but for Quito's 3 women without a disability.
    lima = {(d, sex): 8 for d in ("yes", "no", "") for sex in ("F", "M", "O", "")} | {("no", "F"): 9}
    quito = {(d, sex): 6 for d in ("yes", "no", "") for sex in ("F", "M", "O", "")} | {("no", "F"): 3}
    for institution, country, counts in ((peru, "PE", lima), (ecuador, "EC", quito)):
        course = CoursePageFactory(parent=programme, institution=institution)
        cohort = Cohort.objects.create(institution=institution, course=course, name=country, country=country)
        for (value, sex), count in counts.items():
            for _ in range(count):
                n += 1
                user = person(f"cru{n}", disability=value, sex=sex)
                member(cohort, user)
                enrol(user, course, "2026-03-01")
    universe = universe_for(user=UserFactory(username="cru_me", is_superuser=True), view="monitoreo")
    whole = cross_table(scope=Scope(universe), row_dimension="discapacidad", column_dimension="sexo")
    narrow = cross_table(
        scope=Scope(universe, Filters(country="PE")), row_dimension="discapacidad", column_dimension="sexo"
    )
    cells = {r.key: r.cells for r in narrow.rows}
    # 12 − 9 would be Quito's 3 women without a disability: that cell does not show.
    assert cells["no"][0].hidden
    for key, row in cells.items():
        for cell, wide in zip(row, {r.key: r.cells for r in whole.rows}[key], strict=True):
            if not cell.hidden and not wide.hidden:
                assert not 1 <= int(wide.text) - int(cell.text) <= 4, key
