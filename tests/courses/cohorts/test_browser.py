"""A trainer's evening on a phone: log in, import 30 participants, take attendance, grade an answer, export."""

import pytest

from content.models import Submission
from courses.cohorts.models import Attendance, CohortMember
from courses.services import enrollment_create
from tests.courses.cohorts.factories import cohort_with_free_text, free_text_answer, member_of, trainer_of
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = ["María", "José", "Ángela", "Luis", "Yolimar", "Rosa", "Carlos", "Daniela", "Andrés", "Lucía"]
LAST = ["Pérez Núñez", "Rodríguez", "Quispe Mamani", "Gómez", "Hernández", "Ríos", "Muñoz", "Vargas"]


def roster_csv(n=30) -> bytes:
    lines = ["nombres;apellidos;teléfono;región;ciudad"]
    for i in range(n):
        lines.append(f"{FIRST[i % len(FIRST)]};{LAST[i % len(LAST)]} {i};9874{i:05d};Lima;San Juan de Lurigancho")
    return ("\n".join(lines) + "\n").encode("cp1252")  # as Excel saves it on a Spanish Windows


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 362


def test_trainer_runs_a_cohort_on_a_phone(phone_page, screenshot, axe_check, tmp_path):
    page = phone_page
    cohort, lesson, usage_id = cohort_with_free_text(name="GIN San Juan de Lurigancho")
    trainer_of(cohort, UserFactory(username="facilitadora", first_name="Carmen", last_name="Salazar"))
    learner = member_of(cohort, UserFactory(first_name="Yolimar", last_name="Rodríguez Pérez"))
    enrollment_create(user=learner, course=cohort.course, source="cohort")
    submission = free_text_answer(learner, lesson, usage_id, "Vendo empanadas a oficinistas de mi distrito.")

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("facilitadora")
    page.locator("input[name=password]").fill("clave-segura-123")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Mis grupos").first.click()
    page.get_by_role("link", name="GIN San Juan de Lurigancho").click()
    page.wait_for_load_state()
    _fits(page)
    axe_check(page)
    screenshot(page, "cohort-dashboard-before-360")

    # Import 30 people from a CSV saved in Latin-1 with semicolons.
    page.get_by_role("link", name="Importar").first.click()
    csv_path = tmp_path / "participantes.csv"
    csv_path.write_bytes(roster_csv())
    page.locator("input[type=file]").set_input_files(str(csv_path))
    page.get_by_role("button", name="Ver vista previa").click()
    page.wait_for_load_state()
    assert "Todo está bien: 30 personas" in page.content()
    assert "Ángela Quispe Mamani 2" in page.content()
    axe_check(page)
    _fits(page)
    screenshot(page, "cohort-import-preview-360")
    page.get_by_role("button", name="Importar todo").click()
    page.wait_for_load_state()
    assert "Listo: 30 cuentas nuevas en el grupo" in page.content()
    assert CohortMember.objects.filter(cohort=cohort).count() == 31
    # The trainer prints the first-login sheet: each new person's phone and temporary password.
    page.get_by_role("button", name="Generar la hoja para imprimir").click()
    page.wait_for_load_state()
    assert "Contraseña temporal" in page.content() and "Ángela Quispe Mamani 2" in page.content()
    axe_check(page)
    _fits(page)
    screenshot(page, "cohort-import-first-logins-360")
    page.get_by_role("link", name=cohort.name).first.click()
    page.wait_for_load_state()
    screenshot(page, "cohort-dashboard-after-import-360")

    # Schedule a session and take attendance.
    page.get_by_role("link", name="Programar una sesión").click()
    page.get_by_label("Tema de la sesión").fill("Sesión 1: Genera tu idea")
    page.get_by_label("Fecha y hora").fill("2026-11-24T18:30")
    page.get_by_role("button", name="Crear sesión").click()
    page.wait_for_load_state()
    page.get_by_role("group", name="Yolimar Rodríguez Pérez").get_by_label("Presente").check()
    page.get_by_role("group", name="María Pérez Núñez 0").get_by_label("Ausente").check()
    axe_check(page)
    _fits(page)
    screenshot(page, "cohort-attendance-360")
    page.get_by_role("button", name="Guardar asistencia").click()
    page.wait_for_load_state()
    assert "Guardamos la asistencia." in page.content()
    assert Attendance.objects.filter(user=learner, status="present").exists()

    # Grade the pending free-text answer with the rubric.
    page.get_by_role("link", name="← GIN San Juan de Lurigancho").click()
    page.get_by_role("link", name="Calificar").first.click()
    page.get_by_role("link", name="Yolimar Rodríguez Pérez").click()
    page.wait_for_load_state()
    assert "Vendo empanadas a oficinistas" in page.content()
    page.get_by_label("Logrado (2)").check()
    page.get_by_label("Comentario para la persona").fill("¡Muy claro! Ahora piensa en el precio.")
    axe_check(page)
    _fits(page)
    screenshot(page, "cohort-grade-360")
    page.get_by_role("button", name="Guardar calificación").click()
    page.wait_for_load_state()
    assert "Guardamos la calificación" in page.content()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.GRADED

    # Export the roster.
    page.get_by_role("link", name="← GIN San Juan de Lurigancho").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel").first.click()
    download = info.value
    assert download.suggested_filename == f"participantes-{cohort.code}.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    import openpyxl

    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert len(rows) == 32  # header + 31 people
    screenshot(page, "cohort-dashboard-end-360")


def test_invited_person_answers_on_a_phone(phone_page, screenshot, axe_check):
    """Someone with an account is invited by a trainer of another institution; she reads it and accepts."""
    from courses.cohorts import services
    from courses.cohorts.models import CohortInvitation
    from tests.courses.cohorts.factories import CohortFactory

    page = phone_page
    cohort = CohortFactory(name="Get Ahead Guayaquil", country="EC", region="Guayas", city="Guayaquil")
    trainer = trainer_of(cohort, UserFactory(first_name="Carmen", last_name="Salazar"))
    person = UserFactory(username="majo", first_name="María José", phone="+593991234567")
    services.cohort_member_add_person(cohort=cohort, actor=trainer, first_name="Majo", phone="+593991234567")

    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("+593 99 123 4567")
    page.locator("input[name=password]").fill("clave-segura-123")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_load_state()
    page.goto("/grupos/")
    assert "Tienes 1 invitación a un grupo." in page.content()
    page.get_by_role("link", name="Ver y responder").click()
    page.wait_for_load_state()
    axe_check(page)
    _fits(page)
    screenshot(page, "cohort-invitation-360")
    page.get_by_label("Comparto mi celular y mi correo con el equipo de mis grupos").check()
    page.get_by_role("button", name="Aceptar y unirme").click()
    page.wait_for_load_state()
    assert "¡Te uniste al grupo «Get Ahead Guayaquil»!" in page.content()
    assert CohortMember.objects.filter(cohort=cohort, user=person).exists()
    assert CohortInvitation.objects.get(user=person).status == CohortInvitation.Status.ACCEPTED
