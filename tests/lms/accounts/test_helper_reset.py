"""Trainer-assisted password reset: only for accounts the helper's institution created and that were never used on
their own; shown once, logged, announced to the person."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from lms.accounts import selectors, services
from lms.accounts.models import HelperPasswordReset, Role
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ngo():
    return InstitutionFactory(name="ONG Alternativa", slug="alternativa")


@pytest.fixture
def trainer(ngo):
    return MembershipFactory(institution=ngo, role=Role.TRAINER, user=UserFactory(username="facilitadora")).user


@pytest.fixture
def participant(ngo):
    person = UserFactory(
        username="yoli",
        first_name="Yolimar",
        last_name="Rodríguez",
        phone="+51987000001",
        created_by_institution=ngo,
    )
    MembershipFactory(institution=ngo, role=Role.PARTICIPANT, user=person)
    return person


def test_service_sets_a_working_temporary_password_and_logs_it(trainer, participant):
    password = services.helper_password_reset_create(actor=trainer, target=participant)
    participant.refresh_from_db()
    assert participant.check_password(password)
    assert not participant.check_password("clave-segura-123")
    log = HelperPasswordReset.objects.get()
    assert (log.actor, log.target) == (trainer, participant)
    assert log.created_at is not None


def test_service_refuses_other_institution_staff_targets_and_anonymous(ngo, trainer, participant):
    other = MembershipFactory(institution=InstitutionFactory(), role=Role.PARTICIPANT).user
    colleague = MembershipFactory(institution=ngo, role=Role.TRAINER).user
    MembershipFactory(institution=ngo, role=Role.PARTICIPANT, user=colleague)
    for actor, target in [
        (trainer, other),
        (trainer, colleague),
        (AnonymousUser(), participant),
        (participant, trainer),
    ]:
        with pytest.raises(PermissionDenied):
            services.helper_password_reset_create(actor=actor, target=target)
    assert not HelperPasswordReset.objects.exists()


def test_search_finds_participants_of_my_institution_by_username_phone_or_name(trainer, participant):
    outsider = UserFactory(username="yoli2", first_name="Yolimar")
    MembershipFactory(institution=InstitutionFactory(), role=Role.PARTICIPANT, user=outsider)
    for query in ["yoli", "987 000 001", "987000001", "Yolimar", "yolimar rodríguez"]:
        assert selectors.participant_list_for_helper(actor=trainer, query=query) == [participant], query
    assert selectors.participant_list_for_helper(actor=trainer, query="") == []


def test_trainer_finds_resets_and_sees_the_password_once(client, trainer, participant):
    client.force_login(trainer)
    home = client.get(reverse("accounts:account_home"))
    assert reverse("accounts:helper_search") in home.text
    response = client.get(reverse("accounts:helper_search"), {"q": "987 000 001"})
    assert response.status_code == 200
    assert "Yolimar Rodríguez" in response.text
    url = reverse("accounts:helper_reset", args=[participant.pk])
    assert url in response.text
    confirm = client.get(url)
    assert "Crear contraseña temporal" in confirm.text
    done = client.post(url)
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    password = done.context["password"]
    assert password in done.text
    participant.refresh_from_db()
    assert participant.check_password(password)
    # Shown once: going back to the page only offers to create another one.
    assert password not in client.get(url).text
    assert HelperPasswordReset.objects.filter(actor=trainer, target=participant).count() == 1


def test_participant_cannot_open_the_helper_pages(client, participant, trainer):
    client.force_login(participant)
    assert client.get(reverse("accounts:helper_search")).status_code == 403
    assert client.post(reverse("accounts:helper_reset", args=[trainer.pk])).status_code == 403
    assert reverse("accounts:helper_search") not in client.get(reverse("accounts:account_home")).text


def test_trainer_cannot_reset_someone_of_another_institution_or_staff(client, ngo, trainer):
    other = MembershipFactory(institution=InstitutionFactory(), role=Role.PARTICIPANT).user
    admin = MembershipFactory(institution=ngo, role=Role.INSTITUTION_ADMIN).user
    client.force_login(trainer)
    for target in (other, admin):
        response = client.post(reverse("accounts:helper_reset", args=[target.pk]))
        assert response.status_code == 404
        target.refresh_from_db()
        assert target.check_password("clave-segura-123")
    assert not HelperPasswordReset.objects.exists()
    assert "Yolimar" not in client.get(reverse("accounts:helper_search"), {"q": other.username}).text


def test_anonymous_visitor_is_sent_to_login(client, participant):
    responses = [
        client.get(reverse("accounts:helper_search"), {"q": "yoli"}),
        client.post(reverse("accounts:helper_reset", args=[participant.pk])),
    ]
    for response in responses:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not HelperPasswordReset.objects.exists()


def test_after_a_helper_reset_the_participant_is_asked_for_a_personal_password(client, trainer, participant):
    password = services.helper_password_reset_create(actor=trainer, target=participant)
    response = client.post(reverse("account_login"), {"login": "987 000 001", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_change_password")
    page = client.get(response["Location"])
    assert "Entraste con una contraseña temporal" in page.text
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "Mi-clave-propia-9", "password2": "Mi-clave-propia-9"},
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert not participant.password_is_temporary
    assert participant.check_password("Mi-clave-propia-9")
    client.logout()
    response = client.post(reverse("account_login"), {"login": "yoli", "password": "Mi-clave-propia-9"})
    assert response["Location"] != reverse("account_change_password")


def test_temporary_password_chain_ends_on_mis_cursos_and_the_new_password_works(client, ngo, trainer):
    """Ecuadorian participant without e-mail: temporary password → forced change → "Mis cursos" → new login."""
    person = UserFactory(
        username="participante-7f3a",
        first_name="Ángela",
        last_name="Muñoz Quiñónez",
        phone="+593991234567",
        email="",
        created_by_institution=ngo,
    )
    MembershipFactory(institution=ngo, role=Role.PARTICIPANT, user=person)
    password = services.helper_password_reset_create(actor=trainer, target=person)
    response = client.post(reverse("account_login"), {"login": "099 123 4567", "password": password})
    assert response["Location"] == reverse("account_change_password")
    assert "Entraste con una contraseña temporal" in client.get(response["Location"]).text
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "Río-Guayas-2026", "password2": "Río-Guayas-2026"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("courses:dashboard")
    assert "Cambiaste tu contraseña." in response.text
    assert 'name="password1"' not in response.text
    client.logout()
    response = client.post(reverse("account_login"), {"login": "0991234567", "password": "Río-Guayas-2026"})
    assert response["Location"] == reverse("courses:dashboard")
    client.logout()
    client.post(reverse("account_login"), {"login": "0991234567", "password": password})
    assert "_auth_user_id" not in client.session  # the temporary password is gone
