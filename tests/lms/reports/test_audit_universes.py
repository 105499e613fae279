"""Findings of the reports audit on PostgreSQL (seed_demo + seed_scale): what a programme manager's report reaches,
what the gender-quota Total row counts, and which cohorts a trainer may filter by.

Uses the hand-countable ``world`` of conftest.py: programme P1 (courses C1, C2 of Alternativa) runs in cohorts K1
(C1, trainer t1, certified by the OIT) and K2 (C2, trainer t2, certified by Alternativa); attendance there is 6
«present» of 8 records, from 6 people.
"""

import pytest
from django.urls import reverse

from courses.cohorts.models import Cohort, CohortMember
from lms.accounts.models import Membership, Profile, Role
from lms.reports.selectors.filters import Filters, Scope
from lms.reports.selectors.indicators import indicator_figures
from lms.reports.selectors.roles import universe_for
from tests.courses.factories import CataloguePageFactory, CoursePageFactory, ProgrammePageFactory
from tests.lms.accounts.factories import InstitutionFactory, UserFactory

from .conftest import enrol

pytestmark = pytest.mark.django_db


def _summary(response) -> dict[str, str]:
    return {column.key: cell.text for column, cell in response.context["summary"]}


def test_programme_manager_sees_attendance_quota_and_certified_trainers_of_the_programme_cohorts(world, client):
    """The manager's universe used to be P1's courses only: attendance and cohort members have no course, so the
    page showed «<5» for attendance, no women's-quota table at all, and no certified facilitator."""
    client.force_login(world.pm)
    response = client.get(reverse("reports:report", args=["programa"]))
    assert response.status_code == 200
    assert _summary(response)["attendance_rate"] == "75,0"  # 6 present of 8, 6 people: as the M&E officer sees it
    quota = response.context["quota_table"]
    assert quota is not None
    assert quota.caption.startswith("Participación de mujeres por grupo")
    assert {row.label.split(" (")[0] for row in quota.body_rows} == {"GIN Lima", "ISUN Cusco"}
    assert "Participación de mujeres por grupo" in response.content.decode()


def test_programme_manager_counts_the_certified_facilitators_of_the_programme_cohorts(world, client, settings):
    """t1 (certified by the OIT, teaches K1) and t2 (certified by Alternativa, teaches K2): 2, not a hidden zero."""
    settings.RUTA_SMALL_CELL_THRESHOLD = 1
    client.force_login(world.pm)
    response = client.get(reverse("reports:report", args=["programa"]))
    assert _summary(response)["certified_trainers"] == "2"
    # The programme filter reaches the same cohorts.
    response = client.get(reverse("reports:report", args=["programa"]), {"programa": world.p1.pk})
    summary = _summary(response)
    assert summary["certified_trainers"] == "2"
    assert summary["attendance_rate"] == "75,0"


def test_a_course_filter_reaches_the_attendance_of_its_cohorts(world, settings):
    """ISUN (C2) runs in K2: b1 and b2 were present, 2 of 2. A course filter used to reach no attendance at all."""
    settings.RUTA_SMALL_CELL_THRESHOLD = 1
    scope = Scope(universe_for(user=world.me, view="monitoreo"), Filters(course=world.c2.pk))
    groups, unavailable = indicator_figures(scope=scope)
    assert groups[None].ratios["attendance_rate"] == (100.0, 2)
    assert "attendance_rate" not in unavailable


def test_what_a_programme_without_cohorts_cannot_have_says_no_aplica(db, client):
    """A programme taken only self-paced has no sessions and no cohort: «No aplica», never a suppressed «<5»."""
    from tests.lms.reports.conftest import ensure_site

    ensure_site()
    institution = InstitutionFactory(slug="cetpro-tumbes", name="CETPRO Señor de los Milagros", country="PE")
    catalogue = CataloguePageFactory()
    programme = ProgrammePageFactory(parent=catalogue, title="Educación financiera")
    course = CoursePageFactory(parent=programme, title="Ahorro y crédito", code="EF-AHO", institution=institution)
    for i in range(6):
        someone = UserFactory(first_name="María José", last_name=f"Núñez Peña {i}", phone=f"+5198765432{i}")
        Profile.objects.create(user=someone, sex="F")
        enrol(someone, course, "2026-03-01")
    manager = UserFactory(username="gestora-tumbes", first_name="Ángela", last_name="Saldaña Ríos")
    Membership.objects.create(user=manager, institution=institution, role=Role.PROGRAMME_MANAGER)
    client.force_login(manager)
    response = client.get(reverse("reports:report", args=["programa"]))
    assert response.status_code == 200
    summary = _summary(response)
    assert summary["enrolled"] == "6"
    assert summary["attendance_rate"] == "No aplica"
    assert summary["certified_trainers"] == "No aplica"
    assert summary["certified_competency"] == "No aplica"


def test_the_quota_total_counts_people_not_memberships(db, client, settings):
    """Six women of the first cohort join a second one too: the Total row stays the number of people (as
    «Personas inscritas»), instead of counting them twice (DOMAIN §5.4)."""
    from tests.lms.reports.conftest import ensure_site

    settings.RUTA_SMALL_CELL_THRESHOLD = 5
    ensure_site()
    institution = InstitutionFactory(slug="fudela-quito", name="Fundación FUDELA", country="EC")
    officer = UserFactory(username="monitor-quito", first_name="Andrés", last_name="Guamán Yépez")
    Membership.objects.create(user=officer, institution=institution, role=Role.ME_OFFICER)
    catalogue = CataloguePageFactory()
    programme = ProgrammePageFactory(parent=catalogue, title="Emprende Segur@")
    course = CoursePageFactory(parent=programme, title="Mi negocio", code="ES-NEG", institution=institution)
    first = Cohort.objects.create(
        institution=institution, course=course, name="Quitumbe mañana", country="EC", region="Pichincha", city="Quito"
    )
    second = Cohort.objects.create(
        institution=institution, course=course, name="Quitumbe tarde", country="EC", region="Pichincha", city="Quito"
    )
    women, men = [], []
    for i in range(10):
        woman = UserFactory(first_name="Génesis", last_name=f"Chávez Muñoz {i}", phone=f"+59399123456{i}")
        Profile.objects.create(user=woman, sex="F", nationality="VE")
        women.append(woman)
    for i in range(8):
        man = UserFactory(first_name="Jhonatan", last_name=f"Peñafiel Ordóñez {i}", phone=f"+59398765432{i}")
        Profile.objects.create(user=man, sex="M", nationality="EC")
        men.append(man)
    for someone in women + men:
        CohortMember.objects.create(cohort=first, user=someone)
        enrol(someone, course, "2026-03-01")
    for woman in women[:6]:  # already counted in the first cohort
        CohortMember.objects.create(cohort=second, user=woman)
    for man in men[:5]:
        CohortMember.objects.create(cohort=second, user=man)

    client.force_login(officer)
    response = client.get(reverse("reports:report", args=["monitoreo"]))
    assert response.status_code == 200
    assert _summary(response)["enrolled"] == "18"
    quota = response.context["quota_table"]
    total = {column.key: cell.text for column, cell in zip(quota.columns, quota.total_row.cells, strict=True)}
    assert total["total"] == "18"  # people; the two cohorts' rows add up to 29 memberships
    assert total["F"] == "10"
    assert total["M"] in ("8", "*")  # «*»: the hidden zeros of «Otro» and «No indicado» need a partner
    assert total["share"] == "55,6"
    rows = {row.label.split(" (")[0]: row.cells for row in quota.body_rows}
    assert rows["Quitumbe mañana"][-3].text == "18" and rows["Quitumbe tarde"][-3].text == "11"


def test_a_trainer_may_only_filter_by_the_cohorts_they_teach(world, client):
    """t1 teaches K1 (GIN, Alternativa). Another cohort of the same course, here run by FUDELA, is not hers: it is
    neither a choice nor a quiet report of «<5» everywhere, but a form error; FUDELA is not in her institutions."""
    other = Cohort.objects.create(
        institution=world.fud, course=world.c1, name="GIN Guayaquil", country="EC", region="Guayas", city="Guayaquil"
    )
    client.force_login(world.t1)
    url = reverse("reports:report", args=["facilitacion"])
    response = client.get(url)
    form = response.context["form"]
    assert [label for value, label in form.fields["grupo"].choices if value] == ["GIN Lima"]
    assert [label for value, label in form.fields["institucion"].choices if value] == [str(world.alt)]

    response = client.get(url, {"grupo": other.pk})
    assert response.status_code == 200
    assert response.context["filter_errors"]
    assert "grupo" in response.context["form"].errors
    assert client.get(reverse("reports:export", args=["facilitacion", "csv"]), {"grupo": other.pk}).status_code == 400

    response = client.get(url, {"institucion": world.fud.pk})
    assert "institucion" in response.context["form"].errors

    response = client.get(url, {"grupo": world.k1.pk})
    assert not response.context["filter_errors"]
