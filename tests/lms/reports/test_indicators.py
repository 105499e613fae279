"""Every indicator against figures counted by hand on the ``world`` fixture (see conftest.py)."""

import datetime as dt

import pytest

from lms.reports.dimensions import DIMENSIONS
from lms.reports.selectors.competency import competency_pass_rate, competency_table
from lms.reports.selectors.disaggregation import cross_table
from lms.reports.selectors.filters import Filters, Scope
from lms.reports.selectors.gender_quota import gender_quota
from lms.reports.selectors.indicators import indicator_figures
from lms.reports.selectors.roles import universe_for
from lms.reports.selectors.universes import EVERYTHING

pytestmark = pytest.mark.django_db


def totals(scope):
    groups, unavailable = indicator_figures(scope=scope)
    stats = groups[None]
    return stats, unavailable


def by(scope, dimension, indicator="enrolled"):
    groups, _unavailable = indicator_figures(scope=scope, dimension=DIMENSIONS[dimension])
    found = {key: stats.counts.get(indicator, 0) for key, stats in groups.items() if key is not None}
    # The total row is the sum of the groups (every person has exactly one value per dimension)...
    assert groups[None].counts.get(indicator, 0) == sum(found.values())
    # ...and equals the figure computed without any dimension.
    assert groups[None].counts.get(indicator, 0) == indicator_figures(scope=scope)[0][None].counts.get(indicator, 0)
    return {key: n for key, n in found.items() if n}


def test_me_officer_totals(world):
    """M&E of Alternativa: courses C1, C2, cohorts K1, K2, its own certificates.

    enrolled: C1 a1..a6 + s1 (7) + C2 b1..b4 (a1 already counted) = 11 people; 12 enrolments.
    active: a1 a2 a3 a4 a5 b1 (a6 withdrew) = 6. completed: a1 a2 a4 = 3.
    course certificates: a1, a4 (a2's was revoked) = 2. trainer certificates: t2 (issued by Alternativa, teaches
    K2) and t1 (issued by the OIT, teaches K1) = 2.
    attendance: 6 present of 8 records = 75 %. score: (80 + 90 + 70) / 3 = 80. days: (10 + 20 + 30) / 3 = 20.
    """
    scope = Scope(universe_for(user=world.me, view="monitoreo"))
    stats, unavailable = totals(scope)
    assert stats.counts["enrolled"] == 11
    assert stats.counts["enrollments"] == 12
    assert stats.counts["active"] == 6
    assert stats.counts["completed"] == 3
    assert stats.counts["certified_course"] == 2
    assert stats.counts["certified_trainers"] == 2
    assert stats.counts["certified_competency"] == 0
    assert stats.ratios["attendance_rate"] == (75.0, 6)
    assert stats.ratios["average_score"] == (80.0, 3)
    assert stats.ratios["days_to_complete"] == (20.0, 3)
    assert not unavailable


def test_disaggregation_by_sex_nationality_and_age(world):
    scope = Scope(universe_for(user=world.me, view="monitoreo"), Filters(end=dt.date(2026, 12, 31)))
    # F: a1 a2 a3 a6 s1 b3; M: a4 b1 b2 b4; not stated: a5 (no profile).
    assert by(scope, "sexo") == {"F": 6, "M": 4, "": 1}
    assert by(scope, "sexo", "completed") == {"F": 2, "M": 1}
    assert by(scope, "nacionalidad") == {"VE": 4, "PE": 5, "CO": 1, "": 1}
    # 2026 − 1995 = 31, − 1990 = 36, − 2000 = 26, − 1985 = 41; everyone else has no year of birth.
    assert by(scope, "edad") == {"30-34": 1, "35-44": 2, "25-29": 1, "": 7}
    assert by(scope, "discapacidad") == {"no": 1, "": 10}
    assert by(scope, "region") == {"Lima": 5, "Cusco": 5, "": 1}  # a5 has no profile


def test_migratory_status_needs_the_latest_reporting_consent(world):
    """a1 consented (regular); a2 withdrew (asylum → not stated); a3 never consented (national → not stated)."""
    scope = Scope(universe_for(user=world.me, view="monitoreo"))
    assert by(scope, "situacion-migratoria") == {"regular": 1, "": 10}


def test_period_filter(world):
    """March 2026: C1 enrolments (7 people), completions a1 (11th), a2 (21st), a4 (31st, inclusive end)."""
    scope = Scope(
        universe_for(user=world.me, view="monitoreo"), Filters(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    )
    stats, _ = totals(scope)
    assert stats.counts["enrolled"] == 7
    assert stats.counts["completed"] == 3
    assert stats.counts["certified_course"] == 1  # a1 on 12 March; a4's is dated 1 April
    assert stats.ratios["attendance_rate"] == (round(100 * 4 / 6, 1), 4)


@pytest.mark.parametrize(
    ("filters", "enrolled"),
    [
        (Filters(cohort=None, region="Cusco"), 5),
        (Filters(funding_source="Asdi"), 5),
        (Filters(funding_source="aecid"), 6),
        (Filters(country="EC"), 0),
        (Filters(country="PE"), 10),  # s1 took C1 on her own, with no cohort: she has no place
    ],
)
def test_delivery_filters(world, filters, enrolled):
    scope = Scope(universe_for(user=world.me, view="monitoreo"), filters)
    assert totals(scope)[0].counts["enrolled"] == enrolled


def test_programme_course_cohort_and_institution_filters(world):
    universe = universe_for(user=world.me, view="monitoreo")
    assert totals(Scope(universe, Filters(programme=world.p1.pk)))[0].counts["enrolled"] == 11
    assert totals(Scope(universe, Filters(programme=world.p2.pk)))[0].counts["enrolled"] == 0
    assert totals(Scope(universe, Filters(course=world.c2.pk)))[0].counts["enrolled"] == 5
    assert totals(Scope(universe, Filters(cohort=world.k2.pk)))[0].counts["enrolled"] == 5
    assert totals(Scope(universe, Filters(cohort=world.k3.pk)))[0].counts["enrolled"] == 0  # not theirs
    assert totals(Scope(universe, Filters(institution=world.fud.pk)))[0].counts["enrolled"] == 0


def test_certified_trainers_and_competency_for_the_whole_platform(world, admin_user):
    scope = Scope(universe_for(user=admin_user, view="monitoreo"))
    stats, unavailable = totals(scope)
    assert stats.counts["certified_trainers"] == 2  # t1 (OIT) and t2 (Alternativa)
    assert stats.counts["certified_competency"] == 1
    assert stats.counts["enrolled"] == 14


def test_competency_candidates_per_stage_and_pass_rate(world, settings):
    settings.RUTA_SMALL_CELL_THRESHOLD = 1
    scope = Scope(universe_for(user=world.unmsm_me, view="monitoreo"))
    rate, decided = competency_pass_rate(scope=scope)
    assert (rate, decided) == (50.0, 2)
    table = competency_table(scope=scope)
    counts = {row.key: row.cells[0].value for row in table.rows}
    assert counts["decided"] == 2
    assert counts["applied"] == 1
    assert counts["assigned"] == 1
    assert counts["total"] == 4
    assert table.pass_rate == 50.0
    # The competency certificate is counted for the certifying body.
    assert totals(scope)[0].counts["certified_competency"] == 1


def test_competency_does_not_apply_to_a_course_filter(world):
    scope = Scope(universe_for(user=world.unmsm_me, view="monitoreo"), Filters(course=world.c1.pk))
    assert competency_table(scope=scope) is None
    assert "certified_competency" in totals(scope)[1]


def test_gender_quota_per_cohort_with_early_warning(world, settings):
    """K1 4 women of 6 (ok); K2 2 of 5 and closed (fails); K3 1 of 3 and still open (warning)."""
    settings.RUTA_SMALL_CELL_THRESHOLD = 1
    rows, table = gender_quota(scope=Scope(EVERYTHING))
    by_name = {r.name: r for r in rows}
    assert by_name["GIN Lima"].share == pytest.approx(66.7)
    assert by_name["GIN Lima"].status == "ok"
    assert by_name["ISUN Cusco"].share == 40.0
    assert by_name["ISUN Cusco"].status == "bad"
    assert by_name["Finanzas Quito"].share == pytest.approx(33.3)
    assert by_name["Finanzas Quito"].status == "warning"


def test_not_stated_is_never_counted_as_a_woman(world, settings):
    settings.RUTA_SMALL_CELL_THRESHOLD = 1
    rows, _table = gender_quota(scope=Scope(EVERYTHING, Filters(cohort=world.k1.pk)))
    (k1,) = rows
    assert k1.women.value == 4  # a5 (no profile) is among the 6 but not a woman
    assert k1.total.value == 6


def test_cross_table_with_consent_gated_dimension(world, settings):
    settings.RUTA_SMALL_CELL_THRESHOLD = 1
    table = cross_table(
        scope=Scope(universe_for(user=world.me, view="monitoreo")),
        row_dimension="sexo",
        column_dimension="situacion-migratoria",
    )
    columns = [c.key for c in table.columns]
    women = next(r for r in table.rows if r.key == "F")
    # Of the six women only a1 counts as "regular" (her consent is in force); the rest are "No indicado".
    assert women.cells[columns.index("regular")].value == 1
    assert women.cells[columns.index("no-indicado")].value == 5
    assert women.cells[columns.index("asylum")].value is None  # a2's status is hidden: consent withdrawn
    assert table.total_row.cells[-1].value == 11


@pytest.mark.parametrize("dimension", ["sexo", "nacionalidad", "situacion-migratoria", "edad"])
def test_totals_of_a_breakdown_equal_the_overall_figures(world, dimension):
    scope = Scope(universe_for(user=world.me, view="monitoreo"))
    overall = indicator_figures(scope=scope)[0][None]
    grouped = indicator_figures(scope=scope, dimension=DIMENSIONS[dimension])[0][None]
    assert grouped.counts == overall.counts
    assert grouped.ratios == overall.ratios


def test_people_under_15_have_their_own_age_band_not_no_indicado(world):
    """«No indicado» means only that no year of birth was given; a 14-year-old used to land there."""
    from lms.accounts.models import Profile

    Profile.objects.filter(user__username="b1").update(birth_year=2012)  # 14 in 2026
    Profile.objects.filter(user__username="b3").update(birth_year=2020)  # 6
    Profile.objects.filter(user__username="b2").update(birth_year=2011)  # 15: the youngest band
    scope = Scope(universe_for(user=world.me, view="monitoreo"), Filters(end=dt.date(2026, 12, 31)))
    assert by(scope, "edad") == {"menos-15": 2, "15-17": 1, "30-34": 1, "35-44": 2, "25-29": 1, "": 4}
    labels = DIMENSIONS["edad"].labels()
    assert list(labels)[0] == "menos-15" and str(labels["menos-15"]) == "Menos de 15 años"
