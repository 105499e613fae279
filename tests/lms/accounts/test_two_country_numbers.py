"""``987 654 321`` is a Peruvian mobile as Peruvians write it, and an Ecuadorian one whose 0 was dropped.

In a Peruvian context it is Peruvian; in an Ecuadorian one the person is asked for the country code (never given
a wrong number); at login it finds whichever of the two accounts the typed password belongs to, costing the same
hashes and counting failures against both, so nothing tells which numbers have an account.
"""

from unittest import mock

import pytest
from django import forms
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from lms.accounts import phones
from lms.accounts.models import User
from lms.accounts.phones import phone_normalise
from tests.lms.accounts.factories import UserFactory

NUSTA_PASSWORD = "Intiwatana-2026"
JOSE_PASSWORD = "Chimborazo-2026"


def test_in_an_ecuadorian_context_a_peruvian_style_mobile_is_a_question():
    with pytest.raises(forms.ValidationError) as excinfo:
        phone_normalise("987 654 321", region="EC")
    assert excinfo.value.code == "ambiguous_phone"
    assert excinfo.value.messages == [
        "No sabemos de qué país es el número «987 654 321». Escríbelo con el código de país: "
        "+593 98 765 4321 si es de Ecuador o +51 987 654 321 si es de Perú."
    ]
    assert phones.phone_readings("987654321", region="EC") == ["+593987654321", "+51987654321"]


@pytest.mark.parametrize("region", ["PE", "", None])
def test_in_a_peruvian_context_it_stays_peruvian(region, settings):
    settings.RUTA_DEFAULT_PHONE_REGION = "PE"
    assert phone_normalise("987 654 321", region=region) == "+51987654321"
    assert phones.phone_readings("987111306", region=region) == ["+51987111306"]


@pytest.mark.parametrize("region", ["PE", "EC", "VE", ""])
@pytest.mark.parametrize(
    "typed", ["098 765 4321", "0987654321", "+593 98 765 4321", "593987654321", "00593 98 765 4321", "02 234 5678"]
)
def test_ecuadorian_numbers_stay_ecuadorian_everywhere(typed, region):
    assert phone_normalise(typed, region=region).startswith("+593")


# --- Sign-up on an Ecuadorian site ------------------------------------------------------------------------------


def _signup(client, phone):
    return client.post(
        reverse("account_signup"),
        {
            "first_name": "Ñusta",
            "last_name": "Huamán",
            "phone": phone,
            "email": "",
            "password1": NUSTA_PASSWORD,
            "password2": NUSTA_PASSWORD,
            "accept_terms": "on",
        },
    )


@pytest.mark.django_db
def test_sign_up_on_an_ecuadorian_site_asks_a_peruvian_style_number_for_its_code(client, settings):
    settings.RUTA_DEFAULT_PHONE_REGION = "EC"
    response = _signup(client, "987 654 321")
    assert "+51 987 654 321 si es de Perú" in response.content.decode()
    assert not User.objects.exists()
    _signup(client, "+51 987 654 321")
    assert User.objects.get().phone == "+51987654321"


@pytest.mark.django_db
def test_sign_up_on_a_peruvian_site_keeps_the_peruvian_number(client, settings):
    settings.RUTA_DEFAULT_PHONE_REGION = "PE"
    _signup(client, "987 654 321")
    assert User.objects.get().phone == "+51987654321"


# --- Login ------------------------------------------------------------------------------------------------------


@pytest.fixture
def hashes():
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode) as spy:
        yield spy


def _login(client, login, password):
    response = client.post(reverse("account_login"), {"login": login, "password": password})
    user_id = client.session.get("_auth_user_id")
    client.logout()
    return response, (User.objects.get(pk=user_id) if user_id else None)


def _nusta():
    user = UserFactory(username="nusta-huaman", first_name="Ñusta", last_name="Huamán", phone="+51987654321")
    user.set_password(NUSTA_PASSWORD)
    user.save()
    return user


def _jose():
    user = UserFactory(username="jose-quispe", first_name="José", last_name="Quispe", phone="+593987654321")
    user.set_password(JOSE_PASSWORD)
    user.save()
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("site_country", ["PE", "EC"])
def test_each_owner_of_the_same_digits_logs_in_with_them_and_their_own_password(client, settings, site_country):
    settings.RUTA_DEFAULT_PHONE_REGION = site_country
    nusta, jose = _nusta(), _jose()
    for typed in ("987654321", "987 654 321", "0987654321", "+593 98 765 4321", "593987654321"):
        assert _login(client, typed, JOSE_PASSWORD)[1] == jose, typed
    for typed in ("987654321", "987 654 321", "+51 987 654 321", "51987654321"):
        assert _login(client, typed, NUSTA_PASSWORD)[1] == nusta, typed
    # The written-out forms name one account: the other one's password does not open it.
    assert _login(client, "0987654321", NUSTA_PASSWORD)[1] is None
    assert _login(client, "+51 987 654 321", JOSE_PASSWORD)[1] is None


def _comparable(response):
    form = response.context.get("form")
    return response.status_code, [t.name for t in response.templates], dict(form.errors)


@pytest.mark.django_db
def test_a_wrong_password_looks_and_costs_the_same_whoever_holds_the_digits(client, hashes):
    """Two accounts, one, or none behind 987654321: the same page and the same two hashes."""
    seen = []
    for owners in ((), (_jose,), (_nusta,)):
        User.objects.all().delete()
        for make in owners:
            make()
        hashes.reset_mock()
        response, user = _login(client, "987654321", "no-es-esta-2026")
        assert user is None
        seen.append((_comparable(response), hashes.call_count))
    _nusta(), _jose()
    hashes.reset_mock()
    response, user = _login(client, "987654321", "no-es-esta-2026")
    seen.append((_comparable(response), hashes.call_count))
    assert len(set(map(repr, seen))) == 1, seen
    assert seen[0][1] == 2
    assert "No pudimos entrar" in response.content.decode()


@pytest.mark.django_db
def test_guesses_with_the_shared_digits_count_against_both_accounts(client):
    """Five wrong passwords typed as 987654321 lock José's account (and Ñusta's): neither gets more guesses by
    being typed ambiguously."""
    _nusta(), _jose()
    for attempt in range(5):
        response, _user = _login(client, "987654321", f"adivina-{attempt}")
        assert "Demasiados intentos" not in response.content.decode()
    for typed, password in (("0987654321", JOSE_PASSWORD), ("+51 987 654 321", NUSTA_PASSWORD)):
        response, user = _login(client, typed, password)
        assert user is None and "Demasiados intentos" in response.content.decode(), typed


@pytest.mark.django_db
def test_a_right_password_rolls_back_its_count_for_both_accounts(client):
    """Logging in rightly with the shared digits does not use up anybody's five tries."""
    nusta, jose = _nusta(), _jose()
    for _ in range(6):
        assert _login(client, "987654321", JOSE_PASSWORD)[1] == jose
    for attempt in range(4):
        _login(client, "+51 987 654 321", f"adivina-{attempt}")
    assert _login(client, "+51 987 654 321", NUSTA_PASSWORD)[1] == nusta
