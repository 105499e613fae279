"""Login limits for a classroom behind one address (issue #13): a whole class logs in within a minute, a few
typos do not lock the class out, guessing one account's password is still stopped, and behind trusted
proxies each learner's own address counts."""

import pytest
from django.test import Client
from django.urls import reverse

from lms.client_ip import client_ip
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"
CLASSROOM = "190.117.10.20"  # one NAT address for the whole class


def _learners(count):
    learners = []
    for n in range(count):
        phone = f"+5198700{n:04d}" if n % 2 else f"+593991{n:06d}"  # Peru and Ecuador
        learners.append(
            UserFactory(username=f"aprendiz-{n}", first_name="Ángela", last_name="Quispe Núñez", phone=phone)
        )
    return learners


def _login(login, password=PASSWORD, address=CLASSROOM, **headers):
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(reverse("account_login"), {"login": login, "password": password})
    return client, response


def _logged_in(client):
    return bool(client.session.get("_auth_user_id"))


def test_forty_learners_behind_one_address_all_log_in_within_a_minute():
    for learner in _learners(40):
        client, response = _login(learner.phone)
        assert response.status_code == 302, f"{learner.username} was refused ({response.status_code})"
        assert _logged_in(client)


def test_a_few_typos_in_a_classroom_do_not_lock_the_others_out():
    for learner in _learners(15):
        typo_client, typo = _login(learner.username, "clave-equivocada")
        assert typo.status_code == 200 and not _logged_in(typo_client)
        client, response = _login(learner.username)
        assert response.status_code == 302, f"{learner.username} was locked out after the class's typos"


def test_guessing_one_accounts_password_is_stopped_but_classmates_still_log_in():
    target, classmate = _learners(2)
    for attempt in range(5):
        _login(target.username, f"adivina-{attempt}", address=f"200.48.225.{attempt + 1}")
    client, response = _login(target.username, address="200.48.225.99")  # even the right password, elsewhere
    assert not _logged_in(client)
    assert "Demasiados intentos" in response.content.decode() or "Too many" in response.content.decode()

    client, response = _login(classmate.username)
    assert response.status_code == 302 and _logged_in(client)


def test_behind_a_trusted_proxy_each_learner_counts_by_their_own_address(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    learners = _learners(3)
    for n, learner in enumerate(learners):
        # The load balancer (10.0.0.5) appends the address it saw; the client's own claim is on the left.
        xff = f"1.2.3.4, 181.176.{n}.10"
        client, response = _login(learner.username, address="10.0.0.5", HTTP_X_FORWARDED_FOR=xff)
        assert response.status_code == 302 and _logged_in(client)


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_escape_the_limit(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    statuses = []
    for n, learner in enumerate(_learners(3)):
        _client, response = _login(learner.username, HTTP_X_FORWARDED_FOR=f"181.176.{n}.10")
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]


@pytest.mark.parametrize(
    "count,header,meta,expected",
    [
        (0, None, {"HTTP_X_FORWARDED_FOR": "181.176.1.10"}, "10.0.0.5"),
        (1, None, {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 181.176.1.10"}, "181.176.1.10"),
        (2, None, {"HTTP_X_FORWARDED_FOR": "1.2.3.4, 181.176.1.10, 10.0.0.9"}, "181.176.1.10"),
        (2, None, {"HTTP_X_FORWARDED_FOR": "181.176.1.10"}, "10.0.0.5"),  # fewer hops than proxies: not trusted
        (0, "CF-Connecting-IP", {"HTTP_CF_CONNECTING_IP": "2800:200:e840::1"}, "2800:200:e840::1"),
    ],
)
def test_client_ip_for_the_verification_limits(rf, settings, count, header, meta, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = header
    request = rf.get("/certificados/verificar/", REMOTE_ADDR="10.0.0.5", **meta)
    assert client_ip(request) == expected
