"""Sign-up and login by username, e-mail or mobile number; allauth pages in Ruta's look and in Spanish."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from lms.accounts.models import ConsentRecord, User
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"


def _signup(client, **overrides):
    data = {
        "first_name": "Yolimar",
        "last_name": "Rodríguez Pérez",
        "phone": "",
        "email": "",
        "password1": "Caminante-2026",
        "password2": "Caminante-2026",
        "accept_terms": "on",
    }
    data.update(overrides)
    return client.post(reverse("account_signup"), data)


def _login(client, login, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def _logged_in_as(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_sign_up_with_name_phone_and_password_then_log_in_with_the_local_number(client):
    response = _signup(client, phone="987 654 321")
    assert response.status_code == 200, response.context["form"].errors if response.context else response
    assert "Ahora entra a Ruta" in response.text  # the same answer as for a number that had an account
    assert _logged_in_as(client) is None
    user = User.objects.get(phone="+51987654321")
    assert user.email == ""
    assert user.printed_name == "Yolimar Rodríguez Pérez"
    assert user.username == "yolimar-rodriguez-perez"
    terms = ConsentRecord.objects.get(user=user, purpose=ConsentRecord.Purpose.TERMS)
    assert terms.granted
    response = _login(client, "987 654 321", "Caminante-2026")
    assert response.status_code == 302 and response["Location"] == reverse("courses:dashboard")
    assert _logged_in_as(client) == user
    client.logout()
    _login(client, "+51 987 654 321", "Caminante-2026")
    assert _logged_in_as(client) == user


def test_the_sign_up_page_asks_for_name_phone_or_email_and_password_never_a_username(client):
    form = client.get(reverse("account_signup")).context["form"]
    assert "username" not in form.fields
    assert list(form.fields)[:4] == ["first_name", "last_name", "phone", "email"]
    assert form.fields["first_name"].required
    assert "certificados" in str(form.fields["first_name"].help_text)


def test_sign_up_with_an_email_and_no_phone(client):
    response = _signup(client, email="yoli@example.org")
    assert response.status_code == 200
    assert User.objects.get(email="yoli@example.org").phone is None


def test_sign_up_without_phone_or_email_is_refused(client):
    response = _signup(client)
    assert response.status_code == 200
    assert "Escribe tu número de celular o tu correo" in response.text
    assert not User.objects.exists()


def test_sign_up_without_a_name_is_refused_so_no_certificate_prints_a_username(client):
    response = _signup(client, first_name="  ", phone="987 654 321")
    assert response.status_code == 200
    assert "Escribe tu nombre: es el que aparecerá en tus certificados." in response.text
    assert not User.objects.exists()


def test_two_people_with_the_same_name_get_different_usernames(client):
    UserFactory(username="yolimar-rodriguez-perez")
    _signup(client, phone="987 654 321")
    username = User.objects.get(phone="+51987654321").username
    assert username.startswith("yolimar-rodriguez-perez-") and username != "yolimar-rodriguez-perez"


def test_sign_up_keeps_next_for_the_login_that_follows(client):
    response = client.post(
        reverse("account_signup") + "?next=/cursos/gin/",
        {
            "first_name": "Ana",
            "phone": "099 123 4567",
            "password1": "Caminante-2026",
            "password2": "Caminante-2026",
            "accept_terms": "on",
            "next": "/cursos/gin/",
        },
    )
    assert 'href="/accounts/login/?next=/cursos/gin/"' in response.text
    assert User.objects.get(phone="+593991234567").first_name == "Ana"
    login = client.post(reverse("account_login"), {"login": "099 123 4567", "password": "Caminante-2026",
                                                   "next": "/cursos/gin/"})  # fmt: skip
    assert login["Location"] == "/cursos/gin/"


def test_after_login_people_land_on_my_courses_unless_next_says_otherwise(client):
    UserFactory(username="rosa")
    assert _login(client, "rosa")["Location"] == reverse("courses:dashboard")
    client.logout()
    response = client.post(reverse("account_login"), {"login": "rosa", "password": PASSWORD, "next": "/cuenta/"})
    assert response["Location"] == "/cuenta/"


def test_sign_up_without_accepting_the_terms_is_refused_in_spanish(client):
    response = _signup(client, accept_terms="", phone="987 654 321")
    assert response.status_code == 200
    assert "Para crear tu cuenta debes aceptar las condiciones de uso." in response.text
    assert not User.objects.exists()


def test_an_invalid_phone_is_refused_in_spanish(client):
    response = _signup(client, phone="12")
    assert response.status_code == 200
    assert "Escribe un número de celular válido" in response.text


def test_a_username_that_is_a_phone_number_is_refused():
    from django import forms

    from lms.accounts.adapter import AccountAdapter

    with pytest.raises(forms.ValidationError):
        AccountAdapter().clean_username("0991234567")


def test_log_in_by_username(client):
    user = UserFactory(username="rosa")
    response = _login(client, "rosa")
    assert response.status_code == 302
    assert _logged_in_as(client) == user


def test_log_in_by_email(client):
    user = UserFactory(username="jose", email="jose@example.org")
    EmailAddress.objects.create(user=user, email="jose@example.org", primary=True, verified=True)
    response = _login(client, "jose@example.org")
    assert response.status_code == 302
    assert _logged_in_as(client) == user


def test_a_wrong_password_is_refused_in_spanish(client):
    UserFactory(username="rosa", phone="+51987000002")
    response = _login(client, "987 000 002", "no-es-esta")
    assert response.status_code == 200
    assert _logged_in_as(client) is None
    assert "No pudimos entrar: revisa tu usuario, correo o número de celular y tu contraseña." in response.text


def test_login_and_signup_pages_use_ruta_layout_in_spanish(client):
    for name, heading in [("account_login", "Entrar a Ruta"), ("account_signup", "Crear una cuenta")]:
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert '<html lang="es">' in response.text
        assert heading in response.text
        assert 'name="language"' in response.text  # the language switch
        assert 'id="main"' in response.text
    login_page = client.get(reverse("account_login")).text
    assert "Número de celular, correo o usuario" in login_page
    assert reverse("account_reset_password") in login_page


def test_password_reset_page_explains_help_without_email(client):
    response = client.get(reverse("account_reset_password"))
    assert response.status_code == 200
    assert '<html lang="es">' in response.text
    assert "Si no tienes correo" in response.text
    assert "facilitadora o facilitador" in response.text


def test_password_reset_email_is_in_spanish(client):
    user = UserFactory(username="jose", email="jose@example.org")
    EmailAddress.objects.create(user=user, email="jose@example.org", primary=True, verified=True)
    response = client.post(reverse("account_reset_password"), {"email": "jose@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jose@example.org"]
    assert message.subject.endswith("Crea una contraseña nueva para Ruta")
    assert "Para crear una contraseña nueva, abre este enlace" in message.body
    assert "/accounts/password/reset/key/" in message.body
    done = client.get(response["Location"])
    assert "Revisa tu correo" in done.text


def test_logout_page_is_in_ruta_layout(client):
    client.force_login(UserFactory())
    response = client.get(reverse("account_logout"))
    assert '<html lang="es">' in response.text
    assert 'name="language"' in response.text
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert _logged_in_as(client) is None


def test_add_change_and_remove_the_login_phone(client):
    user = UserFactory(username="rosa")
    UserFactory(username="otra", phone="+51987000009")
    client.force_login(user)
    response = client.post(reverse("accounts:phone_edit"), {"phone": "987 000 002"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone == "+51987000002"
    response = client.post(reverse("accounts:phone_edit"), {"phone": "987000009"})
    assert response.status_code == 302  # the same answer as for a free number (test_phone_enumeration.py)
    user.refresh_from_db()
    assert user.phone == "+51987000002"
    client.post(reverse("accounts:phone_edit"), {"phone": ""})
    user.refresh_from_db()
    assert user.phone is None


def test_account_management_pages_from_allauth_use_ruta_layout(client):
    client.force_login(UserFactory())
    for name in ["account_email", "account_change_password"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert '<html lang="es">' in response.text
        assert 'name="language"' in response.text


def test_the_password_reset_link_lets_the_person_choose_a_new_password(client):
    import re

    user = UserFactory(username="jose", email="jose@example.org")
    EmailAddress.objects.create(user=user, email="jose@example.org", primary=True, verified=True)
    client.post(reverse("account_reset_password"), {"email": "jose@example.org"})
    link = re.search(r"https?://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert '<html lang="es">' in response.text
    response = client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else link,
        {"password1": "Nueva-clave-2026", "password2": "Nueva-clave-2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nueva-clave-2026")


def test_the_sessions_account_says_whether_it_holds_roles_beyond_participant():
    """Read with the session's account, so a learner's answer knows without another query that it changes only
    their own kept pages, while a trainer's changes everyone's (lms/learnercache.py)."""
    from lms.accounts.backends import RutaAuthenticationBackend
    from lms.accounts.models import Membership, Role
    from tests.lms.accounts.factories import InstitutionFactory, UserFactory

    learner = UserFactory(first_name="Génesis", phone="+593987000111", email="")
    trainer = UserFactory(first_name="Rosa Elvira", phone="+51911000222", email="")
    former = UserFactory(first_name="Ángel", phone="+51911000333", email="")
    institute = InstitutionFactory()
    Membership.objects.create(user=learner, institution=institute, role=Role.PARTICIPANT)
    Membership.objects.create(user=trainer, institution=institute, role=Role.TRAINER)
    Membership.objects.create(user=former, institution=InstitutionFactory(is_active=False), role=Role.TRAINER)

    backend = RutaAuthenticationBackend()
    # The session keeps the id as text.
    found = {u.first_name: backend.get_user(str(u.pk)).ruta_holds_other_roles for u in (learner, trainer, former)}
    assert found == {"Génesis": False, "Rosa Elvira": True, "Ángel": False}
    assert backend.get_user(str(learner.pk)).phone == "+593987000111"
    assert backend.get_user("no-es-un-id") is None
    learner.is_active = False
    learner.save()
    assert backend.get_user(str(learner.pk)) is None
