"""/facilitadores/ puts the paths waiting for the person first (a master trainer's pending observation is no
longer buried under dozens of certified trainers), and practice progress reads «9 completaron (se necesitan 5)»."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.trainers.models import TrainerPath
from courses.cohorts.services import cohort_create, cohort_member_add
from courses.models import Enrollment
from lms.accounts.models import Role
from tests.certification.trainers.factories import MasterTrainerFactory, TrainerTrackFactory
from tests.courses.factories import build_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
State = TrainerPath.State


@pytest.fixture
def many():
    track = TrainerTrackFactory(name="IMESUN-GIN", slug="imesun-gin", min_practice_completions=5)
    institution = InstitutionFactory(acronym="Alternativa")
    master = UserFactory(first_name="Begoña", last_name="Ibáñez Muñoz")
    MasterTrainerFactory(user=master, methodology="IMESUN")
    for n in range(12):  # certified trainers whose names sort before the pending one
        TrainerPath.objects.create(
            trainer=UserFactory(first_name="Ángela", last_name=f"Álvarez {n:02d}"),
            track=track,
            institution=institution,
            supervisor=master,
            state=State.CERTIFIED,
        )
    gin = build_course(code="IMESUN-GIN")
    practice = cohort_create(institution=institution, name="GIN práctica Comas", course=gin)
    for _ in range(9):
        learner = UserFactory()
        cohort_member_add(cohort=practice, user=learner)
    Enrollment.objects.filter(course=gin).update(completed_at=timezone.now(), status="completed", progress=100)
    pending = TrainerPath.objects.create(
        trainer=UserFactory(first_name="Zoila", last_name="Ñahui Quispe"),
        track=track,
        institution=institution,
        supervisor=master,
        state=State.IN_PRACTICE,
        practice_cohort=practice,
    )
    return track, master, pending


def test_the_master_trainers_pending_observation_comes_first(client, many, django_assert_max_num_queries):
    track, master, pending = many
    client.force_login(master)
    with django_assert_max_num_queries(26):
        html = client.get(reverse("trainers:home")).content.decode()
    supervised = html[html.index("Facilitadoras y facilitadores que superviso") :]
    assert supervised.index("Zoila Ñahui Quispe") < supervised.index("Ángela Álvarez 00")
    assert "Por hacer: Observar la práctica" in supervised
    assert supervised.count("data-pending") == 1


def test_the_approvers_recommended_path_comes_first(client, many):
    track, master, pending = many
    pending.state = State.RECOMMENDED
    pending.save()
    approver = MembershipFactory(institution=track.certifying_institution, role=Role.INSTITUTION_ADMIN).user
    client.force_login(approver)
    html = client.get(reverse("trainers:home")).content.decode()
    others = html[html.index("Rutas de mi institución y por aprobar") :]
    assert others.index("Zoila Ñahui Quispe") < others.index("Ángela Álvarez 00")
    assert "Por hacer: Aprobar la certificación" in others


def test_practice_progress_reads_completed_and_needed(client, many):
    track, master, pending = many
    client.force_login(master)
    detail = client.get(reverse("trainers:path_detail", args=[pending.pk])).content.decode()
    assert "9 completaron el curso (se necesitan 5)" in detail and "9 de 5" not in detail
    observe = client.get(reverse("trainers:observe", args=[pending.pk])).content.decode()
    assert "9 completaron el curso (se necesitan 5)" in observe
