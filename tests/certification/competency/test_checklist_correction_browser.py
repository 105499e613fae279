"""An evaluator corrects a unit's checklist on the phone: once it is sent, the page shows the corrected marks as the
record that counts, without a reload."""

import uuid

import pytest
from django.utils import timezone

from certification.competency import selectors, services
from tests.browser_helpers import login
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_corrected_checklist_shows_its_new_marks_once_sent(phone_page, live_server, screenshot):
    standard = make_standard(units=1, criteria=2, questions=3, title="Limpieza y desinfección de ambientes")
    body = standard.certifying_body
    evaluator = evaluator_of(body, first_name="Patricia", last_name="Gómez Vargas", phone="+51912345678")
    candidate = UserFactory(first_name="Yoselin", last_name="Araújo Méndez", phone="+593991234567")
    application = services.application_create(candidate=candidate, standard=standard, experience="Limpieza en clínica.")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=body_admin_of(body))
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Clínica, Surco"
    )
    unit = standard.units.get()
    criteria = list(unit.criteria.order_by("order", "id"))
    first, _created = services.observation_record(
        application=application,
        unit=unit,
        evaluator=evaluator,
        submission_id=str(uuid.uuid4()),
        marks={c.pk: ("met", "") for c in criteria},
        notes="Primera visita.",
    )

    page = phone_page
    login(page, live_server, evaluator)
    page.goto(f"/competencias/evaluacion/{application.pk}/unidad/{unit.pk}/observacion/?corregir=1")
    recorded = page.locator("#observation-recorded")
    assert recorded.inner_text().count(": Cumple") == 2

    for fieldset in page.locator("form fieldset").all():
        fieldset.get_by_label("No cumple").check()
    page.get_by_label("Observaciones generales").fill("Corregida: no rotula los envases.")
    page.get_by_role("button", name="Guardar lista de cotejo").click()
    page.locator("#offline-queue-status").get_by_text("Enviado y recibido").wait_for()

    # The block of the record that counts now shows the correction (no reload), and offers correcting it again.
    page.wait_for_function(
        "() => (document.getElementById('observation-recorded') || {}).innerText.indexOf('No cumple') >= 0"
    )
    text = recorded.inner_text()
    assert text.count(": No cumple") == 2 and ": Cumple" not in text
    assert "Corregida: no rotula los envases." in text and "Primera visita." not in text
    assert recorded.get_by_role("link", name="Corregir la lista de cotejo").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "competency-checklist-corrected-360")

    latest = selectors.latest_observation(application=application, unit=unit)
    assert latest.pk != first.pk and set(latest.marks.values_list("mark", flat=True)) == {"not_met"}
