"""A cohort or region filter must not undo the gender-quota table's suppression: the filtered report subtracted from
the wider one (or from the quota table's totals) gave the other cohorts' small cells (security audit)."""

import pytest

from courses.cohorts.models import Cohort
from lms.accounts.models import Membership, Role
from lms.reports.selectors.disaggregation import indicator_table
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
