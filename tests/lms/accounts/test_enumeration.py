"""Login and sign-up never tell whether a phone or e-mail has an account (issue #17, low).

Timing is checked by counting password hashes (the costly part of a login), not by the wall clock.
"""

from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse

from lms.accounts.models import User
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hashes():
    """How many times a password was hashed (checking or setting one)."""
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode) as spy:
        yield spy


@pytest.fixture
def owner():
    user = UserFactory(username="rosa-quispe", first_name="Rosa", phone="+593991234567", email="rosa@example.org")
    EmailAddress.objects.create(user=user, email="rosa@example.org", primary=True, verified=True)
    return user


def _comparable(response):
    messages = [str(m) for m in response.context["messages"]] if response.context else []
    form = response.context.get("form") if response.context else None
    return (
        response.status_code,
        [t.name for t in response.templates if not t.name.startswith("account/email/")],
        messages,
        dict(form.errors) if form is not None else None,
    )


@pytest.mark.parametrize(
    ("known", "unknown"),
    [
        ("rosa@example.org", "nadie@example.org"),
        ("099 123 4567", "098 765 4321"),
        ("+593 99 123 4567", "+51 987 654 321"),
        ("rosa-quispe", "nadie-aqui"),
    ],
)
def test_a_failed_login_looks_and_costs_the_same_for_known_and_unknown_identifiers(
    client, owner, hashes, known, unknown
):
    results = []
    for login in (known, unknown):
        hashes.reset_mock()
        response = client.post(reverse("account_login"), {"login": login, "password": "no-es-esta-2026"})
        results.append((_comparable(response), hashes.call_count))
    (known_page, known_hashes), (unknown_page, unknown_hashes) = results
    assert known_page == unknown_page
    assert known_hashes == unknown_hashes == 1
    assert "_auth_user_id" not in client.session


def test_a_right_password_still_logs_in_with_one_hash(client, owner, hashes):
    response = client.post(reverse("account_login"), {"login": "rosa@example.org", "password": "clave-segura-123"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert hashes.call_count == 1


def _signup(client, **data):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "Yolimar",
            "last_name": "Rodríguez",
            "phone": "",
            "email": "",
            "password1": "Caminante-2026",
            "password2": "Caminante-2026",
            "accept_terms": "on",
            **data,
        },
    )


@pytest.mark.parametrize("field,taken", [("phone", "099 123 4567"), ("email", "ROSA@example.org")])
def test_sign_up_with_a_taken_phone_or_email_names_neither_and_tells_the_owner(
    client, owner, hashes, field, taken, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = _signup(client, **{field: taken})
    # No e-mail is sent while the page waits (an SMTP round trip would tell that the number had an account) …
    assert len(mail.outbox) == 0 and len(queued) == 1
    for callback in queued:  # … the owner's notice goes out after the request, from the queue
        callback()
    assert response.status_code == 200
    assert "account/signup_check.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Ahora entra a Ruta" in html
    for leak in ("Ya existe", "rosa", "99 123 4567", "ya está registrad", "registrad"):
        assert leak not in html
    assert User.objects.count() == 1
    assert "_auth_user_id" not in client.session
    assert hashes.call_count == 1  # as for a new account, whose password is hashed once
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rosa@example.org"]
    assert "Alguien intentó crear una cuenta nueva de Ruta" in mail.outbox[0].body


def test_the_same_neutral_answer_for_a_taken_phone_and_a_taken_email(client, owner):
    by_phone = _comparable(_signup(client, phone="+593 99 123 4567"))
    by_email = _comparable(_signup(client, email="rosa@example.org"))
    assert by_phone == by_email


def test_a_new_sign_up_hashes_the_password_once_too(client, hashes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        response = _signup(client, email="yoli@example.org")
    assert response.status_code == 200
    assert hashes.call_count == 1
    assert len(mail.outbox) == 0 and len(queued) == 0  # no e-mail for a new address either, now or later


def test_a_new_number_and_a_taken_one_get_the_same_answer(client, owner):
    """Signing up cannot tell whether a number is registered: new or taken, the same page, nobody logged in."""
    new = _comparable(_signup(client, phone="987 654 321"))
    assert "_auth_user_id" not in client.session
    taken = _comparable(_signup(client, phone="099 123 4567"))
    assert "_auth_user_id" not in client.session
    assert new == taken
    assert User.objects.filter(phone="+51987654321").exists()  # the new one was created all the same


def test_the_owner_signing_up_again_with_their_own_password_gets_the_same_answer(
    client, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, phone="0991234567", password1="clave-segura-123", password2="clave-segura-123")
    assert response.status_code == 200 and "Ahora entra a Ruta" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 0  # the owner typed their own password: nothing to warn about
    assert User.objects.count() == 1
    owner.refresh_from_db()
    assert owner.first_name == "Rosa"  # nothing about the account was changed by the second sign-up


def test_a_number_and_an_address_of_two_different_accounts_cost_one_hash_too(
    client, owner, hashes, django_capture_on_commit_callbacks
):
    """Checking the typed password against every owner would hash twice, telling that both are registered."""
    other = UserFactory(username="ana-perez", first_name="Ana", phone="+51987654321", email="ana@example.org")
    EmailAddress.objects.create(user=other, email="ana@example.org", primary=True, verified=True)
    hashes.reset_mock()
    with django_capture_on_commit_callbacks(execute=True):
        both = _signup(client, phone="987 654 321", email="rosa@example.org")
        assert hashes.call_count == 1
        assert _comparable(both) == _comparable(_signup(client, phone="+593 99 123 4567"))
    assert "_auth_user_id" not in client.session
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "rosa@example.org", "rosa@example.org"]


def test_the_number_of_a_deactivated_account_costs_one_hash_too(client, owner, hashes):
    owner.is_active = False
    owner.save()
    hashes.reset_mock()
    response = _signup(client, phone="099 123 4567")
    assert "Ahora entra a Ruta" in response.content.decode()
    assert hashes.call_count == 1
    assert User.objects.count() == 1


def test_someone_elses_address_next_to_ones_own_number_warns_the_addresss_owner(
    client, owner, django_capture_on_commit_callbacks
):
    other = UserFactory(username="ana-perez", first_name="Ana", phone="+51987654321", email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _signup(
            client,
            phone="987 654 321",
            email="rosa@example.org",
            password1="clave-segura-123",
            password2="clave-segura-123",
        )
    assert [m.to for m in mail.outbox] == [["rosa@example.org"]]  # Ana typed her own password: only Rosa is told
    assert other.pk


def test_the_forgotten_password_form_answers_the_same_for_a_known_and_an_unknown_address(client, owner):
    answers = []
    for email in ("rosa@example.org", "nadie@example.org"):
        response = client.post(reverse("account_reset_password"), {"email": email})
        answers.append((response.status_code, response.get("Location"), client.get(response["Location"]).text))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302 and "Revisa tu correo" in answers[0][2]
    assert [m.to for m in mail.outbox] == [["rosa@example.org"], ["nadie@example.org"]]  # each address is told
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_guessing_locks_out_a_known_number_in_any_spelling_and_an_unknown_one_alike(client, owner):
    """Five failed passwords lock the account whatever spelling of the number is typed, and an unknown number
    locks out the same way: the "too many attempts" answer tells nothing either."""
    sixth = {}
    for known, spellings in (
        (True, ["099 123 4567", "0991234567", "+593 99 123 4567", "+593991234567", "rosa@example.org"]),
        (False, ["098 765 4321", "0987654321", "+593 98 765 4321", "+593987654321", "098-765-4321"]),
    ):
        for attempt, login in enumerate(spellings):
            response = client.post(reverse("account_login"), {"login": login, "password": f"adivina-{attempt}"})
            assert "Demasiados intentos" not in response.content.decode(), (login, attempt)
        sixth[known] = client.post(reverse("account_login"), {"login": spellings[0], "password": "otra-vez-2026"})
    assert "Demasiados intentos" in sixth[True].content.decode()
    assert _comparable(sixth[True]) == _comparable(sixth[False])
    # The owner's right password is refused too while the lock lasts.
    response = client.post(reverse("account_login"), {"login": "099 123 4567", "password": "clave-segura-123"})
    assert "_auth_user_id" not in client.session and "Demasiados intentos" in response.content.decode()


def _cookies_set(response):
    """Which cookies the answer sets or deletes, with their lifetimes: what a script comparing headers sees."""
    return sorted((name, morsel["max-age"], morsel["expires"] != "") for name, morsel in response.cookies.items())


@pytest.mark.parametrize("had_a_session", [False, True])
@pytest.mark.parametrize(("new", "taken"), [("987 654 321", "099 123 4567"), ("+593 98 765 4321", "+593 99 123 4567")])
def test_a_new_number_and_a_taken_one_set_the_same_cookies(owner, had_a_session, new, taken):
    """The audit's probe: a new number got a session cookie and a registered one none, so the response headers told
    which numbers belong to someone on Ruta (the page itself was the same)."""
    from django.test import Client

    answers = []
    for number in (new, taken):
        visitor = Client()
        if had_a_session:  # a visitor whose browser already holds a session (something stored in it earlier)
            session = visitor.session
            session["ruta_probe"] = "1"
            session.save()
        response = _signup(visitor, phone=number)
        assert response.status_code == 200 and "Ahora entra a Ruta" in response.content.decode()
        answers.append(_cookies_set(response))
    assert answers[0] == answers[1]
    assert User.objects.filter(phone__in=["+51987654321", "+593987654321"]).exists()  # the new one was created
