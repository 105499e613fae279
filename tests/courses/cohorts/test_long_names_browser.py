"""A participant whose name is one long word (150 characters, no space: a pasted string, a name typed without
spaces) must not widen the trainer's pages on a 360 px phone: the name wraps, the attendance radios and
«Guardar asistencia» stay on screen."""

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.cohorts.services import session_create
from tests.browser_helpers import login
from tests.courses.cohorts.factories import CohortFactory, member_of, trainer_of
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "Maríadelosángeles" * 9  # 153 characters without a space; first_name holds 150


def _fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, f"the page scrolls sideways: {width} px wide"


def test_a_long_name_wraps_on_the_trainers_pages_at_360px(phone_page, live_server, screenshot):
    page = phone_page
    cohort = CohortFactory(name="GIN Comas")
    trainer = trainer_of(cohort, UserFactory(first_name="Carmen", last_name="Salazar"))
    member_of(cohort, UserFactory(first_name=LONG[:150], last_name="Quiñónez"))
    member_of(cohort, UserFactory(first_name="Úrsula", last_name="Oña"))
    session = session_create(cohort=cohort, title="Sesión 1: Genera tu idea", starts_at=timezone.now())
    login(page, live_server, trainer)

    page.goto(reverse("cohorts:session_attendance", args=[cohort.pk, session.pk]))
    page.wait_for_load_state()
    assert LONG[:40] in page.content()
    _fits(page)
    save = page.get_by_role("button", name="Guardar asistencia")
    box = save.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    screenshot(page, "cohort-attendance-long-name-360")
    # The first person's radios are usable and the save goes through.
    page.get_by_role("group", name=LONG[:150] + " Quiñónez").get_by_label("Presente").check()
    save.click()
    page.wait_for_load_state()
    assert "1 de 2 presentes" in page.content()

    for name in ("dashboard", "grades"):
        page.goto(reverse(f"cohorts:{name}", args=[cohort.pk]))
        page.wait_for_load_state()
        assert LONG[:40] in page.content()
        _fits(page)
        screenshot(page, f"cohort-{name}-long-name-360")
