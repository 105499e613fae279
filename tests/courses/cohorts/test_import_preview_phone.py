"""On a 360 px phone the roster import preview shows why each bad row is wrong without scrolling the table: the
«Qué corregir» reason sits right after the row's status, not in the last column off-screen."""

import pytest

from tests.courses.cohorts.factories import CohortFactory, trainer_of
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROSTER = (
    "nombres;apellidos;teléfono;correo;región;ciudad\n"
    "Ana Lucía;Ríos Huamán;12;;Lima;Lima\n"
    "Beto;Paz Cedeño;987 222 003;;Mordor;Lima\n"
    "Yésica;Muñoz;987 222 004;;Lima;San Juan de Lurigancho\n"
)


def test_reason_for_each_bad_row_is_visible_at_360_px(phone_page, screenshot, axe_check, tmp_path):
    page = phone_page
    cohort = CohortFactory(name="GIN Lima Norte")
    trainer_of(cohort, UserFactory(username="facilitadora", first_name="Carmen", last_name="Salazar"))
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("facilitadora")
    page.locator("input[name=password]").fill("clave-segura-123")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    page.goto(f"/grupos/{cohort.pk}/importar/")
    path = tmp_path / "participantes.csv"
    path.write_text(ROSTER, encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Ver vista previa").click()
    page.wait_for_load_state()
    assert "Hay 2 filas con errores" in page.content()

    viewport = page.viewport_size["width"]
    for line, reason in (("2", "El teléfono «12» no es válido."), ("3", "La región «Mordor» no existe en este país.")):
        cell = page.locator(f'tr.row-error[data-line="{line}"] td', has_text=reason)
        box = cell.bounding_box()
        assert box is not None
        # Entirely on screen with the table scrolled to its start: no sideways scrolling needed to read it.
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport, (line, box)
    assert page.evaluate("document.querySelector('.import-errors').closest('.table-scroll').scrollLeft") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport + 2
    axe_check(page)
    screenshot(page, "cohort-import-preview-errors-360")
