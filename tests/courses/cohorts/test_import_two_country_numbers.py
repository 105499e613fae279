"""A roster for an Ecuadorian cohort with Peruvian mobiles written the Peruvian way (``987 654 321``): such a
number may also be an Ecuadorian one whose 0 was dropped, so it is never silently made Ecuadorian: when exactly one
reading is an existing account's, that person is invited (not given a second account); when none is, the group's
country is taken with a note on the row; when both are, the row asks for the country code."""

import io

import pytest
from django.urls import reverse

from courses.cohorts.models import CohortInvitation, CohortMember, RosterImport
from lms.accounts.models import User
from tests.courses.cohorts.factories import CohortFactory, trainer_of
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "nombres,apellidos,teléfono\n"


def _upload(client, cohort, text, name="lista.csv"):
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    response = client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload})
    assert response.status_code == 302, response
    return response.url, client.get(response.url).content.decode()


@pytest.fixture
def ecuador(client):
    cohort = CohortFactory(country="EC")
    client.force_login(trainer_of(cohort, UserFactory(first_name="Gabriela")))
    return cohort


def test_bare_mobiles_in_an_ecuadorian_cohort_are_read_as_ecuadorian_only_with_a_note_on_each_row(client, ecuador):
    """Nobody has either number: the group's country, said on the row (a spreadsheet drops Ecuador's 0 from every
    number cell, so a question on each row would stop most Ecuadorian rosters), with how to write a Peruvian one."""
    url, html = _upload(
        client,
        ecuador,
        HEADER + "Ñusta,Huamán,987 111 306\nJosé,Quispe,987111301\nRosa,Mamani,987 654 321\n"
        "Ángel,Quiñónez,099 123 4501\n",
    )
    assert "filas con errores" not in html
    for typed, taken in (("987 111 306", "+593 98 711 1306"), ("987111301", "+593 98 711 1301")):
        assert f"«{typed}» puede ser un número de Ecuador o Perú: se tomó {taken} (Ecuador, el país del grupo)" in html
    assert html.count("Si es de otro país, escríbelo con su código (+51, +593 o +58).") == 3
    client.post(url, {"confirm": "1"})
    phones = set(CohortMember.objects.filter(cohort=ecuador).values_list("user__phone", flat=True))
    assert phones == {"+593987111306", "+593987111301", "+593987654321", "+593991234501"}


def test_a_row_for_someone_with_a_peruvian_account_invites_her_instead_of_creating_an_ecuadorian_one(client, ecuador):
    nusta = UserFactory(first_name="Ñusta", last_name="Huamán", phone="+51987111201")
    url, html = _upload(client, ecuador, HEADER + "Ñusta,Huamán,987 111 201\nÁngel,Quiñónez,099 123 4501\n")
    assert "Todo está bien: 2 personas (1 cuentas nuevas; 1 ya tienen cuenta" in html
    assert "Fila 2 (Ñusta Huamán):" in html
    assert "se tomó +51 987 111 201 (Perú) porque ya hay una cuenta con ese número" in html
    client.post(url, {"confirm": "1"})
    assert RosterImport.objects.get(cohort=ecuador).matched == 1
    assert CohortInvitation.objects.get(cohort=ecuador).user == nusta
    assert not User.objects.filter(phone="+593987111201").exists()


def test_a_row_for_an_ecuadorian_whose_0_was_dropped_finds_his_account(client, ecuador):
    jose = UserFactory(first_name="José", phone="+593987111202")
    url, html = _upload(client, ecuador, HEADER + "José,Quispe,987111202\n")
    assert "se tomó +593 98 711 1202 (Ecuador)" in html
    client.post(url, {"confirm": "1"})
    assert CohortInvitation.objects.get(cohort=ecuador).user == jose
    assert not User.objects.filter(phone="+51987111202").exists()


def test_when_both_readings_have_an_account_the_row_asks_for_the_country_code(client, ecuador):
    UserFactory(phone="+51987111203")
    UserFactory(phone="+593987111203")
    _url, html = _upload(client, ecuador, HEADER + "Ñusta,Huamán,987 111 203\n")
    assert "Hay 1 fila con errores" in html
    assert "Escríbelo con el código de país" in html


def test_ecuadorian_numbers_stay_ecuadorian_and_codes_are_obeyed_in_an_ecuadorian_cohort(client, ecuador):
    url, html = _upload(
        client,
        ecuador,
        HEADER + "Ana,Pérez,099 123 4567\nBeto,Paz,0991234568\nCarla,Ríos,+593 99 123 4569\n"
        "Darío,Ñañez,+51 987 111 304\nElena,Cóndor,51987111305\n",
    )
    assert "Todo está bien: 5 personas (5 cuentas nuevas" in html
    client.post(url, {"confirm": "1"})
    assert sorted(CohortMember.objects.filter(cohort=ecuador).values_list("user__phone", flat=True)) == [
        "+51987111304",
        "+51987111305",
        "+593991234567",
        "+593991234568",
        "+593991234569",
    ]


def test_in_a_peruvian_cohort_the_usual_peruvian_mobile_stays_peruvian(client):
    cohort = CohortFactory(country="PE")
    client.force_login(trainer_of(cohort, UserFactory()))
    url, html = _upload(client, cohort, HEADER + "Ñusta,Huamán,987 111 306\nJosé,Quispe,099 123 4570\n")
    assert "Todo está bien" in html
    client.post(url, {"confirm": "1"})
    assert sorted(CohortMember.objects.filter(cohort=cohort).values_list("user__phone", flat=True)) == [
        "+51987111306",
        "+593991234570",
    ]


def test_adding_one_person_by_hand_in_an_ecuadorian_cohort_asks_for_the_code_too(client, ecuador):
    response = client.post(
        reverse("cohorts:member_add", args=[ecuador.pk]),
        {"first_name": "Ñusta", "last_name": "Huamán", "phone": "987 111 307"},
    )
    assert response.status_code == 200
    assert "+51 987 111 307 si es de Perú" in response.content.decode()
    assert not User.objects.filter(first_name="Ñusta").exists()
    client.post(
        reverse("cohorts:member_add", args=[ecuador.pk]),
        {"first_name": "Ñusta", "last_name": "Huamán", "phone": "+51 987 111 307"},
    )
    assert User.objects.get(first_name="Ñusta").phone == "+51987111307"


def test_adding_one_person_by_hand_takes_the_reading_that_has_an_account(client, ecuador):
    """«987 111 308» in an Ecuadorian group: the Peruvian reading is Ñusta's account, so she is invited — no
    second, Ecuadorian account is made for her; with both readings taken, the form asks for the code."""
    nusta = UserFactory(first_name="Ñusta", last_name="Huamán", phone="+51987111308")
    response = client.post(
        reverse("cohorts:member_add", args=[ecuador.pk]),
        {"first_name": "Ñusta", "last_name": "Huamán", "phone": "987 111 308"},
    )
    assert response.status_code == 302
    assert CohortInvitation.objects.filter(cohort=ecuador, user=nusta).exists()
    assert not User.objects.filter(phone="+593987111308").exists()

    UserFactory(first_name="Andrés", phone="+51987111309")
    UserFactory(first_name="Andrea", phone="+593987111309")
    response = client.post(
        reverse("cohorts:member_add", args=[ecuador.pk]),
        {"first_name": "Andrés", "phone": "987 111 309"},
    )
    assert response.status_code == 200
    assert "+51 987 111 309 si es de Perú" in response.content.decode()
    assert not CohortInvitation.objects.filter(cohort=ecuador).exclude(user=nusta).exists()
