"""A candidate finds where to apply for competency certification from the header, on a 360 px phone."""

import pytest

from tests.browser_helpers import login
from tests.lms.accounts.factories import UserFactory

from .factories import make_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Three rows of menu links under the brand: the header must not grow a fourth for the new link.
HEADER_MAX_PX = 170


def test_header_leads_a_signed_in_candidate_to_competencies_on_a_phone(phone_page, live_server, screenshot):
    make_standard(units=1, title="Limpieza y desinfección de ambientes")
    candidate = UserFactory(first_name="María José", last_name="Pérez Ñique")
    page = phone_page
    page.goto("/")
    assert page.locator("header").get_by_role("link", name="Competencias").count() == 0

    login(page, live_server, candidate)
    page.goto("/")
    link = page.locator("header").get_by_role("link", name="Competencias", exact=True)
    assert link.is_visible()
    header_height = page.locator("header.site-header").bounding_box()["height"]
    print(f"header height at 360 px: {header_height}")
    assert header_height <= HEADER_MAX_PX
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "competency-header-360")
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("/competencias/")
    assert page.get_by_role("link", name="Limpieza y desinfección de ambientes").is_visible()
