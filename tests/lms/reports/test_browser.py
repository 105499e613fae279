"""Report pages in headless Chromium at phone and desktop widths: screenshots, no overflow, axe clean."""

import pytest

from tests.browser_helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("who", "view", "params"),
    [
        ("me", "monitoreo", "?por=nacionalidad&cruce=sexo&indicador=enrolled"),
        ("donor", "cooperante", ""),
        ("t1", "facilitacion", ""),
        ("pm", "programa", "?por=edad"),
    ],
)
def test_report_pages_on_phone_and_desktop(world, phone_page, desktop_page, live_server, screenshot, axe_check,
                                           who, view, params):  # fmt: skip
    user = getattr(world, who)
    for page, width, label in ((phone_page, 360, "360"), (desktop_page, 1280, "1280")):
        login(page, live_server, user)
        page.goto(f"/informes/{view}/{params}")
        assert page.locator("h1").inner_text().startswith("Informe")
        assert page.locator("table caption").count() >= 1
        assert page.locator("svg[role=img] title").count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe_check(page)
        screenshot(page, f"informe-{view}-{label}")


def test_data_steward_participant_list_page(world, desktop_page, live_server, screenshot, axe_check):
    page = desktop_page
    login(page, live_server, world.steward)
    page.goto("/informes/datos/participantes/")
    assert page.get_by_label("¿Para qué necesitas la lista?").count() == 1
    axe_check(page)
    screenshot(page, "informe-datos-participantes-1280")
