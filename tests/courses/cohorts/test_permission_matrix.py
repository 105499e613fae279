"""Every cohort route that takes an id is checked for every kind of outsider. Adding a route with a path
converter without adding it to MATRIX fails ``test_every_id_route_has_a_matrix_entry``."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from courses.cohorts import services
from lms.accounts.models import Role
from tests.courses.cohorts.factories import (
    CohortFactory,
    LiveSessionFactory,
    cohort_with_free_text,
    free_text_answer,
    member_of,
    trainer_of,
)
from tests.courses.cohorts.permission_matrix import assert_denied, routes_with_converters
from tests.lms.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MANAGERS = "managers"  # the cohort's trainers and its institution's admins
SIGNED_IN = "signed_in"  # anyone signed in (e.g. the join link, shared on WhatsApp)

#: route → (kwargs built from the world, who may open it)
MATRIX = {
    "cohorts:dashboard": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:edit": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:delete": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:member_add": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:member_detail": (lambda w: {"pk": w.a.pk, "user_id": w.participant.pk}, MANAGERS),
    "cohorts:grades": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:import_upload": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:import_template": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:import_preview": (lambda w: {"pk": w.a.pk, "import_id": w.batch.pk}, MANAGERS),
    "cohorts:import_errors": (lambda w: {"pk": w.a.pk, "import_id": w.batch.pk}, MANAGERS),
    # the first-login sheet sets temporary passwords: only the cohort's managers, only for an applied import
    "cohorts:import_first_logins": (lambda w: {"pk": w.a.pk, "import_id": w.applied.pk}, MANAGERS),
    "cohorts:session_create": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:session_attendance": (lambda w: {"pk": w.a.pk, "session_id": w.session.pk}, MANAGERS),
    "cohorts:grading_list": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:grade": (lambda w: {"pk": w.a.pk, "submission_id": w.submission.pk}, MANAGERS),
    "cohorts:announcements": (lambda w: {"pk": w.a.pk}, MANAGERS),
    "cohorts:export": (lambda w: {"pk": w.a.pk, "kind": "participantes", "fmt": "csv"}, MANAGERS),
    "cohorts:join_link": (lambda w: {"code": w.a.code}, SIGNED_IN),
    # a self-paced learner's answer on a course that cohort A's institution offers: its trainers and admins review
    "cohorts:self_paced_grade": (lambda w: {"submission_id": w.alone_submission.pk}, MANAGERS),
}

OUTSIDERS = ["anonymous", "participant", "other_participant", "other_trainer", "other_admin"]
INSIDERS = ["trainer", "admin"]


@pytest.fixture
def world():
    a, lesson, usage_id = cohort_with_free_text(name="Grupo A")
    b = CohortFactory(name="Grupo B")
    w = SimpleNamespace(a=a, b=b)
    w.trainer = trainer_of(a)
    w.admin = MembershipFactory(institution=a.institution, role=Role.INSTITUTION_ADMIN).user
    w.participant = member_of(a)
    w.other_participant = member_of(b)
    w.other_trainer = trainer_of(b)
    w.other_admin = MembershipFactory(institution=b.institution, role=Role.INSTITUTION_ADMIN).user
    w.session = LiveSessionFactory(cohort=a)
    w.batch, _preview = services.roster_import_upload(
        cohort=a, actor=w.trainer, content="nombres,teléfono\nAna,987333001\n".encode(), filename="x.csv"
    )
    w.applied, _preview = services.roster_import_upload(
        cohort=a, actor=w.trainer, content="nombres,teléfono\nÁngel,0991234599\n".encode(), filename="y.csv"
    )
    services.roster_import_apply(batch=w.applied, actor=w.trainer)
    from courses.services import enrollment_create

    enrollment_create(user=w.participant, course=a.course, source="cohort")
    w.submission = free_text_answer(w.participant, lesson, usage_id)
    a.course.institution = a.institution
    a.course.save()
    alone = UserFactory()
    enrollment_create(user=alone, course=a.course)
    w.alone_submission = free_text_answer(alone, lesson, usage_id)
    return w


def test_every_id_route_has_a_matrix_entry():
    routes = routes_with_converters("cohorts")
    assert routes, "the resolver walk found no cohort routes"
    missing = routes - set(MATRIX)
    assert not missing, f"add these routes to the permission MATRIX: {sorted(missing)}"
    assert not set(MATRIX) - routes, "MATRIX lists routes that no longer exist"


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_outsiders_are_refused_and_insiders_allowed(client, world, route):
    build, policy = MATRIX[route]
    url = reverse(route, kwargs=build(world))
    for actor in OUTSIDERS:
        client.logout()
        if actor != "anonymous":
            client.force_login(getattr(world, actor))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if policy == SIGNED_IN and actor != "anonymous":
                assert response.status_code in (200, 302), f"{actor} {method} {response.status_code}"
            else:
                assert_denied(response, f"{actor} {method}")
    for actor in INSIDERS:
        client.logout()
        client.force_login(getattr(world, actor))
        assert client.get(url).status_code == 200, actor


def test_participant_sees_only_their_own_notifications(client, world):
    from courses.cohorts.models import Notification

    Notification.objects.create(user=world.other_participant, title="Privado")
    client.force_login(world.participant)
    assert "Privado" not in client.get(reverse("cohorts:notifications")).content.decode()
    client.post(reverse("cohorts:notifications"))
    assert Notification.objects.filter(user=world.other_participant, read_at__isnull=True).exists()


def test_a_new_route_without_entry_would_fail(monkeypatch):
    """The matrix check really looks at the URLconf: a route missing from MATRIX is reported."""
    fewer = dict(MATRIX)
    fewer.pop("cohorts:grade")
    assert routes_with_converters("cohorts") - set(fewer) == {"cohorts:grade"}
    _ = UserFactory  # factories imported for the world fixture


def test_objects_of_another_cohort_are_not_reachable_through_my_cohort(client, world):
    b_session = LiveSessionFactory(cohort=world.b)
    b_batch, _ = services.roster_import_upload(
        cohort=world.b, actor=world.other_trainer, content=b"nombres,usuario\nAna,ana1\n", filename="b.csv"
    )
    client.force_login(world.trainer)
    for route, kwargs in [
        ("cohorts:session_attendance", {"pk": world.a.pk, "session_id": b_session.pk}),
        ("cohorts:import_preview", {"pk": world.a.pk, "import_id": b_batch.pk}),
        ("cohorts:import_errors", {"pk": world.a.pk, "import_id": b_batch.pk}),
        ("cohorts:member_detail", {"pk": world.a.pk, "user_id": world.other_participant.pk}),
    ]:
        assert client.get(reverse(route, kwargs=kwargs)).status_code == 404, route
        assert client.post(reverse(route, kwargs=kwargs)).status_code == 404, route
