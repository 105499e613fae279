"""A recommendation needs the observation checklist met: the master trainer cannot recommend a practice that
left items unticked, and the certifying institution cannot approve a path recommended on such an observation."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from certification.models import Certificate
from certification.trainers import selectors, services
from certification.trainers.models import PathEvent, PracticeObservation, TrainerPath
from courses.cohorts.services import cohort_create, cohort_member_add
from courses.models import Enrollment
from lms.accounts.models import ConsentRecord, Role
from lms.accounts.services import consent_record
from tests.certification.trainers.factories import MasterTrainerFactory, TrainerTrackFactory
from tests.courses.factories import build_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
State = TrainerPath.State


@pytest.fixture
def w():
    """A GIN path in practice, its practice cohort linked with one completion (enough), OIT approving."""
    w = SimpleNamespace()
    gin = build_course(code="IMESUN-GIN")
    w.track = TrainerTrackFactory(name="IMESUN-GIN", slug="imesun-gin", practice_course=gin, min_practice_completions=1)
    w.ilo_manager = MembershipFactory(institution=w.track.certifying_institution, role=Role.PROGRAMME_MANAGER).user
    w.alternativa = InstitutionFactory(acronym="Alternativa")
    w.master = MasterTrainerFactory(methodology="IMESUN", user__first_name="Rosario").user
    w.trainee = UserFactory(first_name="Maité", last_name="Quispe Ñaupari")
    MembershipFactory(user=w.trainee, institution=w.alternativa, role=Role.TRAINER)
    consent_record(user=w.trainee, purpose=ConsentRecord.Purpose.REGISTRY, granted=True)
    practice = cohort_create(institution=w.alternativa, name="GIN práctica", course=gin, trainers=[w.trainee])
    learner = UserFactory()
    cohort_member_add(cohort=practice, user=learner)
    Enrollment.objects.filter(user=learner).update(completed_at=timezone.now(), status="completed", progress=100)
    w.path = TrainerPath.objects.create(
        trainer=w.trainee,
        track=w.track,
        institution=w.alternativa,
        supervisor=w.master,
        state=State.IN_PRACTICE,
        practice_cohort=practice,
    )
    return w


def _recommended_on_nothing(w):
    """A path recommended on an observation with no item met, as the old code allowed."""
    PracticeObservation.objects.create(
        path=w.path,
        observer=w.master,
        items=dict.fromkeys(w.track.checklist, False),
        comments="",
        recommended=True,
    )
    w.path.state = State.RECOMMENDED
    w.path.save()


def test_recommending_with_no_item_ticked_is_refused_and_keeps_what_was_ticked(client, w):
    client.force_login(w.master)
    url = reverse("trainers:observe", args=[w.path.pk])
    response = client.post(url, {"recommended": "on", "comments": "Muy buena disposición."})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Para recomendar la certificación, la práctica debe cumplir toda la lista de observación" in page
    assert w.track.checklist[0] in page.split("No marcaste:")[1]
    w.path.refresh_from_db()
    assert w.path.state == State.IN_PRACTICE
    assert not PracticeObservation.objects.filter(path=w.path).exists()

    # Five of six ticked: still refused, naming the one missing; the ticks and the comment stay on the form.
    data = {f"item{i}": "on" for i in range(1, len(w.track.checklist))}
    data.update({"recommended": "on", "comments": "Muy buena disposición."})
    page = client.post(url, data).content.decode()
    assert f"No marcaste: {w.track.checklist[0]}." in page
    assert 'name="item1" checked' in page.replace('id="id_item1" ', "") or 'checked id="id_item1"' in page
    assert 'name="recommended" checked' in page.replace('id="id_recommended" ', "")
    assert "Muy buena disposición." in page
    w.path.refresh_from_db()
    assert w.path.state == State.IN_PRACTICE

    # With every item met the recommendation goes through.
    data["item0"] = "on"
    assert client.post(url, data).status_code == 302
    w.path.refresh_from_db()
    assert w.path.state == State.RECOMMENDED


def test_the_service_refuses_a_recommendation_on_an_unmet_checklist(w):
    with pytest.raises(ValidationError) as refused:
        services.trainer_observation_record(path=w.path, observer=w.master, items={}, comments="", recommended=True)
    assert refused.value.code == "checklist_unmet"
    w.path.refresh_from_db()
    assert w.path.state == State.IN_PRACTICE
    # Observing without recommending may leave items unmet: the path stays in practice.
    observation = services.trainer_observation_record(
        path=w.path,
        observer=w.master,
        items={w.track.checklist[0]: True},
        comments="Falta práctica.",
        recommended=False,
    )
    assert observation.items[w.track.checklist[0]] and not observation.items[w.track.checklist[1]]
    w.path.refresh_from_db()
    assert w.path.state == State.IN_PRACTICE


def test_approval_is_refused_when_the_recommending_observation_left_items_unmet(client, w):
    _recommended_on_nothing(w)
    with pytest.raises(ValidationError, match="no cumple toda la lista"):
        services.trainer_certify(path=w.path, approver=w.ilo_manager, render=False)
    w.path.refresh_from_db()
    assert w.path.state == State.RECOMMENDED and w.path.certificate is None
    assert not Certificate.objects.filter(holder=w.trainee).exists()
    assert list(selectors.registry_list()) == []

    # The programme manager's page warns and offers no approval; a POST all the same is refused with the reason.
    client.force_login(w.ilo_manager)
    page = client.get(reverse("trainers:path_detail", args=[w.path.pk])).content.decode()
    assert "La recomendación no cumple la lista de observación" in page
    assert "Aprobar y emitir el certificado" not in page
    response = client.post(reverse("trainers:approve", args=[w.path.pk]), follow=True)
    assert "No se puede aprobar: la observación de la práctica no cumple toda la lista" in response.content.decode()
    w.path.refresh_from_db()
    assert w.path.state == State.RECOMMENDED
    assert not Certificate.objects.filter(holder=w.trainee).exists()
    home = client.get(reverse("trainers:home")).content.decode()
    assert "Aprobar la certificación" not in home


def test_the_master_trainer_observes_such_a_path_again(client, w):
    _recommended_on_nothing(w)
    client.force_login(w.master)
    page = client.get(reverse("trainers:path_detail", args=[w.path.pk])).content.decode()
    assert "Observar la práctica de nuevo" in page
    assert "Observar la práctica de nuevo" in client.get(reverse("trainers:home")).content.decode()

    # Not recommending now takes the path back to practice.
    services.trainer_observation_record(path=w.path, observer=w.master, items={}, comments="", recommended=False)
    w.path.refresh_from_db()
    assert w.path.state == State.IN_PRACTICE

    # Recommending with the checklist met makes it approvable.
    services.trainer_observation_record(
        path=w.path, observer=w.master, items=dict.fromkeys(w.track.checklist, True), comments="", recommended=True
    )
    w.path.refresh_from_db()
    assert w.path.state == State.RECOMMENDED
    certificate = services.trainer_certify(path=w.path, approver=w.ilo_manager, render=False)
    assert certificate.holder == w.trainee
    assert PathEvent.objects.filter(path=w.path, to_state=State.CERTIFIED).exists()
    with pytest.raises(ValidationError, match="no corresponde al estado actual"):
        services.trainer_observation_record(path=w.path, observer=w.master, items={}, comments="", recommended=False)
