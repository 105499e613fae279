"""An evaluator records an observation checklist on a phone while the connection drops; it arrives once."""

import pytest
from django.utils import timezone

from certification.competency import services
from certification.competency.models import ObservationMark, ObservationRecord
from tests.browser_helpers import login, signal
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_checklist_survives_a_lost_connection(phone_page, live_server, screenshot, axe_check):
    standard = make_standard(units=1, criteria=3, questions=3, title="Limpieza y desinfección de ambientes")
    body = standard.certifying_body
    evaluator = evaluator_of(body, first_name="Patricia", last_name="Gómez Vargas")
    candidate = UserFactory(first_name="Rosa Elena", last_name="Quispe Mamani")
    application = services.application_create(candidate=candidate, standard=standard, experience="Limpieza en clínica.")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=body_admin_of(body))
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Clínica, Surco"
    )
    unit = standard.units.get()
    criteria = list(unit.criteria.all())

    page = phone_page
    login(page, live_server, evaluator)
    page.goto("/competencias/evaluacion/")
    page.get_by_role("link", name="Rosa Elena Quispe Mamani").click()
    page.get_by_role("link", name="Registrar la observación").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Lista de cotejo de desempeño"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)

    # First criterion with the network up; then the signal drops while the evaluator keeps going.
    page.locator(f"fieldset:has-text('{criteria[0].text}')").get_by_label("Cumple", exact=True).check()
    signal(page, up=False)
    page.locator(f"fieldset:has-text('{criteria[1].text}')").get_by_label("No cumple").check()
    page.locator(f"#note_{criteria[1].pk}").fill("No rotula el envase del desinfectante.")
    page.locator(f"fieldset:has-text('{criteria[2].text}')").get_by_label("No observado").check()
    page.get_by_label("Observaciones generales").fill("Evaluación en el consultorio 3.")
    page.get_by_role("button", name="Guardar lista de cotejo").click()

    status = page.locator("#offline-queue-status")
    status.get_by_text("Sin conexión: guardado en este teléfono, se enviará al volver la señal").wait_for()
    assert page.evaluate("JSON.parse(localStorage.getItem('ruta:competency:queue')).length") == 1
    assert ObservationRecord.objects.count() == 0
    screenshot(page, "competency-checklist-offline-360")

    signal(page, up=True)
    status.get_by_text("Enviado y recibido: lista de cotejo").wait_for()
    assert page.evaluate("JSON.parse(localStorage.getItem('ruta:competency:queue')).length") == 0
    screenshot(page, "competency-checklist-sent-360")

    record = ObservationRecord.objects.get()
    assert record.application == application and record.notes == "Evaluación en el consultorio 3."
    marks = {m.criterion_id: (m.mark, m.note) for m in record.marks.all()}
    assert marks == {
        criteria[0].pk: (ObservationMark.Mark.MET, ""),
        criteria[1].pk: (ObservationMark.Mark.NOT_MET, "No rotula el envase del desinfectante."),
        criteria[2].pk: (ObservationMark.Mark.NOT_OBSERVED, ""),
    }

    # Replaying the very same submission (a second retry from the phone) still leaves one record.
    replay = page.evaluate(
        """async ({url, sid, marks}) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const body = new URLSearchParams({csrfmiddlewaretoken: token, submission_id: sid, ...marks});
            const r = await fetch(url, {method: 'POST', body, headers: {'Accept': 'application/json'}});
            return r.status;
        }""",
        {
            "url": f"/competencias/evaluacion/{application.pk}/unidad/{unit.pk}/observacion/",
            "sid": str(record.submission_id),
            "marks": {f"mark_{c.pk}": "met" for c in criteria},
        },
    )
    assert replay == 200
    assert ObservationRecord.objects.count() == 1

    page.goto(f"/competencias/evaluacion/{application.pk}/")
    assert "registrada (3 criterios)" in page.locator(f"#unidad-{unit.pk}").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    screenshot(page, "competency-assessment-360")


def test_candidate_takes_a_test_and_the_body_reads_its_report(phone_page, live_server, screenshot, axe_check):
    standard = make_standard(units=2, criteria=2, questions=3, title="Ventas y atención al cliente")
    body = standard.certifying_body
    admin = body_admin_of(body, first_name="Rocío", last_name="Valdivia")
    evaluator = evaluator_of(body)
    candidate = UserFactory(first_name="Dayana", last_name="Pérez Linares")
    application = services.application_create(candidate=candidate, standard=standard, experience="Vendo en Gamarra.")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Ciudad Universitaria"
    )

    page = phone_page
    login(page, live_server, UserFactory(first_name="Oriana"))
    page.goto(f"/competencias/normas/{standard.pk}/")
    page.get_by_role("link", name="Postular a esta certificación").click()
    page.get_by_label("Cuéntanos tu experiencia").fill("Tres años vendiendo ropa en Gamarra.")
    page.locator("fieldset").first.get_by_label("Lo hago con algo de ayuda").check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    page.get_by_role("button", name="Enviar mi postulación").click()
    page.get_by_text("Recibimos tu postulación").wait_for()

    page.context.clear_cookies()
    login(page, live_server, candidate)
    page.goto("/competencias/")
    page.get_by_role("link", name="Ventas y atención al cliente").first.click()
    page.get_by_role("link", name="Dar la prueba").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Prueba de conocimientos"
    axe_check(page)
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("Saludar").check()  # the right option of every factory question
    screenshot(page, "competency-knowledge-test-360")
    page.get_by_role("button", name="Enviar respuestas").click()
    page.get_by_text("Obtuviste 100 %").wait_for()
    page.get_by_role("link", name="Volver a mi postulación").click()
    assert "100 %" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    screenshot(page, "competency-application-360")

    login(page, live_server, admin)
    page.goto(f"/competencias/entidad/{body.slug}/informe/")
    assert "Postulantes por etapa" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    axe_check(page)
    screenshot(page, "competency-body-report-360")


def test_queued_checklist_survives_an_expired_session(phone_page, live_server):
    from django.contrib.sessions.models import Session

    standard = make_standard(units=1, criteria=2, questions=3)
    body = standard.certifying_body
    evaluator = evaluator_of(body)
    application = services.application_create(candidate=UserFactory(), standard=standard, experience="x")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=body_admin_of(body))
    unit = standard.units.get()

    page = phone_page
    login(page, live_server, evaluator)
    page.goto(f"/competencias/evaluacion/{application.pk}/unidad/{unit.pk}/observacion/")
    signal(page, up=False)
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("Cumple", exact=True).check()
    page.get_by_role("button", name="Guardar lista de cotejo").click()
    page.locator("#offline-queue-status").get_by_text("Sin conexión: guardado en este teléfono").wait_for()

    Session.objects.all().delete()  # the session expired while the phone was offline
    from django.core.cache import cache

    cache.clear()  # with Redis, sessions are cached_db: forget the cached copy too
    signal(page, up=True)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("#offline-queue-status").get_by_text("vuelve a entrar").wait_for()
    assert ObservationRecord.objects.count() == 0
    assert page.evaluate("JSON.parse(localStorage.getItem('ruta:competency:queue')).length") == 1

    page.context.clear_cookies()
    login(page, live_server, evaluator)  # a new session and a new CSRF token
    page.goto("/competencias/evaluacion/")
    page.locator("#offline-queue-status").get_by_text("Enviado y recibido: lista de cotejo").wait_for()
    assert ObservationRecord.objects.count() == 1
    assert page.evaluate("JSON.parse(localStorage.getItem('ruta:competency:queue')).length") == 0


def test_evaluator_works_through_every_unit_offline_and_each_record_arrives_once(phone_page, live_server, screenshot):
    standard = make_standard(units=2, criteria=2, questions=3, title="Atención al cliente en bodegas")
    body = standard.certifying_body
    evaluator = evaluator_of(body, first_name="Jhonny", last_name="Cedeño Zambrano", phone="+593987654321")
    candidate = UserFactory(first_name="María José", last_name="Briceño Peña", phone="+51987654321")
    application = services.application_create(candidate=candidate, standard=standard, experience="Bodega en Quito.")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=body_admin_of(body))
    unit1, unit2 = standard.units.order_by("order", "id")

    page = phone_page
    login(page, live_server, evaluator)
    page.goto("/competencias/evaluacion/")
    page.get_by_role("link", name="María José Briceño Peña").click()
    # Opened online: the assessment and both units' checklists are now kept on the phone.
    page.get_by_text("Lista para usar sin señal").wait_for()

    signal(page, up=False)
    page.locator(f"#unidad-{unit2.pk}").get_by_role("link", name="Registrar la observación").click()
    page.wait_for_load_state()
    page.wait_for_function("() => navigator.onLine === false")
    assert page.locator("h1").inner_text() == "Lista de cotejo de desempeño"
    assert unit2.title in page.content()
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("No cumple").check()
    page.get_by_label("Observaciones generales").fill("Segunda unidad, sin señal en el mercado.")
    page.get_by_role("button", name="Guardar lista de cotejo").click()
    status = page.locator("#offline-queue-status")
    status.get_by_text("Sin conexión: guardado en este teléfono, se enviará al volver la señal").wait_for()
    assert "Registros en espera: 1" in status.inner_text()

    # Reloading without signal still shows the page, with the queued record read-only: no blank form.
    page.reload()
    page.locator("#observation-pending").wait_for()
    assert "Registros en espera: 1" in status.inner_text()
    assert page.get_by_role("button", name="Guardar lista de cotejo").is_hidden()
    assert all(radio.is_disabled() for radio in page.locator("input[type=radio]").all())
    assert page.locator("input[type=radio][value=not_met]:checked").count() == 2
    screenshot(page, "competency-checklist-pending-offline-360")

    page.get_by_role("link", name="María José Briceño Peña").first.click()
    page.locator(f"#unidad-{unit1.pk}").get_by_role("link", name="Registrar la observación").click()
    page.wait_for_load_state()
    # The phone knows it has no signal on this page too (Chromium may apply its offline emulation late to a
    # document its service worker served): what follows must not reach the server.
    page.wait_for_function("() => navigator.onLine === false")
    assert unit1.title in page.content()
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("Cumple", exact=True).check()
    page.get_by_role("button", name="Guardar lista de cotejo").click()
    page.locator("#observation-pending").wait_for()
    assert "Registros en espera: 2" in status.inner_text()
    assert ObservationRecord.objects.count() == 0

    signal(page, up=True)
    page.locator("#observation-sent").wait_for()
    page.wait_for_function("() => JSON.parse(localStorage.getItem('ruta:competency:queue')).length === 0")
    assert ObservationRecord.objects.filter(unit=unit1).count() == 1
    assert ObservationRecord.objects.filter(unit=unit2).count() == 1
    assert set(ObservationRecord.objects.get(unit=unit2).marks.values_list("mark", flat=True)) == {"not_met"}

    # Online again, each unit's page shows its record, not a blank form inviting a second one.
    for unit, mark in ((unit1, "Cumple"), (unit2, "No cumple")):
        page.goto(f"/competencias/evaluacion/{application.pk}/unidad/{unit.pk}/observacion/")
        recorded = page.locator("#observation-recorded")
        assert "Lista de cotejo registrada" in recorded.inner_text()
        assert f": {mark}" in recorded.inner_text()
        assert page.get_by_role("button", name="Guardar lista de cotejo").count() == 0
        assert page.get_by_role("link", name="Corregir la lista de cotejo").is_visible()
    screenshot(page, "competency-checklist-recorded-360")
    assert ObservationRecord.objects.count() == 2
