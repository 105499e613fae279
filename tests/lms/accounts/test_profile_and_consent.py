"""The optional profile (printed name, country selects, birth year range) and consent per purpose."""

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts import selectors, services
from lms.accounts.models import ConsentRecord, Profile
from tests.lms.accounts.factories import UserFactory
from tests.query_counting import assert_max_data_queries

pytestmark = pytest.mark.django_db

EMPTY = {
    "first_name": "Rosa",
    "last_name": "",
    "sex": "",
    "birth_year": "",
    "nationality": "",
    "country": "",
    "region": "",
    "city": "",
    "migratory_status": "",
    "id_document_type": "",
    "disability": "",
}


def test_an_empty_profile_form_saves(client):
    user = UserFactory(first_name="Rosa", last_name="Quispe")
    client.force_login(user)
    response = client.post(reverse("accounts:profile_edit"), EMPTY)
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.sex, profile.birth_year, profile.nationality, profile.country) == ("", None, "", "")
    user.refresh_from_db()
    assert user.printed_name == "Rosa"


def test_the_name_printed_on_certificates_cannot_be_emptied(client):
    user = UserFactory(first_name="Rosa", last_name="Quispe")
    client.force_login(user)
    response = client.post(reverse("accounts:profile_edit"), {**EMPTY, "first_name": " ", "last_name": ""})
    assert response.status_code == 200
    assert "Escribe tu nombre: es el que aparecerá en tus certificados." in response.text
    user.refresh_from_db()
    assert user.printed_name == "Rosa Quispe"


def test_every_profile_field_is_optional_and_explained(client):
    client.force_login(UserFactory())
    response = client.get(reverse("accounts:profile_edit"))
    form = response.context["form"]
    assert set(EMPTY) <= set(form.fields)
    assert [name for name, field in form.fields.items() if field.required] == ["first_name"]
    assert all(form.fields[name].help_text for name in EMPTY)
    assert "Todos los demás datos son opcionales" in response.text


def test_profile_saves_printed_name_and_country_codes(client):
    user = UserFactory(first_name="", last_name="")
    client.force_login(user)
    data = {**EMPTY, "first_name": "José Gregorio", "last_name": "Hernández Núñez"}
    data.update(nationality="VE", country="EC", sex="M", birth_year="1998", migratory_status="in_process")
    response = client.post(reverse("accounts:profile_edit"), data)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.printed_name == "José Gregorio Hernández Núñez"
    profile = user.profile
    assert (profile.nationality, profile.country, profile.birth_year) == ("VE", "EC", 1998)
    page = client.get(reverse("accounts:profile_edit")).text
    assert '<option value="VE" selected>Venezuela</option>' in page
    assert "Otro país" in page


def test_country_outside_the_list_and_birth_year_out_of_range_are_refused(client):
    client.force_login(UserFactory())
    too_young = timezone.localdate().year - 13
    for field, value in [("nationality", "US"), ("birth_year", "1929"), ("birth_year", str(too_young))]:
        response = client.post(reverse("accounts:profile_edit"), {**EMPTY, field: value})
        assert response.status_code == 200, (field, value)
        assert response.context["form"].errors[field]
    response = client.post(reverse("accounts:profile_edit"), {**EMPTY, "birth_year": "1930"})
    assert "Escribe un año entre" not in response.text
    assert response.status_code == 302


def test_consent_current_follows_the_latest_record():
    user = UserFactory()
    purpose = ConsentRecord.Purpose.EMPLOYER_SHARING
    assert selectors.consent_current(user, purpose) is False
    services.consent_record(user=user, purpose=purpose, granted=True)
    assert selectors.consent_current(user, purpose) is True
    services.consent_record(user=user, purpose=purpose, granted=False)
    assert selectors.consent_current(user=user, purpose=purpose) is False
    assert ConsentRecord.objects.filter(user=user, purpose=purpose).count() == 2
    assert selectors.consent_current(UserFactory(), purpose) is False


def test_consent_page_shows_each_purpose_and_grants_then_withdraws(client, settings):
    settings.RUTA_CONSENT_VERSION = "2026-11"
    user = UserFactory()
    services.consent_record(user=user, purpose=ConsentRecord.Purpose.TERMS, granted=True)
    client.force_login(user)
    page = client.get(reverse("accounts:consent")).text
    for label in ConsentRecord.Purpose.labels:
        assert str(label) in page
    assert "versión del texto 2026-11" in page
    purpose = ConsentRecord.Purpose.REPORTING
    response = client.post(reverse("accounts:consent"), {"purpose": purpose, "granted": "1"})
    assert response.status_code == 302
    assert selectors.consent_current(user, purpose)
    assert "Registramos tu consentimiento." in client.get(reverse("accounts:consent")).text
    client.post(reverse("accounts:consent"), {"purpose": purpose, "granted": "0"})
    assert not selectors.consent_current(user, purpose)
    assert list(ConsentRecord.objects.filter(user=user, purpose=purpose).values_list("granted", flat=True)) == [
        False,
        True,
    ]


def test_consent_page_rejects_an_unknown_purpose(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:consent"), {"purpose": "sell_my_data", "granted": "1"})
    assert response.status_code == 200
    assert not ConsentRecord.objects.filter(user=user).exists()


def test_account_pages_need_login(client):
    for name in ["accounts:account_home", "accounts:profile_edit", "accounts:consent", "accounts:account_delete"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_my_account_links_every_account_page(client):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:account_home")).text
    for name in ["accounts:profile_edit", "accounts:consent", "accounts:data_export", "accounts:account_delete"]:
        assert reverse(name) in page
    assert reverse("accounts:helper_search") not in page


def test_my_account_shows_the_phone_in_a_readable_format(client):
    client.force_login(UserFactory(phone="+51987654321"))
    assert "+51 987 654 321" in client.get(reverse("accounts:account_home")).text


def test_account_pages_use_a_bounded_number_of_queries(client):
    user = UserFactory()
    services.consent_record(user=user, purpose=ConsentRecord.Purpose.TERMS, granted=True)
    client.force_login(user)
    # (The data export reads one statement per kind of row, whatever their number: bounded in
    # tests/lms/accounts/test_export_completeness.py.)
    for name in ["accounts:account_home", "accounts:profile_edit", "accounts:consent"]:
        with assert_max_data_queries(15):  # the test cache's own table is not counted
            assert client.get(reverse(name)).status_code == 200


def test_consent_page_asks_again_when_the_text_changed(client, settings):
    user = UserFactory()
    purpose = ConsentRecord.Purpose.REPORTING
    services.consent_record(user=user, purpose=purpose, granted=True, text_version="2025-01")
    settings.RUTA_CONSENT_VERSION = "2026-11"
    client.force_login(user)
    page = client.get(reverse("accounts:consent")).text
    assert "Actualizamos este texto (versión 2026-11)" in page
    assert "Aceptar la nueva versión" in page
    client.post(reverse("accounts:consent"), {"purpose": purpose, "granted": "1"})
    assert ConsentRecord.objects.filter(user=user, purpose=purpose).first().text_version == "2026-11"
    assert "Actualizamos este texto" not in client.get(reverse("accounts:consent")).text
