"""Download my data (JSON, with sections from other apps) and delete my account (anonymised in a task)."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from lms.accounts import services, signals
from lms.accounts.models import ConsentRecord, HelperPasswordReset, Membership, Profile, Role, User
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    user = UserFactory(
        username="yoli", first_name="Yolimar", last_name="Rodríguez", email="yoli@example.org", phone="+51987000001"
    )
    EmailAddress.objects.create(user=user, email="yoli@example.org", primary=True, verified=True)
    ProfileFactory(user=user, nationality="VE", country="PE", birth_year=1994, migratory_status="in_process")
    services.consent_record(user=user, purpose=ConsentRecord.Purpose.TERMS, granted=True)
    MembershipFactory(user=user, institution=InstitutionFactory(slug="alternativa"), role=Role.PARTICIPANT)
    return user


def _download(client):
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="ruta-mis-datos-')
    return json.loads(response.content)


def test_download_contains_account_profile_consents_and_memberships(client, person):
    client.force_login(person)
    data = _download(client)
    assert data["account"]["username"] == "yoli"
    assert data["account"]["phone"] == "+51987000001"
    assert data["account"]["email_addresses"] == [{"email": "yoli@example.org", "verified": True, "primary": True}]
    assert data["profile"]["nationality"] == "VE"
    assert data["profile"]["migratory_status"] == "in_process"
    assert [(c["purpose"], c["granted"]) for c in data["consents"]] == [("terms", True)]
    assert data["memberships"][0]["institution_slug"] == "alternativa"
    assert data["memberships"][0]["role"] == "participant"


def test_download_includes_helper_resets_and_sections_from_other_apps(client, person):
    trainer = UserFactory(first_name="Carmen", last_name="Salazar")
    HelperPasswordReset.objects.create(actor=trainer, target=person)

    def on_user_data_requested(sender, user, **kwargs):
        return {"test_section": [{"course": "GIN", "user": user.username}]}

    signals.user_data_requested.connect(on_user_data_requested, dispatch_uid="test-export")
    try:
        client.force_login(person)
        data = _download(client)
    finally:
        signals.user_data_requested.disconnect(dispatch_uid="test-export")
    assert data["test_section"] == [{"course": "GIN", "user": "yoli"}]
    assert data["password_resets_by_helper"][0]["by"] == "Carmen Salazar"


def test_another_app_cannot_overwrite_the_accounts_sections(person):
    def clobber(sender, user, **kwargs):
        return {"account": {}}

    signals.user_data_requested.connect(clobber, dispatch_uid="test-clobber")
    try:
        with pytest.raises(ValueError, match="account"):
            services.user_data_export(user=person)
    finally:
        signals.user_data_requested.disconnect(dispatch_uid="test-clobber")


def test_one_person_only_ever_downloads_their_own_data(client, person):
    other = UserFactory(username="rosa")
    client.force_login(other)
    data = _download(client)
    assert data["account"]["username"] == "rosa"
    assert "yoli" not in json.dumps(data)
    assert data["profile"] is None
    client.logout()
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 302


def test_deletion_asks_for_the_password(client, person):
    client.force_login(person)
    assert "Tu contraseña actual" in client.get(reverse("accounts:account_delete")).text
    response = client.post(reverse("accounts:account_delete"), {"password": "no-es-esta"})
    assert response.status_code == 200
    assert "La contraseña no es correcta." in response.text
    person.refresh_from_db()
    assert person.is_active and person.deletion_requested_at is None


def test_deletion_anonymises_logs_out_keeps_consents_and_tells_other_apps(
    client, person, django_capture_on_commit_callbacks, eager_tasks
):
    received = []
    signals.account_deleted.connect(
        lambda sender, user_id, **kwargs: received.append(user_id), dispatch_uid="test-deleted", weak=False
    )
    try:
        client.force_login(person)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:account_delete"), {"password": "clave-segura-123"})
    finally:
        signals.account_deleted.disconnect(dispatch_uid="test-deleted")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account_deleted")
    assert "_auth_user_id" not in client.session
    user = User.objects.get(pk=person.pk)
    assert user.username == f"eliminado-{person.pk}"
    assert (user.first_name, user.last_name, user.email, user.phone) == ("", "", "", None)
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.deletion_requested_at is not None
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Profile.objects.filter(user=user).exists()
    assert not Membership.objects.filter(user=user).exists()
    assert ConsentRecord.objects.filter(user=user).count() == 1
    assert received == [person.pk]
    # The old identifiers no longer open anything, and the phone is free for a new account.
    assert not client.login(username="yoli", password="clave-segura-123")
    assert not User.objects.filter(phone="+51987000001").exists()


def test_account_delete_is_idempotent(person):
    received = []
    signals.account_deleted.connect(
        lambda sender, user_id, **kwargs: received.append(user_id), dispatch_uid="test-idem", weak=False
    )
    try:
        assert services.account_delete(user_id=person.pk) is True
        assert services.account_delete(user_id=person.pk) is False
        assert services.account_delete(user_id=999_999) is False
    finally:
        signals.account_deleted.disconnect(dispatch_uid="test-idem")
    assert received == [person.pk]
    assert User.objects.get(pk=person.pk).username == f"eliminado-{person.pk}"


def test_the_task_calls_the_service(person):
    from lms.accounts.tasks import account_delete_task

    assert account_delete_task.apply(args=[person.pk]).get() is True
    assert not User.objects.get(pk=person.pk).is_active


def test_deletion_request_only_enqueues_the_task_after_commit(client, person, django_capture_on_commit_callbacks):
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("accounts:account_delete"), {"password": "clave-segura-123"})
    assert len(callbacks) == 1
    user = User.objects.get(pk=person.pk)
    assert user.deletion_requested_at is not None
    assert user.username == "yoli"  # anonymised by the task, not by the request
    assert not user.is_active  # but nobody can log in meanwhile
    assert not client.login(username="yoli", password="clave-segura-123")
