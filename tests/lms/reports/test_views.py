"""Report pages per role: who may open which, and that no one sees beyond their scope."""

import pytest
from django.urls import reverse

from lms.reports.selectors.competency import competency_table
from lms.reports.selectors.filters import Filters, Scope
from lms.reports.selectors.gender_quota import gender_quota
from lms.reports.selectors.indicators import indicator_figures
from lms.reports.selectors.roles import report_views_for_user, universe_for

pytestmark = pytest.mark.django_db


def enrolled(user, view):
    groups, _ = indicator_figures(scope=Scope(universe_for(user=user, view=view)))
    return groups[None].counts["enrolled"]


def test_role_universes(world):
    """Programme manager (Alternativa): programme P1 = courses C1, C2 → 11 people.
    Donor (USAID): cohorts K1 (6 enrolled in C1) and K3 (3) → 9; never s1 (self-paced) nor K2.
    Trainer t1: K1 → 6; trainer t2: K2 → 5."""
    assert enrolled(world.pm, "programa") == 11
    assert enrolled(world.donor, "cooperante") == 9
    assert enrolled(world.t1, "facilitacion") == 6
    assert enrolled(world.t2, "facilitacion") == 5


def test_a_role_someone_does_not_hold_gives_nothing(world):
    assert universe_for(user=world.donor, view="monitoreo").is_empty
    assert universe_for(user=world.t1, view="cooperante").is_empty
    assert report_views_for_user(user=world.t1) == ["facilitacion"]
    assert report_views_for_user(user=world.a[0]) == []


def test_a_trainer_never_sees_other_cohorts_even_when_asking_for_them(world, client):
    client.force_login(world.t1)
    universe = universe_for(user=world.t1, view="facilitacion")
    scope = Scope(universe, Filters(cohort=world.k2.pk))
    assert indicator_figures(scope=scope)[0][None].counts["enrolled"] == 0
    rows, _table = gender_quota(scope=Scope(universe))
    assert [r.name for r in rows] == ["GIN Lima"]
    response = client.get(reverse("reports:report", args=["facilitacion"]), {"grupo": world.k2.pk})
    assert response.status_code == 200
    assert "ISUN Cusco" not in response.content.decode()
    assert response.context["form"].errors  # a cohort outside their scope is not a valid choice


def test_donor_without_funding_scope_sees_nothing(world):
    world.donor.memberships.update(scope="")
    assert universe_for(user=world.donor, view="cooperante").is_empty


@pytest.mark.parametrize(
    ("who", "view", "status"),
    [
        ("me", "monitoreo", 200),
        ("pm", "programa", 200),
        ("donor", "cooperante", 200),
        ("t1", "facilitacion", 200),
        ("steward", "datos", 200),
        ("donor", "monitoreo", 403),
        ("t1", "programa", 403),
        ("me", "cooperante", 403),
    ],
)
def test_report_pages_by_role(world, client, who, view, status):
    client.force_login(getattr(world, who))
    response = client.get(reverse("reports:report", args=[view]))
    assert response.status_code == status


def test_report_page_shows_tables_chart_and_quota_warning(world, client, settings):
    settings.RUTA_SMALL_CELL_THRESHOLD = 1
    client.force_login(world.me)
    response = client.get(reverse("reports:report", args=["monitoreo"]), {"por": "nacionalidad", "cruce": "sexo"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "<svg" in html and "<title" in html and "<desc" in html
    assert "Venezolana" in html and "No indicado" in html
    assert response.context["cross_table"] is not None
    # ISUN Cusco (40 %, closed) fails without a warning; no Alternativa cohort is open below 50 %.
    assert [r.name for r in response.context["quota_warnings"]] == []
    client.force_login(world.donor)
    response = client.get(reverse("reports:report", args=["cooperante"]))
    assert [r.name for r in response.context["quota_warnings"]] == ["Finanzas Quito"]
    assert "Alerta temprana" in response.content.decode()


def test_donor_page_is_aggregate_only(world, client):
    client.force_login(world.donor)
    html = client.get(reverse("reports:report", args=["cooperante"])).content.decode()
    for person in ("a1", "a2", "c1", "s1"):
        assert f">{person}<" not in html
    assert reverse("reports:participants") not in html
    assert client.get(reverse("reports:participants")).status_code == 403
    response = client.post(reverse("reports:participants"), {"proposito": "Quiero la lista completa por favor"})
    assert response.status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_index_redirects_when_there_is_one_view(world, client):
    client.force_login(world.t1)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302
    assert response["Location"].endswith("/informes/facilitacion/")


def test_report_page_query_count_does_not_grow_with_people(world, client):
    """The M&E page costs the same number of queries for 20 people as for 60 (no query per row)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certification.models import CertificateProgramme
    from courses.cohorts.models import Attendance, LiveSession

    from .conftest import certificate, enrol, member, person

    client.force_login(world.me)
    url = reverse("reports:report", args=["monitoreo"])

    def queries():
        cache.clear()  # figures may be cached: count a page built from the database
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    queries()  # the first request also warms per-process caches (site, theme, translations)
    before, people = queries(), enrolled(world.me, "monitoreo")
    programme = CertificateProgramme.objects.get(slug="r-gin")
    session = LiveSession.objects.filter(cohort=world.k1).first()
    for i in range(40):
        sex, nationality = ("F", "VE") if i % 2 else ("M", "PE")
        someone = person(f"extra{i}", sex=sex, nationality=nationality, birth_year=1980 + i % 20, region="Lima")
        member(world.k1 if i % 3 else world.k2, someone)
        enrol(someone, world.c1 if i % 3 else world.c2, "2026-03-01", completed="2026-03-20" if i % 4 else None,
              score=80 if i % 4 else None)  # fmt: skip
        Attendance.objects.create(session=session, user=someone, status="present" if i % 2 else "absent")
        if i % 4:
            certificate(someone, programme, "2026-03-21")
    assert enrolled(world.me, "monitoreo") == people + 40  # the page now counts 40 more people…
    assert queries() == before  # …with the same queries


def test_competency_does_not_apply_to_cohort_scoped_views(world):
    for user, view in ((world.donor, "cooperante"), (world.t1, "facilitacion"), (world.pm, "programa")):
        _groups, unavailable = indicator_figures(scope=Scope(universe_for(user=user, view=view)))
        assert "certified_competency" in unavailable
        assert competency_table(scope=Scope(universe_for(user=user, view=view))) is None


@pytest.mark.parametrize("param", ["desde", "hasta"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_a_date_out_of_range_is_a_form_error_not_a_server_error(world, client, param, day):
    client.force_login(world.me)
    response = client.get(reverse("reports:report", args=["monitoreo"]), {param: day})
    assert response.status_code == 200
    assert "entre el 01/01/2000 y el 31/12/2100" in str(response.context["form"].errors[param])
    export = client.get(reverse("reports:export", args=["monitoreo", "csv"]), {param: day})
    assert export.status_code != 500


def test_one_bad_parameter_never_widens_the_report(world, client):
    """A bad value used to drop every filter: the cohort's report became the whole institution's."""
    from lms.reports.models import ExportAudit

    client.force_login(world.me)
    bad = {"grupo": world.k1.pk, "desde": "2026-13-01"}
    page = client.get(reverse("reports:report", args=["monitoreo"]), bad)
    assert page.status_code == 200
    assert page.context["filter_errors"]
    assert "desde" in page.context["form"].errors
    html = page.content.decode()
    assert "Algún filtro no es válido" in html
    assert 'id="resumen"' not in html and 'id="desagregado"' not in html and "exportar.csv" not in html
    assert all(cell.value in (None, 0) for row in page.context["table"].rows for cell in row.cells)
    audits = ExportAudit.objects.count()
    export = client.get(reverse("reports:export", args=["monitoreo", "csv"]), bad)
    assert export.status_code == 400
    assert "Los filtros tienen errores" in export.content.decode()
    assert ExportAudit.objects.count() == audits  # nothing left Ruta, nothing to audit
    good = client.get(reverse("reports:export", args=["monitoreo", "csv"]), {"grupo": world.k1.pk})
    assert good.status_code == 200
