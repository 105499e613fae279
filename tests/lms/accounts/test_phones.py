"""Phone numbers from Peru, Ecuador and Venezuela: stored right, found at login whatever the format (issue #13)."""

import io

import pytest
from django import forms
from django.test import override_settings
from django.urls import reverse

from courses.cohorts.models import CohortMember
from lms.accounts.models import Role, User
from lms.accounts.phones import phone_normalise
from tests.courses.cohorts.factories import CohortFactory, trainer_of
from tests.courses.cohorts.test_importing import parse
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("099 123 4567", "+593991234567"),  # Ecuadorian mobile as Ecuadorians write it
        ("0991234567", "+593991234567"),
        ("+593 99 123 4567", "+593991234567"),
        ("00593 99 123 4567", "+593991234567"),
        ("02 234 5678", "+59322345678"),  # Quito landline
        ("987 654 321", "+51987654321"),  # Peruvian mobile
        ("+51 987-654-321", "+51987654321"),
        ("01 234 5678", "+5112345678"),  # Lima landline
        ("0412 123 4567", "+584121234567"),  # Venezuelan mobile a migrant still uses
        ("+58 412 123 4567", "+584121234567"),
    ],
)
def test_local_and_international_numbers_of_the_three_countries(typed, stored, settings):
    settings.RUTA_DEFAULT_PHONE_REGION = "PE"
    assert phone_normalise(typed) == stored


def test_the_context_country_reads_a_number_written_without_its_leading_zero():
    # Excel keeps Quito's 02 234 5678 as the number 22345678: in an Ecuadorian cohort that is still Ecuador.
    assert phone_normalise("22345678", region="EC") == "+59322345678"
    # 991234567 may be Ecuador's 099 123 4567 without its 0, but it is also how Peruvians write their mobiles:
    # Peruvian in Peru, a question (with both readings) in Ecuador.
    assert phone_normalise("991234567", region="PE") == "+51991234567"
    with pytest.raises(forms.ValidationError) as excinfo:
        phone_normalise("991234567", region="EC")
    assert excinfo.value.code == "ambiguous_phone"
    # An Ecuadorian number keeps its country in a Peruvian context, and the other way round.
    assert phone_normalise("099 123 4567", region="PE") == "+593991234567"
    assert phone_normalise("01 234 5678", region="EC") == "+5112345678"


def test_a_number_that_fits_two_countries_is_refused_with_a_question_not_guessed():
    # 042 123456 is a landline in San Martín (Peru) and in Guayaquil (Ecuador).
    with pytest.raises(forms.ValidationError) as excinfo:
        phone_normalise("042 123456", region="")
    assert excinfo.value.code == "ambiguous_phone"
    assert "+593 4-212-3456 si es de Ecuador" in str(excinfo.value.messages)
    assert phone_normalise("042 123456", region="PE") == "+5142123456"


@pytest.mark.parametrize("typed", ["12", "abc", "+51 99", "0999"])
def test_nonsense_is_refused(typed):
    with pytest.raises(forms.ValidationError):
        phone_normalise(typed)


PASSWORD = "clave-segura-123"


def _login(client, login):
    client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
    user_id = client.session.get("_auth_user_id")
    client.logout()
    return User.objects.get(pk=user_id) if user_id else None


@pytest.mark.django_db
@pytest.mark.parametrize("site_country", ["PE", "EC"])
def test_log_in_with_the_number_in_any_format_whatever_the_site_country(client, site_country):
    with override_settings(RUTA_DEFAULT_PHONE_REGION=site_country):
        ecuadorian = UserFactory(phone="+593991234567")
        peruvian = UserFactory(phone="+51987654321")
        venezuelan = UserFactory(phone="+584121234567")
        for typed in ("099 123 4567", "0991234567", "+593 99 123 4567", "+593991234567", "00593991234567"):
            assert _login(client, typed) == ecuadorian, typed
        for typed in ("987 654 321", "987654321", "+51 987 654 321"):
            assert _login(client, typed) == peruvian, typed
        for typed in ("0412 123 4567", "+58 412-1234567"):
            assert _login(client, typed) == venezuelan, typed


@pytest.mark.django_db
def test_account_phone_page_stores_an_ecuadorian_number_as_ecuadorian(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("accounts:phone_edit"), {"phone": "099 123 4567"})
    user.refresh_from_db()
    assert user.phone == "+593991234567"
    assert user.phone_display == "+593 99 123 4567"


def test_roster_import_keeps_each_country_in_a_peruvian_cohort():
    rows = parse(
        "nombres,apellidos,teléfono\n"
        "Ana,Pérez,099 123 4567\n"
        "Beto,Quispe,987 654 321\n"
        "Carla,Márquez,0412 123 4567\n"
        "Darío,Ñañez,+593 98 765 4321\n",
        country="PE",
    )
    assert [row.phone for row in rows] == ["+593991234567", "+51987654321", "+584121234567", "+593987654321"]
    assert all(row.errors == [] for row in rows)


@pytest.mark.django_db
def test_roster_import_in_an_ecuadorian_cohort_reads_spreadsheet_numbers_as_ecuadorian():
    rows = parse("nombres,teléfono\nAna,22345678\nBeto,+51 987 654 321\nCarla,991234567\n", country="EC")
    assert [row.phone for row in rows[:2]] == ["+59322345678", "+51987654321"]
    # 991234567 is also a Peruvian mobile as Peruvians write it: with no account on either number, the group's
    # country is taken and the row says so (and how to write a Peruvian one).
    assert rows[2].phone == "+593991234567" and rows[2].bad_fields == set()
    assert "el país del grupo" in rows[2].phone_note and "+51" in rows[2].phone_note


@pytest.mark.django_db
def test_trainer_adds_an_ecuadorian_and_gets_an_ecuadorian_whatsapp_link(client):
    cohort = CohortFactory(country="PE")
    trainer = trainer_of(cohort, UserFactory())
    client.force_login(trainer)
    client.post(
        reverse("cohorts:member_add", args=[cohort.pk]),
        # Ana said yes, aloud, to the team seeing her number: without that no WhatsApp link is shown.
        {"first_name": "Ana", "last_name": "Pérez", "phone": "099 123 4567", "share_contact": "on"},
    )
    member = CohortMember.objects.get(cohort=cohort, user__first_name="Ana").user
    assert member.phone == "+593991234567"
    html = client.get(reverse("cohorts:member_detail", args=[cohort.pk, member.pk])).content.decode()
    assert "https://wa.me/593991234567" in html
    assert "wa.me/51" not in html


@pytest.mark.django_db
def test_trainer_upload_of_a_roster_with_ecuadorian_numbers(client):
    cohort = CohortFactory(country="PE")
    client.force_login(trainer_of(cohort, UserFactory()))
    upload = io.BytesIO("nombres;apellidos;teléfono\nÁngela;Muñoz;099 123 4567\n".encode())
    upload.name = "lista.csv"
    response = client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload})
    client.post(response.url, {"confirm": "1"})
    assert User.objects.get(first_name="Ángela", last_name="Muñoz").phone == "+593991234567"


@pytest.mark.django_db
def test_helper_finds_a_participant_by_the_local_ecuadorian_number(client):
    ngo = InstitutionFactory(country="EC")
    trainer = MembershipFactory(institution=ngo, role=Role.TRAINER).user
    # Created by the NGO and never signed in alone: the only kind of account a helper may look for.
    person = UserFactory(first_name="Ana", phone="+593991234567", created_by_institution=ngo)
    MembershipFactory(institution=ngo, role=Role.PARTICIPANT, user=person)
    client.force_login(trainer)
    response = client.get(reverse("accounts:helper_search"), {"q": "099 123 4567"})
    assert reverse("accounts:helper_reset", args=[person.pk]) in response.content.decode()
