"""Home and login pages on a phone: they render, the menu is reachable, and axe finds nothing serious."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_and_login_on_a_phone(phone_page, screenshot, axe_check):
    page = phone_page
    page.goto("/")
    assert page.locator("h1").inner_text() == "Aprende a tu ritmo, desde tu celular"
    # Nothing overflows a 360 px screen horizontally.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    screenshot(page, "home-360")
    page.get_by_role("link", name="Entrar").first.click()
    page.wait_for_load_state()
    assert page.locator("form").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    screenshot(page, "login-360")
