"""Who may set a temporary password for whom (security issue #17): only accounts a helper's institution created
and whose owner never signed in on their own; never staff; every reset logged and announced to the person."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse

from lms.accounts import permissions, selectors, services
from lms.accounts.models import HelperPasswordReset, Role, User
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"


@pytest.fixture
def lima():
    return InstitutionFactory(name="ONG Alternativa", acronym="Alternativa", slug="alternativa", country="PE")


@pytest.fixture
def trainer(lima):
    person = UserFactory(username="carmen", first_name="Carmen", last_name="Salazar")
    return MembershipFactory(institution=lima, role=Role.TRAINER, user=person).user


def _created_by(institution, **fields):
    """An account as the "new participant" form or a roster import creates it: no password of its own."""
    person = UserFactory(created_by_institution=institution, **fields)
    person.set_unusable_password()
    person.save()
    MembershipFactory(user=person, institution=institution, role=Role.PARTICIPANT)
    return person


def test_reset_is_offered_only_for_accounts_the_institution_created(lima, trainer):
    quito = InstitutionFactory(slug="empleo-quito", country="EC")
    created_here = _created_by(lima, username="nusta", phone="+51987440001")
    created_there = _created_by(quito, username="majo", phone="+593991234568")
    MembershipFactory(user=created_there, institution=lima, role=Role.PARTICIPANT)  # a participant here too
    signed_up = UserFactory(username="yoli", phone="+51987440003", signed_in_on_own_at="2026-01-05T10:00:00Z")
    MembershipFactory(user=signed_up, institution=lima, role=Role.PARTICIPANT)
    assert permissions.can_reset_password_for(trainer, created_here)
    assert not permissions.can_reset_password_for(trainer, created_there)
    assert not permissions.can_reset_password_for(trainer, signed_up)
    assert selectors.participant_list_for_helper(actor=trainer, query="987 440 001") == [created_here]


def test_staff_accounts_are_never_in_scope_even_if_the_institution_created_them(lima, trainer):
    other = InstitutionFactory(slug="otra")
    targets = [
        MembershipFactory(user=_created_by(lima), institution=lima, role=Role.TRAINER).user,
        MembershipFactory(user=_created_by(lima), institution=other, role=Role.DATA_STEWARD).user,
        MembershipFactory(user=_created_by(lima), institution=other, role=Role.DONOR_VIEWER).user,
        _created_by(lima, is_staff=True),
        _created_by(lima, is_superuser=True),
    ]
    superuser = UserFactory(is_superuser=True)
    for target in targets:
        assert not permissions.can_reset_password_for(trainer, target), target
        assert not permissions.can_reset_password_for(superuser, target), target
    # Platform support (superusers) may help any other account, as they could in the admin anyway.
    assert permissions.can_reset_password_for(superuser, UserFactory(signed_in_on_own_at="2026-01-05T10:00:00Z"))


def test_once_the_person_chooses_a_password_the_trainer_can_no_longer_reset_it(client, lima, trainer):
    person = _created_by(lima, username="nusta", phone="+51987440001")
    client.force_login(trainer)
    url = reverse("accounts:helper_reset", args=[person.pk])
    password = client.post(url).context["password"]
    client.logout()
    # Signing in with the temporary password is not "on her own": the trainer could still help her again.
    response = client.post(reverse("account_login"), {"login": "987 440 001", "password": password})
    assert response["Location"] == reverse("account_change_password")
    person.refresh_from_db()
    assert person.signed_in_on_own_at is None
    client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "Mi-clave-propia-9", "password2": "Mi-clave-propia-9"},
    )
    person.refresh_from_db()
    assert person.signed_in_on_own_at is not None
    client.force_login(trainer)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    person.refresh_from_db()
    assert person.check_password("Mi-clave-propia-9")
    assert HelperPasswordReset.objects.filter(target=person).count() == 1


def test_signing_in_with_an_own_password_takes_the_account_out_of_reach(client, lima, trainer):
    person = _created_by(lima, username="rosa", phone="+593987654322")
    person.set_password(PASSWORD)  # e.g. set through the e-mail reset link before this rule existed
    person.save()
    assert permissions.can_reset_password_for(trainer, person)
    client.post(reverse("account_login"), {"login": "rosa", "password": PASSWORD})
    person.refresh_from_db()
    assert person.signed_in_on_own_at is not None
    assert not permissions.can_reset_password_for(trainer, person)


def test_people_who_sign_up_themselves_are_never_in_reach(client, lima, trainer):
    client.post(
        reverse("account_signup"),
        {
            "password1": "Caminante-2026",
            "password2": "Caminante-2026",
            "phone": "987 440 009",
            "email": "",
            "first_name": "Yolimar",
            "last_name": "Pérez",
            "accept_terms": "on",
        },
    )
    person = User.objects.get(phone="+51987440009")  # no username asked: one is made from the name
    assert person.signed_in_on_own_at is not None
    MembershipFactory(user=person, institution=lima, role=Role.PARTICIPANT)
    assert not permissions.can_reset_password_for(trainer, person)


def test_every_reset_is_logged_and_the_person_is_notified_in_app_and_by_email(
    client, lima, trainer, django_capture_on_commit_callbacks
):
    from courses.cohorts.models import Notification

    # Ñusta once entered with an earlier temporary password; Beto never signed in (he is welcomed instead).
    with_email = _created_by(
        lima, username="nusta", first_name="Ñusta", email="nusta@example.org", last_login="2026-03-02T15:00:00Z"
    )
    without = _created_by(lima, username="beto", phone="+593987654323")
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:helper_reset", args=[with_email.pk]))
        client.post(reverse("accounts:helper_reset", args=[without.pk]))
    assert HelperPasswordReset.objects.filter(actor=trainer).count() == 2
    titles = {"nusta": "Se creó una contraseña temporal para tu cuenta", "beto": "Tu cuenta en Ruta está lista"}
    for person in (with_email, without):
        notice = Notification.objects.get(user=person)
        assert notice.title == titles[person.username]
        assert "Carmen Salazar, de Alternativa, creó una contraseña temporal" in notice.body
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nusta@example.org"]
    assert "Carmen Salazar" in mail.outbox[0].body


def test_a_refused_reset_leaves_no_log_and_no_notice(lima, trainer):
    from courses.cohorts.models import Notification

    outsider = UserFactory(phone="+593987654324")
    MembershipFactory(user=outsider, institution=lima, role=Role.PARTICIPANT)
    with pytest.raises(services.PermissionDenied):
        services.helper_password_reset_create(actor=trainer, target=outsider)
    assert not HelperPasswordReset.objects.exists()
    assert not Notification.objects.filter(user=outsider).exists()


def test_data_migration_marks_accounts_with_an_own_password():
    migration = importlib.import_module("lms.accounts.migrations.0004_helper_scope_and_contact_consent")
    own = UserFactory()  # a password the person chose
    temporary = UserFactory(password_is_temporary=True)
    never = UserFactory()
    never.password = make_password(None)
    never.save()
    User.objects.update(signed_in_on_own_at=None)
    migration.mark_own_passwords(django_apps, None)
    marked = set(User.objects.filter(signed_in_on_own_at__isnull=False).values_list("pk", flat=True))
    assert own.pk in marked and temporary.pk not in marked and never.pk not in marked
