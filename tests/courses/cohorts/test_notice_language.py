"""Notices reach each person in their own language (Spanish unless they chose English), whatever language the
sender's screen is in; a first-login sheet welcomes people who never signed in, once, in words true for them."""

import io

import pytest
from django.core import mail
from django.urls import reverse

from courses.cohorts import services
from courses.cohorts.models import Notification
from lms.accounts.models import Role, User
from tests.courses.cohorts.factories import CohortFactory, trainer_of
from tests.lms.accounts.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"


@pytest.fixture
def cohort():
    return CohortFactory(name="Emprendedoras de Comas")


@pytest.fixture
def trainer(cohort):
    return trainer_of(cohort, UserFactory(username="carmen", first_name="Carmen", last_name="Salazar Ríos"))


def _switch(client, language, fetch_site="same-origin"):
    """The header's language switch, as a person clicks it (the browser says the click came from Ruta's page)."""
    return client.get(reverse("language"), {"language": language, "next": "/"}, headers={"Sec-Fetch-Site": fetch_site})


def _created_by(cohort, **fields):
    """An account as the trainer's form or a roster import creates it: no password, never signed in."""
    person = UserFactory(created_by_institution=cohort.institution, **fields)
    person.set_unusable_password()
    person.save()
    MembershipFactory(user=person, institution=cohort.institution, role=Role.PARTICIPANT)
    return person


def _english_trainer(client, trainer):
    client.force_login(trainer)
    _switch(client, "en")
    trainer.refresh_from_db()
    assert trainer.language == "en"
    return client


def test_a_trainer_in_english_writes_to_a_spanish_participant_in_spanish(client, cohort, trainer):
    yolimar = _created_by(cohort, username="yolimar", first_name="Yolimar", last_name="Pérez", phone="+51987440101")
    _english_trainer(client, trainer)
    assert client.post(reverse("accounts:helper_reset", args=[yolimar.pk])).status_code == 200
    notice = Notification.objects.get(user=yolimar)
    assert notice.title == "Tu cuenta en Ruta está lista"
    assert "Carmen Salazar Ríos, de" in notice.body and "creó una contraseña temporal" in notice.body
    assert "password" not in notice.body.lower()


def test_a_participant_who_chose_english_is_written_to_in_english_by_a_spanish_trainer(client, cohort, trainer):
    joseph = UserFactory(username="joseph", first_name="Joseph", last_name="Quiñónez", phone="+593991234801")
    client.force_login(joseph)
    _switch(client, "en")
    joseph.refresh_from_db()
    assert joseph.language == "en"
    client.logout()
    client.force_login(trainer)  # the trainer's screen stays in Spanish
    services.cohort_invitation_send(cohort=cohort, user=joseph, invited_by=trainer)
    notice = Notification.objects.get(user=joseph)
    assert notice.title == "You are invited to the cohort “Emprendedoras de Comas”"
    assert "invites you to the cohort" in notice.body


def test_the_e_mail_of_a_notice_is_in_the_readers_language_too(
    client, cohort, trainer, django_capture_on_commit_callbacks
):
    nayeli = UserFactory(
        username="nayeli", first_name="Nayeli", last_name="Caicedo", email="nayeli@example.org", phone="+593987001122"
    )
    kevin = UserFactory(username="kevin", first_name="Kevin", last_name="Ñaupari", email="kevin@example.org")
    User.objects.filter(pk=kevin.pk).update(language="en")
    kevin.refresh_from_db()
    _english_trainer(client, trainer)
    with django_capture_on_commit_callbacks(execute=True):
        services.cohort_invitation_send(cohort=cohort, user=nayeli, invited_by=trainer)
        services.cohort_invitation_send(cohort=cohort, user=kevin, invited_by=trainer)
    mails = {message.to[0]: message for message in mail.outbox}
    assert mails["nayeli@example.org"].subject == "Te invitan al grupo «Emprendedoras de Comas»"
    assert "Tú decides: puedes aceptar o rechazar la invitación." in mails["nayeli@example.org"].body
    assert mails["kevin@example.org"].subject == "You are invited to the cohort “Emprendedoras de Comas”"
    assert "you can accept or decline the invitation" in mails["kevin@example.org"].body


def test_an_import_by_a_trainer_in_english_welcomes_new_people_in_spanish(client, cohort, trainer):
    _english_trainer(client, trainer)
    upload = io.BytesIO("nombres,apellidos,teléfono\nÑusta,Huamán Quispe,987 333 101\n".encode())
    upload.name = "lista.csv"
    response = client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload})
    client.post(response.url, {"confirm": "1"})
    nusta = User.objects.get(phone="+51987333101")
    assert nusta.language == "es"
    assert list(Notification.objects.filter(user=nusta).values_list("title", flat=True)) == [
        "Te damos la bienvenida al grupo «Emprendedoras de Comas»"
    ]


def test_signing_in_with_english_on_the_screen_keeps_english_for_the_notices(client):
    person = UserFactory(username="dayana", first_name="Dayana", last_name="Muñoz", phone="+51987440202")
    _switch(client, "en")
    response = client.post(reverse("account_login"), {"login": "987 440 202", "password": PASSWORD})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "en"


def test_the_language_switch_remembers_only_a_language_ruta_offers(client):
    person = UserFactory(username="rosa", phone="+51987440303")
    client.force_login(person)
    _switch(client, "fr")
    person.refresh_from_db()
    assert person.language == "es"


def test_a_link_on_another_site_does_not_change_the_language_of_a_persons_notices(client):
    """A forged link to the switch (another site, an e-mail) changes at most how this browser shows Ruta."""
    person = UserFactory(username="yolanda", first_name="Yolanda", phone="+593991440404")
    client.force_login(person)
    response = _switch(client, "en", fetch_site="cross-site")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "es"
    # A browser that does not send Sec-Fetch-Site: only a click on one of Ruta's pages counts.
    client.get(reverse("language"), {"language": "en", "next": "/"}, headers={"Referer": "https://evil.example/x"})
    person.refresh_from_db()
    assert person.language == "es"
    client.get(reverse("language"), {"language": "en", "next": "/"}, headers={"Referer": "http://testserver/cursos/"})
    person.refresh_from_db()
    assert person.language == "en"


def test_the_data_download_includes_the_language(client):
    person = UserFactory(username="maria-jose", first_name="María José", phone="+593991234802")
    client.force_login(person)
    _switch(client, "en")
    export = client.get(reverse("accounts:data_export")).json()
    assert export["account"]["language"] == "en"


# --- The first-login sheet's notice ---------------------------------------------------------------------


@pytest.fixture
def imported(client, cohort, trainer):
    """Two people imported by phone only (no e-mail), and the trainer on the first-login page."""
    client.force_login(trainer)
    upload = io.BytesIO(
        "nombres,apellidos,teléfono\nMaría José,Pérez Núñez,987 333 201\nJosé Luis,Chávez,987 333 202\n".encode()
    )
    upload.name = "lista.csv"
    response = client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload})
    done = client.post(response.url, {"confirm": "1"})
    return done["Location"]


def test_a_phone_only_person_who_never_signed_in_is_welcomed_not_warned(client, imported):
    client.post(imported, {"format": "print"})
    person = User.objects.get(phone="+51987333201")
    notice = Notification.objects.get(user=person, url=reverse("account_change_password"))
    assert notice.title == "Tu cuenta en Ruta está lista"
    assert "para que entres por primera vez" in notice.body
    assert "anterior" not in notice.body  # she never had a password
    assert "correo" not in notice.body  # nor an e-mail to recover it with


def test_generating_the_sheet_again_does_not_stack_notices(client, imported):
    client.post(imported, {"format": "print"})
    client.post(imported, {"format": "csv"})
    client.post(imported, {"format": "print"})
    person = User.objects.get(phone="+51987333201")
    assert Notification.objects.filter(user=person, url=reverse("account_change_password")).count() == 1
    assert Notification.objects.filter(user=person, read_at__isnull=True).count() == 2  # with the group's welcome


def test_a_person_who_already_entered_is_told_her_previous_password_stopped_working(client, cohort, trainer):
    person = _created_by(cohort, username="lucia", first_name="Lucía", phone="+593987654401")
    User.objects.filter(pk=person.pk).update(last_login="2026-05-04T10:00:00Z")
    client.force_login(trainer)
    client.post(reverse("accounts:helper_reset", args=[person.pk]))
    notice = Notification.objects.get(user=person)
    assert notice.title == "Se creó una contraseña temporal para tu cuenta"
    assert "Tu contraseña anterior ya no funciona" in notice.body
    assert "correo" not in notice.body and "avisa a" in notice.body  # no e-mail: her institution helps


def test_a_notice_replacing_an_unread_one_is_not_stacked_but_a_read_one_is_sent_again(cohort):
    person = UserFactory(username="wilmer", phone="+51987440404")
    kwargs = {"user": person, "title": "Se creó una contraseña temporal", "url": "/cuenta/", "replace_unread": True}
    first = services.notification_send(body="El lunes a las 10:00.", **kwargs)
    again = services.notification_send(body="El lunes a las 10:05.", **kwargs)
    assert again.pk == first.pk and Notification.objects.filter(user=person).count() == 1
    assert Notification.objects.get(user=person).body == "El lunes a las 10:05."
    services.notification_mark_read(user=person)
    services.notification_send(body="El martes a las 9:00.", **kwargs)
    assert Notification.objects.filter(user=person).count() == 2


def test_each_reset_still_reaches_the_inbox_of_a_person_with_e_mail(
    client, cohort, trainer, django_capture_on_commit_callbacks
):
    person = _created_by(cohort, username="gabriela", first_name="Gabriela", email="gabriela@example.org")
    client.force_login(trainer)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("accounts:helper_reset", args=[person.pk]))
    assert Notification.objects.filter(user=person).count() == 1
    assert [m.to for m in mail.outbox] == [["gabriela@example.org"]] * 2
    assert "«¿Olvidaste tu contraseña?» y tu correo" in mail.outbox[-1].body
