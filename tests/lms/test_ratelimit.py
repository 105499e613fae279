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

    def visit(address):
        return hit(factory.get("/", REMOTE_ADDR=address), "t-v6", "2/m")

    phone, laptop, neighbour = "2001:db8:1:2::10", "2001:db8:1:2:aaaa::1", "2001:db8:1:3::10"  # laptop: same /64
    assert [visit(phone), visit(laptop), visit(phone)] == [False, False, True]
    assert visit(neighbour) is False


def test_a_request_counts_once_however_many_times_it_is_checked():
    """The page cache and then the view both check a verification request: it is one request, counted once."""
    factory = RequestFactory()
    first = factory.get("/", REMOTE_ADDR="198.51.100.7")
    assert [hit(first, "t-once", "1/m"), hit(first, "t-once", "1/m")] == [False, False]
    assert hit(factory.get("/", REMOTE_ADDR="198.51.100.7"), "t-once", "1/m") is True


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
    assert answers[3]["X-Ruta-Cache"] == "hit"
    assert "Retry-After" in answers[4]


def test_a_fresh_process_knows_the_limits_before_its_first_request():
    """A new web worker whose first requests are all cached verification answers still counts them: the limits
    are registered when the request handler is built, not when a view first runs."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import django; django.setup()\n"
        "from django.core.handlers.wsgi import WSGIHandler\n"
        "from lms import pagecache\n"
        "before = sorted(pagecache._RATE_LIMITS)\n"
        "WSGIHandler()\n"
        "print(before, sorted(pagecache._RATE_LIMITS))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    assert out.stdout.split() == ["[]", "['certificates']"]
