"""«Mi número de celular» never tells whether a number has an account, and limits how often a person changes it
(security audit): a taken number once got «Ya existe una cuenta con este número de celular.», a free one a redirect.
"""

import pytest
from django.urls import reverse

from lms.accounts.models import User
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(username="rosa-quispe", first_name="Rosa", last_name="Quispe Ñahui", phone="+593991234567")


@pytest.fixture
def prober(client):
    person = UserFactory(username="jose-angel", first_name="José Ángel", last_name="Chávez", phone="+51987654000")
    client.force_login(person)
    return person


def _answer(response, client):
    """What the person sees: status, where it leads, the messages and the page it leads to (minus the number)."""
    follow = client.get(response["Location"]) if response.status_code == 302 else response
    messages = [str(m) for m in follow.context["messages"]]
    return response.status_code, response.get("Location"), messages, [t.name for t in follow.templates]


@pytest.mark.parametrize(
    ("taken", "free"),
    [("099 123 4567", "098 765 4321"), ("+593 99 123 4567", "+51 987 654 321")],
)
def test_a_taken_number_gets_the_same_answer_as_a_free_one_and_changes_nothing(client, owner, prober, taken, free):
    taken_answer = _answer(client.post(reverse("accounts:phone_edit"), {"phone": taken}), client)
    prober.refresh_from_db()
    owner.refresh_from_db()
    assert prober.phone == "+51987654000" and owner.phone == "+593991234567"
    assert User.objects.filter(phone="+593991234567").count() == 1
    free_answer = _answer(client.post(reverse("accounts:phone_edit"), {"phone": free}), client)
    assert taken_answer == free_answer
    assert "Ya existe" not in " ".join(free_answer[2])
    prober.refresh_from_db()
    assert prober.phone != "+51987654000"  # a free number is stored


def test_the_answer_is_true_for_both(client, owner, prober):
    response = client.post(reverse("accounts:phone_edit"), {"phone": "099 123 4567"}, follow=True)
    (message,) = [str(m) for m in response.context["messages"]]
    assert "Si otra cuenta lo usa, tu número no cambió" in message
    assert response.context["form"].initial["phone"] == "+51987654000"  # the page shows the number it kept


def test_phone_changes_are_rate_limited_per_person(client, owner, prober, settings):
    settings.RUTA_PHONE_EDIT_RATE = "3/h"
    for n in range(3):
        assert client.post(reverse("accounts:phone_edit"), {"phone": f"98700{n:04d}"}).status_code == 302
    refused = client.post(reverse("accounts:phone_edit"), {"phone": "099 123 4567"})
    assert refused.status_code == 429
    assert "Hiciste demasiados cambios seguidos" in refused.content.decode()
    assert client.get(reverse("accounts:phone_edit")).status_code == 200  # reading the page is not limited
    prober.refresh_from_db()
    assert prober.phone == "+51987000002"
    client.force_login(owner)  # someone else is not limited by José Ángel's attempts
    assert client.post(reverse("accounts:phone_edit"), {"phone": "099 123 4567"}).status_code == 302
