"""A trainer path's supervising master trainer can be replaced (``/facilitadores/<id>/supervisor/``): by the ILO,
which approves the track, or by the admins of the institution that nominated the person; never by the trainer.
Paths stuck «en práctica» because their master trainer left or was deactivated, or because (nominated before that
was refused) the trainer supervised herself, move on: the new master trainer observes and recommends."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from certification.trainers import selectors, services
from certification.trainers.models import PathEvent, TrainerPath
from courses.cohorts.services import cohort_create, cohort_member_add
from courses.models import Enrollment
from lms.accounts.models import Role
from tests.certification.trainers.factories import MasterTrainerFactory, gin_track_with_practice_course
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
State = TrainerPath.State
BUTTON = "Cambiar master trainer que supervisa"


@pytest.fixture
def s():
    s = SimpleNamespace()
    s.gin, s.track = gin_track_with_practice_course()
    s.oit = s.track.certifying_institution
    # Íñigo manages the ILO's programme: he approves IMESUN certifications.
    s.certifier = UserFactory(first_name="Íñigo", last_name="Cárdenas Ibáñez", phone="+593991234567")
    MembershipFactory(user=s.certifier, institution=s.oit, role=Role.PROGRAMME_MANAGER)
    # Alternativa (Lima) nominates its facilitators; Begoña administers it.
    s.alternativa = InstitutionFactory(slug="alternativa", acronym="Alternativa", country="PE")
    s.alt_admin = UserFactory(first_name="Begoña", last_name="Muñoz Peña", phone="+51987111222")
    MembershipFactory(user=s.alt_admin, institution=s.alternativa, role=Role.INSTITUTION_ADMIN)
    # Lucía: facilitator at Alternativa and IMESUN master trainer, nominated with herself as supervisor (legacy).
    s.lucia = UserFactory(first_name="Lucía", last_name="Ordóñez Yépez", phone="+593987654321")
    MembershipFactory(user=s.lucia, institution=s.alternativa, role=Role.TRAINER)
    MasterTrainerFactory(user=s.lucia, methodology="IMESUN")
    s.stuck = TrainerPath.objects.create(
        trainer=s.lucia, track=s.track, institution=s.alternativa, supervisor=s.lucia, state=State.IN_PRACTICE
    )
    # José: another IMESUN master trainer, free to take over.
    s.jose = UserFactory(first_name="José", last_name="Quispe Huamán", phone="+51987333444")
    MasterTrainerFactory(user=s.jose, methodology="IMESUN")
    # Ramón: a master trainer of Get Ahead only; Ángela: a facilitator who is no master trainer at all.
    s.ramon = UserFactory(first_name="Ramón", last_name="Chávez Núñez", phone="+593998887766")
    MasterTrainerFactory(user=s.ramon, methodology="Get Ahead")
    s.angela = UserFactory(first_name="Ángela", last_name="Tapia Suárez", phone="+51987555666")
    MembershipFactory(user=s.angela, institution=s.alternativa, role=Role.TRAINER)
    return s


def practice_done(s, path):
    """Link a practice cohort the trainer teaches, with one participant (Peru) who completed the course."""
    cohort = cohort_create(institution=path.institution, name="GIN práctica", course=s.gin, trainers=[path.trainer])
    learner = UserFactory(first_name="Ñusta", last_name="Huamán Quispe", phone="+51987000999")
    cohort_member_add(cohort=cohort, user=learner)
    Enrollment.objects.filter(user=learner).update(completed_at=timezone.now(), status="completed", progress=100)
    path.practice_cohort = cohort
    path.save()
    return learner


def observe_and_recommend(client, path):
    data = {f"item{i}": "on" for i in range(len(path.track.checklist))}
    data.update({"comments": "Conduce muy bien las dinámicas.", "recommended": "on"})
    return client.post(reverse("trainers:observe", args=[path.pk]), data)


def test_the_certifier_unsticks_a_self_supervised_path_and_the_new_master_trainer_observes(client, s):
    practice_done(s, s.stuck)
    url = reverse("trainers:supervisor_change", args=[s.stuck.pk])
    # Stuck: Lucía may not observe her own practice, and nobody else may.
    assert not selectors.can_observe(user=s.lucia, path=s.stuck)
    client.force_login(s.jose)
    assert client.get(reverse("trainers:observe", args=[s.stuck.pk])).status_code == 404

    client.force_login(s.certifier)
    detail = client.get(reverse("trainers:path_detail", args=[s.stuck.pk])).content.decode()
    assert BUTTON in detail and url in detail
    form = client.get(url)
    assert form.status_code == 200
    page = form.content.decode()
    assert "es la misma persona de la ruta" in page
    assert f'value="{s.jose.pk}"' in page and "José Quispe Huamán" in page
    # Offered: active IMESUN master trainers only, never Lucía herself, Ramón (Get Ahead) or Ángela.
    assert f'value="{s.lucia.pk}"' not in page and f'value="{s.ramon.pk}"' not in page
    assert f'value="{s.angela.pk}"' not in page

    response = client.post(url, {"supervisor": s.jose.pk, "reason": "Ruta creada antes de la regla"}, follow=True)
    assert "Cambiamos la supervisión: ahora supervisa José Quispe Huamán." in response.content.decode()
    s.stuck.refresh_from_db()
    assert s.stuck.supervisor == s.jose and s.stuck.state == State.IN_PRACTICE

    # José finds the path waiting for him and records his observation; the path moves on.
    client.force_login(s.jose)
    home = client.get(reverse("trainers:home")).content.decode()
    assert "Facilitadoras y facilitadores que superviso" in home and "Lucía Ordóñez Yépez" in home
    assert "Por hacer: Observar la práctica" in home
    assert observe_and_recommend(client, s.stuck).status_code == 302
    s.stuck.refresh_from_db()
    assert s.stuck.state == State.RECOMMENDED

    # The history says who changed the supervisor, from whom to whom, and why.
    client.force_login(s.certifier)
    history = client.get(reverse("trainers:path_detail", args=[s.stuck.pk])).content.decode()
    assert (
        "Íñigo Cárdenas Ibáñez — Cambio de master trainer que supervisa: Lucía Ordóñez Yépez → José Quispe Huamán. "
        "Motivo: Ruta creada antes de la regla"
    ) in history
    event = PathEvent.objects.get(path=s.stuck, note__startswith="Cambio de master trainer")
    assert (event.from_state, event.to_state, event.actor) == (State.IN_PRACTICE, State.IN_PRACTICE, s.certifier)
    # The trainer and the new supervisor are told.
    assert s.lucia.notifications.filter(title__contains="ahora te supervisa José Quispe Huamán").exists()
    assert s.jose.notifications.filter(title__contains="Ahora supervisas la certificación IMESUN-GIN").exists()


def test_the_nominating_admin_replaces_a_deactivated_master_trainer_who_then_loses_access(client, s):
    carmen = UserFactory(first_name="Carmen", last_name="Salazar Ríos", phone="+51987222333")
    MembershipFactory(user=carmen, institution=s.alternativa, role=Role.TRAINER)
    rocio = UserFactory(first_name="Rocío", last_name="Álvarez Peña", phone="+593987111000")
    MasterTrainerFactory(user=rocio, methodology="IMESUN")
    path = TrainerPath.objects.create(
        trainer=carmen, track=s.track, institution=s.alternativa, supervisor=rocio, state=State.IN_PRACTICE
    )
    practice_done(s, path)
    services.master_trainer_grant(user=rocio, methodology="IMESUN", active=False)  # she left the programme
    assert not selectors.can_observe(user=rocio, path=path)

    client.force_login(s.alt_admin)
    assert BUTTON in client.get(reverse("trainers:path_detail", args=[path.pk])).content.decode()
    url = reverse("trainers:supervisor_change", args=[path.pk])
    response = client.post(url, {"supervisor": s.jose.pk, "reason": "Rocío dejó el programa"})
    assert response.status_code == 302
    path.refresh_from_db()
    assert path.supervisor == s.jose

    # Rocío saw the path only as its supervisor: no more.
    client.force_login(rocio)
    assert client.get(reverse("trainers:path_detail", args=[path.pk])).status_code == 404
    assert path not in selectors.paths_visible_to(user=rocio)
    assert "Carmen Salazar Ríos" not in client.get(reverse("trainers:home")).content.decode()
    # José sees it among his pending ones and observes.
    client.force_login(s.jose)
    assert "Carmen Salazar Ríos" in client.get(reverse("trainers:home")).content.decode()
    assert observe_and_recommend(client, path).status_code == 302
    path.refresh_from_db()
    assert path.state == State.RECOMMENDED


@pytest.mark.parametrize(
    "who, message",
    [
        ("lucia", "nadie supervisa su propia práctica"),
        ("angela", "debe ser master trainer vigente de IMESUN"),
        ("ramon", "debe ser master trainer vigente de IMESUN"),
    ],
)
def test_the_new_supervisor_must_be_another_active_master_trainer_of_the_methodology(client, s, who, message):
    person = getattr(s, who)
    client.force_login(s.certifier)
    url = reverse("trainers:supervisor_change", args=[s.stuck.pk])
    response = client.post(url, {"supervisor": person.pk, "reason": "Prueba"})
    assert response.status_code == 200
    assert message in response.content.decode()
    with pytest.raises(ValidationError, match=message):
        services.trainer_supervisor_change(path=s.stuck, supervisor=person, actor=s.certifier, reason="Prueba")
    s.stuck.refresh_from_db()
    assert s.stuck.supervisor == s.lucia
    assert not PathEvent.objects.filter(path=s.stuck, note__startswith="Cambio").exists()


def test_a_reason_is_required_and_a_deactivated_master_trainer_is_not_eligible(client, s):
    client.force_login(s.certifier)
    url = reverse("trainers:supervisor_change", args=[s.stuck.pk])
    assert client.post(url, {"supervisor": s.jose.pk, "reason": "  "}).status_code == 200
    with pytest.raises(ValidationError, match="Escribe el motivo del cambio"):
        services.trainer_supervisor_change(path=s.stuck, supervisor=s.jose, actor=s.certifier, reason=" ")
    services.master_trainer_grant(user=s.jose, methodology="IMESUN", active=False)
    assert s.jose not in selectors.supervisor_candidates(path=s.stuck)
    response = client.post(url, {"supervisor": s.jose.pk, "reason": "Cambio"})
    assert "debe ser master trainer vigente de IMESUN" in response.content.decode()
    s.stuck.refresh_from_db()
    assert s.stuck.supervisor == s.lucia


@pytest.mark.parametrize("state", [State.CERTIFIED, State.SUSPENDED, State.REVOKED, State.RECOMMENDED])
def test_no_change_once_the_practice_was_recommended(client, s, state):
    s.stuck.state = state
    s.stuck.save()
    client.force_login(s.certifier)
    assert BUTTON not in client.get(reverse("trainers:path_detail", args=[s.stuck.pk])).content.decode()
    url = reverse("trainers:supervisor_change", args=[s.stuck.pk])
    response = client.post(url, {"supervisor": s.jose.pk, "reason": "Cambio"}, follow=True)
    assert "Ya no se puede cambiar la supervisión" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("trainers:path_detail", args=[s.stuck.pk])
    with pytest.raises(ValidationError, match="Ya no se puede cambiar la supervisión"):
        services.trainer_supervisor_change(path=s.stuck, supervisor=s.jose, actor=s.certifier, reason="Cambio")
    s.stuck.refresh_from_db()
    assert s.stuck.supervisor == s.lucia


def test_nobody_else_may_change_it(client, s):
    learner = practice_done(s, s.stuck)
    other = InstitutionFactory(slug="fudela", acronym="FUDELA", country="EC")
    other_admin = UserFactory(first_name="Andrés", last_name="Ñáñez", phone="+593991112233")
    MembershipFactory(user=other_admin, institution=other, role=Role.INSTITUTION_ADMIN)
    other_trainer = UserFactory(first_name="Tomás", last_name="Guamán", phone="+593991114455")
    MembershipFactory(user=other_trainer, institution=other, role=Role.TRAINER)
    url = reverse("trainers:supervisor_change", args=[s.stuck.pk])
    data = {"supervisor": s.jose.pk, "reason": "Me lo cambio"}

    client.logout()
    assert "/accounts/login/" in client.get(url)["Location"]
    assert "/accounts/login/" in client.post(url, data)["Location"]
    # Who may not see the path: 404; who sees it without the right (José, Lucía herself as trainer): 403.
    for person, status in [(learner, 404), (other_trainer, 404), (other_admin, 404), (s.jose, 404)]:
        client.force_login(person)
        assert client.get(url).status_code == status and client.post(url, data).status_code == status
    client.force_login(s.lucia)
    assert client.get(url).status_code == 403 and client.post(url, data).status_code == 403
    assert BUTTON not in client.get(reverse("trainers:path_detail", args=[s.stuck.pk])).content.decode()
    s.stuck.refresh_from_db()
    assert s.stuck.supervisor == s.lucia
    with pytest.raises(PermissionDenied):
        services.trainer_supervisor_change(path=s.stuck, supervisor=s.jose, actor=other_admin, reason="x")


def test_an_admin_who_is_the_trainer_cannot_change_her_own_supervisor(client, s):
    MembershipFactory(user=s.lucia, institution=s.alternativa, role=Role.INSTITUTION_ADMIN)
    client.force_login(s.lucia)
    assert client.get(reverse("trainers:supervisor_change", args=[s.stuck.pk])).status_code == 403
    with pytest.raises(ValidationError, match="tu propia ruta"):
        services.trainer_supervisor_change(path=s.stuck, supervisor=s.jose, actor=s.lucia, reason="Me cambio")
    s.stuck.refresh_from_db()
    assert s.stuck.supervisor == s.lucia
