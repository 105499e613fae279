"""A small, hand-countable world for report tests (figures are worked out in the test docstrings).

Institutions: Alternativa (PE), FUDELA (EC), OIT, UNMSM (certifying body).
Programme P1 → courses C1, C2 (Alternativa); programme P2 → course C3 (FUDELA).
Cohorts: K1 (Alternativa, C1, Lima, "USAID + AECID", open), K2 (Alternativa, C2, Cusco, "Asdi", closed),
K3 (FUDELA, C3, Pichincha EC, "USAID", open).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lms.accounts.models import ConsentRecord, Membership, Profile, Role
from tests.lms.accounts.factories import InstitutionFactory, UserFactory

TZ = dt.timezone(dt.timedelta(hours=-5))  # America/Lima


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=TZ)


def person(username: str, **profile) -> object:
    user = UserFactory(username=username)
    if profile:
        Profile.objects.create(user=user, **profile)
    return user


def consent(user, granted: bool, when: str) -> None:
    record = ConsentRecord.objects.create(user=user, purpose="reporting", granted=granted, text_version="t")
    ConsentRecord.objects.filter(pk=record.pk).update(created_at=at(when))


def enrol(user, course, enrolled: str, *, completed=None, score=None, active=None, status="active"):
    from courses.models import Enrollment

    enrollment = Enrollment.objects.create(user=user, course=course)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        enrolled_at=at(enrolled),
        completed_at=at(completed) if completed else None,
        last_activity_at=at(active) if active else (at(completed) if completed else None),
        score=score,
        status="completed" if completed else status,
        progress=100 if completed else 10,
    )
    return enrollment


def member(cohort, user):
    from courses.cohorts.models import CohortMember

    CohortMember.objects.create(cohort=cohort, user=user)
    Membership.objects.get_or_create(user=user, institution=cohort.institution, role=Role.PARTICIPANT)


_cert_seq = iter(range(1, 10_000))


def certificate(holder, programme, issued: str, *, revoked: bool = False):
    from certification.models import Certificate

    n = next(_cert_seq)
    return Certificate.objects.create(
        code=f"TEST{n:08d}",
        source_key=f"test:{n}",
        programme=programme,
        holder=holder,
        holder_name=holder.username,
        achievement=programme.title,
        issuer=programme.issuer,
        issuer_name=str(programme.issuer),
        issued_on=dt.date.fromisoformat(issued),
        kid="k1",
        signature="x",
        revoked_at=timezone.now() if revoked else None,
    )


def ensure_site():
    """Transactional (browser) tests flush Wagtail's initial root page, site and locale: put them back."""
    from wagtail.models import Locale, Page, Site

    Locale.objects.get_or_create(language_code="es")
    if not Site.objects.filter(is_default_site=True).exists():
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=Page(title="Inicio", slug="inicio"))
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)


@pytest.fixture
def world(db):
    from certification.competency.models import Application, CompetencyStandard
    from certification.models import CertificateProgramme
    from courses.cohorts.models import Attendance as AttendanceRecord
    from courses.cohorts.models import Cohort, CohortTrainer, LiveSession
    from tests.courses.factories import CataloguePageFactory, CoursePageFactory, ProgrammePageFactory

    ensure_site()
    alt = InstitutionFactory(slug="alt", name="ONG Alternativa", acronym="Alternativa", country="PE")
    fud = InstitutionFactory(slug="fud", name="FUDELA", acronym="FUDELA", country="EC")
    oit = InstitutionFactory(slug="oit-r", name="OIT", acronym="OIT", country="PE")
    unmsm = InstitutionFactory(slug="unmsm-r", name="UNMSM", acronym="UNMSM", country="PE", type="university")

    catalogue = CataloguePageFactory()
    p1 = ProgrammePageFactory(parent=catalogue, title="IMESUN")
    p2 = ProgrammePageFactory(parent=catalogue, title="Emprende Segur@")
    c1 = CoursePageFactory(parent=p1, title="GIN", code="R-GIN", institution=alt)
    c2 = CoursePageFactory(parent=p1, title="ISUN", code="R-ISUN", institution=alt)
    c3 = CoursePageFactory(parent=p2, title="Finanzas", code="R-FIN", institution=fud)

    today = timezone.localdate()
    k1 = Cohort.objects.create(
        institution=alt, course=c1, name="GIN Lima", country="PE", region="Lima", city="Lima",
        funding_source="USAID + AECID", ends_on=today + dt.timedelta(days=60),
    )  # fmt: skip
    k2 = Cohort.objects.create(
        institution=alt, course=c2, name="ISUN Cusco", country="PE", region="Cusco", city="Cusco",
        funding_source="Asdi", ends_on=today - dt.timedelta(days=30),
    )  # fmt: skip
    k3 = Cohort.objects.create(
        institution=fud, course=c3, name="Finanzas Quito", country="EC", region="Pichincha", city="Quito",
        funding_source="USAID", ends_on=None,
    )  # fmt: skip

    t1, t2 = person("t1", sex="F"), person("t2", sex="M")
    CohortTrainer.objects.create(cohort=k1, user=t1, lead=True)
    CohortTrainer.objects.create(cohort=k2, user=t2, lead=True)
    for trainer, inst in ((t1, alt), (t2, alt)):
        Membership.objects.create(user=trainer, institution=inst, role=Role.TRAINER)

    # K1 (course C1, enrolled 1 March 2026)
    a1 = person("a1", sex="F", nationality="VE", birth_year=1995, disability="no", migratory_status="regular",
                country="PE", region="Lima", city="Lima")  # fmt: skip
    a2 = person("a2", sex="F", nationality="VE", birth_year=1990, migratory_status="asylum", country="PE",
                region="Lima")  # fmt: skip
    a3 = person("a3", sex="F", nationality="PE", birth_year=2000, migratory_status="national", region="Lima")
    a4 = person("a4", sex="M", nationality="VE", birth_year=1985, region="Lima")
    a5 = person("a5")  # no profile at all
    a6 = person("a6", sex="F", nationality="CO", region="Lima")
    consent(a1, True, "2026-01-01")
    consent(a2, True, "2026-01-01")
    consent(a2, False, "2026-02-01")  # withdrawn: the latest record wins
    for user in (a1, a2, a3, a4, a5, a6):
        member(k1, user)
    enrol(a1, c1, "2026-03-01", completed="2026-03-11", score=80)
    enrol(a2, c1, "2026-03-01", completed="2026-03-21", score=90)
    enrol(a3, c1, "2026-03-01", active="2026-03-05")
    enrol(a4, c1, "2026-03-01", completed="2026-03-31", score=70)
    enrol(a5, c1, "2026-03-01", active="2026-03-06")
    enrol(a6, c1, "2026-03-01", active="2026-03-02", status="withdrawn")
    # Self-paced, no cohort
    s1 = person("s1", sex="F", nationality="VE", region="Cusco")
    enrol(s1, c1, "2026-03-15")

    # K2 (course C2, enrolled 1 April 2026): a1 again, four Peruvians
    b1 = person("b1", sex="M", nationality="PE", region="Cusco")
    b2 = person("b2", sex="M", nationality="PE", region="Cusco")
    b3 = person("b3", sex="F", nationality="PE", region="Cusco")
    b4 = person("b4", sex="M", nationality="PE", region="Cusco")
    for user in (b1, b2, b3, b4, a1):
        member(k2, user)
        enrol(user, c2, "2026-04-01", active="2026-04-05" if user is b1 else None)

    # K3 (FUDELA, course C3)
    c_people = [person("c1", sex="M"), person("c2", sex="M"), person("c3", sex="F")]
    for user in c_people:
        member(k3, user)
        enrol(user, c3, "2026-05-01")

    # Attendance: K1 4 present of 6; K2 2 of 2
    s_k1a = LiveSession.objects.create(cohort=k1, title="S1", starts_at=at("2026-03-03"))
    s_k1b = LiveSession.objects.create(cohort=k1, title="S2", starts_at=at("2026-03-10"))
    s_k2 = LiveSession.objects.create(cohort=k2, title="S1", starts_at=at("2026-04-03"))
    for session, user, status in (
        (s_k1a, a1, "present"), (s_k1a, a2, "present"), (s_k1a, a3, "absent"), (s_k1a, a4, "present"),
        (s_k1b, a1, "present"), (s_k1b, a2, "absent"), (s_k2, b1, "present"), (s_k2, b2, "present"),
    ):  # fmt: skip
        AttendanceRecord.objects.create(session=session, user=user, status=status)

    # Certificates
    gin = CertificateProgramme.objects.create(
        name="GIN", slug="r-gin", kind="course", title="GIN", issuer=alt, course=c1
    )
    trainer_alt = CertificateProgramme.objects.create(
        name="Facilitación GIN", slug="r-fac", kind="trainer_qualification", title="Facilitación", issuer=alt
    )
    trainer_oit = CertificateProgramme.objects.create(
        name="Facilitación OIT", slug="r-fac-oit", kind="trainer_qualification", title="Facilitación", issuer=oit
    )
    ventas = CertificateProgramme.objects.create(
        name="Ventas", slug="r-ventas", kind="competency_standard", title="Ventas", issuer=unmsm
    )
    certificate(a1, gin, "2026-03-12")
    certificate(a4, gin, "2026-04-01")
    certificate(a2, gin, "2026-03-22", revoked=True)
    certificate(t2, trainer_alt, "2026-02-01")
    certificate(t1, trainer_oit, "2026-02-01")
    z = [person(f"z{i}", sex="F" if i % 2 else "M") for i in range(1, 5)]
    certificate(z[0], ventas, "2026-05-02")

    # Competency applications (UNMSM): z1 competent, z2 not yet, z3 applied, z4 assigned
    standard = CompetencyStandard.objects.create(
        certifying_body=unmsm, code="VEN", title="Ventas", occupation="Ventas", status="published"
    )
    for user, status, result, decided in (
        (z[0], "decided", "competent", "2026-05-01"),
        (z[1], "decided", "not_yet", "2026-05-01"),
        (z[2], "applied", "", None),
        (z[3], "assigned", "", None),
    ):
        Application.objects.create(
            candidate=user, standard=standard, status=status, result=result, experience="Años en ventas",
            decided_at=at(decided) if decided else None,
        )  # fmt: skip

    def staff(username, role, inst, scope=""):
        user = UserFactory(username=username)
        Membership.objects.create(user=user, institution=inst, role=role, scope=scope)
        return user

    return SimpleNamespace(
        alt=alt, fud=fud, oit=oit, unmsm=unmsm, p1=p1, p2=p2, c1=c1, c2=c2, c3=c3, k1=k1, k2=k2, k3=k3,
        t1=t1, t2=t2, a=[a1, a2, a3, a4, a5, a6], s1=s1, b=[b1, b2, b3, b4], c=c_people, z=z,
        me=staff("me", Role.ME_OFFICER, alt),
        pm=staff("pm", Role.PROGRAMME_MANAGER, alt),
        donor=staff("donor", Role.DONOR_VIEWER, oit, "USAID"),
        steward=staff("steward", Role.DATA_STEWARD, alt),
        unmsm_me=staff("me_unmsm", Role.ME_OFFICER, unmsm),
    )  # fmt: skip
