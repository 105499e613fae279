"""Trainer certification pages: each actor's happy path, the registry, and the permission matrix for every
id-taking route (adding a route without a MATRIX entry fails)."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.trainers.models import TrainerPath
from courses.cohorts.services import cohort_create, cohort_member_add
from courses.models import Enrollment
from lms.accounts.models import ConsentRecord, Role
from lms.accounts.services import consent_record
from tests.certification.trainers.factories import MasterTrainerFactory, TrainerTrackFactory
from tests.courses.cohorts.factories import member_of, trainer_of
from tests.courses.cohorts.permission_matrix import assert_denied, routes_with_converters
from tests.courses.factories import build_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
State = TrainerPath.State


@pytest.fixture
def w():
    w = SimpleNamespace()
    w.gin = build_course(code="IMESUN-GIN")
    w.track = TrainerTrackFactory(
        name="IMESUN-GIN", slug="imesun-gin", practice_course=w.gin, min_practice_completions=1
    )
    w.oit = w.track.certifying_institution
    w.ilo_admin = MembershipFactory(institution=w.oit, role=Role.INSTITUTION_ADMIN).user
    w.alternativa = InstitutionFactory(acronym="Alternativa")
    w.alt_admin = MembershipFactory(institution=w.alternativa, role=Role.INSTITUTION_ADMIN).user
    w.master = MasterTrainerFactory(methodology="IMESUN").user
    w.trainee = UserFactory(first_name="Carmen", last_name="Salazar Ríos")
    MembershipFactory(user=w.trainee, institution=w.alternativa, role=Role.TRAINER)
    w.path = TrainerPath.objects.create(
        trainer=w.trainee, track=w.track, institution=w.alternativa, supervisor=w.master, state=State.IN_PRACTICE
    )
    w.practice = cohort_create(institution=w.alternativa, name="GIN práctica", course=w.gin, trainers=[w.trainee])
    w.participant = member_of(w.practice)
    other = cohort_create(institution=InstitutionFactory(), name="Otro", course=build_course())
    w.other_participant = member_of(other)
    w.other_trainer = trainer_of(other)
    w.other_admin = MembershipFactory(institution=other.institution, role=Role.INSTITUTION_ADMIN).user
    return w


def test_practice_observation_approval_and_registry_through_the_pages(client, w):
    learner = UserFactory()
    cohort_member_add(cohort=w.practice, user=learner)
    Enrollment.objects.filter(user=learner).update(completed_at=timezone.now(), status="completed", progress=100)

    client.force_login(w.trainee)
    page = client.get(reverse("trainers:path_detail", args=[w.path.pk])).content.decode()
    assert "Vincular el grupo de práctica" in page and "En práctica" in page
    client.post(reverse("trainers:practice_link", args=[w.path.pk]), {"cohort": w.practice.pk})
    w.path.refresh_from_db()
    assert w.path.practice_cohort == w.practice

    client.force_login(w.master)
    form = client.get(reverse("trainers:observe", args=[w.path.pk])).content.decode()
    assert "1 completó el curso (se necesitan 1)" in form
    data = {f"item{i}": "on" for i in range(len(w.track.checklist))}
    data.update({"comments": "Conduce muy bien las dinámicas.", "recommended": "on"})
    assert client.post(reverse("trainers:observe", args=[w.path.pk]), data).status_code == 302
    w.path.refresh_from_db()
    assert w.path.state == State.RECOMMENDED

    client.force_login(w.alt_admin)
    client.post(reverse("trainers:approve", args=[w.path.pk]))
    w.path.refresh_from_db()
    assert w.path.state == State.RECOMMENDED  # the nominating institution cannot approve

    client.force_login(w.ilo_admin)
    client.post(reverse("trainers:approve", args=[w.path.pk]))
    w.path.refresh_from_db()
    assert w.path.state == State.CERTIFIED and w.path.certificate
    history = client.get(reverse("trainers:path_detail", args=[w.path.pk])).content.decode()
    assert "Recomendada o recomendado" in history and "recommended" not in history

    consent_record(user=w.trainee, purpose=ConsentRecord.Purpose.REGISTRY, granted=True)
    client.logout()
    registry = client.get(reverse("trainers:registry"), {"metodologia": "IMESUN"}).content.decode()
    assert "Carmen Salazar Ríos" in registry and "Certificada o certificado" in registry
    assert reverse("certification:verify", args=[w.path.certificate.code]) in registry

    client.force_login(w.ilo_admin)
    client.post(reverse("trainers:withdraw", args=[w.path.pk]), {"action": "revoke", "reason": "Falta grave."})
    w.path.refresh_from_db()
    assert w.path.state == State.REVOKED
    assert (
        "Levantar la suspensión" not in client.get(reverse("trainers:path_detail", args=[w.path.pk])).content.decode()
    )
    client.logout()
    assert "Revocada o revocado" in client.get(reverse("trainers:registry")).content.decode()


def test_registry_lists_only_people_who_opted_in(client, w):
    w.path.state = State.CERTIFIED
    w.path.save()
    assert "Carmen" not in client.get(reverse("trainers:registry")).content.decode()


def test_nominate_page_for_institution_admins_only(client, w):
    candidate = MembershipFactory(institution=w.alternativa, role=Role.TRAINER).user
    client.force_login(w.alt_admin)
    response = client.post(
        reverse("trainers:nominate"),
        {
            "institution": w.alternativa.pk,
            "trainer": candidate.pk,
            "track": w.track.pk,
            "supervisor": w.master.pk,
            "commitment_letter": "on",
        },
    )
    path = TrainerPath.objects.get(trainer=candidate)
    assert response.url == reverse("trainers:path_detail", args=[path.pk]) and path.state == State.APPLICANT
    client.force_login(w.trainee)
    assert client.get(reverse("trainers:nominate")).status_code == 403


def test_home_shows_my_path_and_supervised_ones(client, w):
    client.force_login(w.master)
    html = client.get(reverse("trainers:home")).content.decode()
    assert "Facilitadoras y facilitadores que superviso" in html and "Carmen Salazar Ríos" in html


# --- Permission matrix ------------------------------------------------------------------------------------

#: route → (kwargs, methods to try, insiders who may GET it (None: POST-only route))
MATRIX = {
    "trainers:path_detail": (
        lambda w: {"pk": w.path.pk},
        ("get", "post"),
        ("trainee", "master", "alt_admin", "ilo_admin"),
    ),
    "trainers:observe": (lambda w: {"pk": w.path.pk}, ("get", "post"), ("master",)),
    "trainers:training_start": (lambda w: {"pk": w.path.pk}, ("post",), None),
    "trainers:training_complete": (lambda w: {"pk": w.path.pk}, ("post",), None),
    "trainers:practice_link": (lambda w: {"pk": w.path.pk}, ("post",), None),
    "trainers:approve": (lambda w: {"pk": w.path.pk}, ("post",), None),
    "trainers:withdraw": (lambda w: {"pk": w.path.pk}, ("post",), None),
    "trainers:reinstate": (lambda w: {"pk": w.path.pk}, ("post",), None),
    "trainers:supervisor_change": (lambda w: {"pk": w.path.pk}, ("get", "post"), ("alt_admin", "ilo_admin")),
}
OUTSIDERS = ["anonymous", "participant", "other_participant", "other_trainer", "other_admin"]


def test_every_id_route_has_a_matrix_entry():
    routes = routes_with_converters("trainers")
    missing = routes - set(MATRIX)
    assert not missing, f"add these routes to the permission MATRIX: {sorted(missing)}"
    assert not set(MATRIX) - routes


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_outsiders_are_refused(client, w, route):
    build, methods, insiders = MATRIX[route]
    url = reverse(route, kwargs=build(w))
    for actor in OUTSIDERS:
        client.logout()
        if actor != "anonymous":
            client.force_login(getattr(w, actor))
        for method in methods:
            assert_denied(getattr(client, method)(url), f"{actor} {method}")
    state_before = TrainerPath.objects.get(pk=w.path.pk).state
    assert state_before == State.IN_PRACTICE  # nothing an outsider did changed the path
    for actor in insiders or ():
        client.force_login(getattr(w, actor))
        assert client.get(url).status_code == 200, actor


def test_approver_lifts_a_suspension_from_the_path_page(client, w):
    from certification.trainers import services

    w.path.state = State.RECOMMENDED
    w.path.save()
    first = services.trainer_certify(path=w.path, approver=w.ilo_admin, render=False)
    services.trainer_certification_withdraw(path=w.path, actor=w.ilo_admin, reason="Queja en revisión", suspend=True)
    client.force_login(w.ilo_admin)
    page = client.get(reverse("trainers:path_detail", args=[w.path.pk])).content.decode()
    assert "Levantar la suspensión" in page
    response = client.post(reverse("trainers:reinstate", args=[w.path.pk]), {"reason": "Queja archivada"}, follow=True)
    assert "Certificación restablecida" in response.content.decode()
    w.path.refresh_from_db()
    assert w.path.state == State.CERTIFIED and w.path.certificate_id != first.pk


@pytest.mark.parametrize("params", [{"q": "\x00"}, {"metodologia": "\x00"}, {"q": "ana\x00", "metodologia": "a\x00"}])
def test_registry_never_passes_a_nul_to_the_database(rf, params):
    """Behind lms.middleware's 400 the view holds on its own: on PostgreSQL a NUL in a text filter is a DataError."""
    from certification.trainers.views import registry

    response = registry(rf.get("/facilitadores/registro/", params))
    assert response.status_code == 200
