"""Tracks without a training-of-trainers course: the master trainer (or whoever manages the path) marks the
training completed, with the same next step as the course; the enrolment offers and accepts only groups of the
track's training course or methodology."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from certification.trainers import services
from certification.trainers.models import PathEvent, TrainerPath
from courses.cohorts.services import cohort_create
from lms.accounts.models import Role
from tests.certification.trainers.factories import MasterTrainerFactory, TrainerTrackFactory
from tests.courses.factories import build_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
State = TrainerPath.State


@pytest.fixture
def ga():
    """A Get Ahead track with no training course on Ruta, its master trainer and a trainee of ONG Alternativa."""

    class GA:
        pass

    g = GA()
    g.track = TrainerTrackFactory(name="Get Ahead", slug="get-ahead", methodology="Get Ahead", sub_module="")
    g.ilo_admin = MembershipFactory(institution=g.track.certifying_institution, role=Role.INSTITUTION_ADMIN).user
    g.alternativa = InstitutionFactory(acronym="Alternativa", name="ONG Alternativa")
    g.alt_admin = MembershipFactory(institution=g.alternativa, role=Role.INSTITUTION_ADMIN).user
    g.master = UserFactory(first_name="Begoña", last_name="Ibáñez Muñoz")
    MasterTrainerFactory(user=g.master, methodology="Get Ahead")
    g.trainee = UserFactory(first_name="Ñusta", last_name="Huamán Quispe")
    g.path = TrainerPath.objects.create(
        trainer=g.trainee, track=g.track, institution=g.alternativa, supervisor=g.master, state=State.APPLICANT
    )
    g.ga_cohort = cohort_create(
        institution=g.alternativa,
        name="Get Ahead — mujeres emprendedoras",
        course=build_course(methodology="Get Ahead"),
    )
    g.imesun_cohort = cohort_create(
        institution=g.alternativa, name="IMESUN-GIN participantes", course=build_course(methodology="IMESUN")
    )
    return g


def test_the_enrolment_offers_and_accepts_only_groups_of_the_tracks_methodology(client, ga):
    client.force_login(ga.alt_admin)
    page = client.get(reverse("trainers:path_detail", args=[ga.path.pk])).content.decode()
    assert "Get Ahead — mujeres emprendedoras" in page
    assert "IMESUN-GIN participantes" not in page

    with pytest.raises(ValidationError, match="metodología Get Ahead"):
        services.trainer_training_start(path=ga.path, tot_cohort=ga.imesun_cohort, actor=ga.alt_admin)
    client.post(reverse("trainers:training_start", args=[ga.path.pk]), {"cohort": ga.imesun_cohort.pk})
    ga.path.refresh_from_db()
    assert ga.path.state == State.APPLICANT and ga.path.tot_cohort is None

    client.post(reverse("trainers:training_start", args=[ga.path.pk]), {"cohort": ga.ga_cohort.pk})
    ga.path.refresh_from_db()
    assert ga.path.state == State.IN_TRAINING and ga.path.tot_cohort == ga.ga_cohort


def test_a_track_with_a_training_course_offers_only_its_groups(client, ga):
    tot = build_course(code="TOT-GA", methodology="Get Ahead", training_of_trainers=True)
    ga.track.tot_course = tot
    ga.track.save()
    tot_cohort = cohort_create(institution=ga.alternativa, name="Formación de formadoras Get Ahead", course=tot)
    client.force_login(ga.alt_admin)
    page = client.get(reverse("trainers:path_detail", args=[ga.path.pk])).content.decode()
    assert "Formación de formadoras Get Ahead" in page
    assert "Get Ahead — mujeres emprendedoras" not in page and "IMESUN-GIN participantes" not in page
    with pytest.raises(ValidationError, match="no dicta el curso de formación"):
        services.trainer_training_start(path=ga.path, tot_cohort=ga.ga_cohort, actor=ga.alt_admin)
    services.trainer_training_start(path=ga.path, tot_cohort=tot_cohort, actor=ga.alt_admin)
    assert ga.path.state == State.IN_TRAINING
    # With a training course, completing it moves the path: nobody marks it by hand.
    with pytest.raises(ValidationError, match="al terminar el curso"):
        services.trainer_training_mark_complete(path=ga.path, actor=ga.master)
    page = client.get(reverse("trainers:path_detail", args=[ga.path.pk])).content.decode()
    assert "Marcar formación completada" not in page


def test_the_master_trainer_marks_the_training_completed_from_the_path_page(client, ga):
    services.trainer_training_start(path=ga.path, tot_cohort=ga.ga_cohort, actor=ga.alt_admin)
    client.force_login(ga.trainee)
    assert (
        "Marcar formación completada"
        not in client.get(reverse("trainers:path_detail", args=[ga.path.pk])).content.decode()
    )
    assert client.post(reverse("trainers:training_complete", args=[ga.path.pk])).status_code == 403

    client.force_login(ga.master)
    page = client.get(reverse("trainers:path_detail", args=[ga.path.pk])).content.decode()
    assert "Marcar formación completada" in page
    response = client.post(reverse("trainers:training_complete", args=[ga.path.pk]), follow=True)
    assert "la persona está en práctica" in response.content.decode()
    ga.path.refresh_from_db()
    assert ga.path.state == State.IN_PRACTICE
    event = PathEvent.objects.filter(path=ga.path).last()
    assert (event.to_state, event.actor) == (State.IN_PRACTICE, ga.master)
    with pytest.raises(ValidationError, match="estado actual"):
        services.trainer_training_mark_complete(path=ga.path, actor=ga.master)


@pytest.mark.parametrize("who", ["alt_admin", "ilo_admin"])
def test_whoever_manages_the_path_may_mark_it(ga, who):
    services.trainer_training_start(path=ga.path, tot_cohort=ga.ga_cohort, actor=ga.alt_admin)
    services.trainer_training_mark_complete(path=ga.path, actor=getattr(ga, who))
    assert ga.path.state == State.IN_PRACTICE


def test_a_master_trainer_of_another_methodology_or_not_supervising_may_not(ga):
    services.trainer_training_start(path=ga.path, tot_cohort=ga.ga_cohort, actor=ga.alt_admin)
    imesun_master = MasterTrainerFactory(methodology="IMESUN").user
    ga_master_elsewhere = MasterTrainerFactory(methodology="Get Ahead").user
    for outsider in (imesun_master, ga_master_elsewhere, ga.trainee):
        with pytest.raises(PermissionDenied):
            services.trainer_training_mark_complete(path=ga.path, actor=outsider)
    ga.path.supervisor = imesun_master  # a supervisor who is not master trainer in Get Ahead
    ga.path.save()
    with pytest.raises(PermissionDenied):
        services.trainer_training_mark_complete(path=ga.path, actor=imesun_master)
