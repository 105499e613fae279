"""The verification rate limit (lms/ratelimit.py): one counter per address and window, shared by rendered and
cached answers, by the page and the API."""

import pytest
from django.test import Client, RequestFactory

from lms.ratelimit import counter_key, hit, parse_rate
from tests.certification.factories import issue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("rate", "expected"), [("60/m", (60, 60)), ("1000/h", (1000, 3600)), ("100/10m", (100, 600)), ("5/s", (5, 1))]
)
def test_rates_are_read_as_count_per_period(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "60", "60/x", "m/60", "-1/m"])
def test_a_malformed_rate_is_refused_by_name(rate):
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(rate)


def test_one_ipv6_household_counts_once_and_its_neighbour_separately():
    factory = RequestFactory()
    phone = factory.get("/", REMOTE_ADDR="2001:db8:1:2::10")
    laptop = factory.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")  # same /64
    neighbour = factory.get("/", REMOTE_ADDR="2001:db8:1:3::10")
    assert [hit(phone, "t-v6", "2/m"), hit(laptop, "t-v6", "2/m"), hit(phone, "t-v6", "2/m")] == [False, False, True]
    assert hit(neighbour, "t-v6", "2/m") is False


def test_each_window_has_its_own_counter_and_the_key_hides_the_address():
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.23")
    first, same, next_window = (counter_key("g", request, 60, now) for now in (600.0, 659.0, 660.0))
    assert first == same != next_window
    assert "198.51.100.23" not in first


def test_page_api_and_cached_answers_share_one_limit(settings):
    settings.RUTA_VERIFY_RATE = "4/m"
    certificate = issue()
    employer = Client(REMOTE_ADDR="203.0.113.40")
    urls = [f"/certificados/v/{certificate.code}", f"/api/v1/certificates/{certificate.code}"] * 3
    answers = [employer.get(url) for url in urls]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 429, 429]
    assert answers[2]["X-Ruta-Cache"] == "hit"  # the limit also counted the cached answers
    assert "Retry-After" in answers[4]
