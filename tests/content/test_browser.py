"""Activities in a phone browser: fetch submission with focus on the feedback, and offline answers kept
in localStorage, restored on reload and resent with the same submission id."""

import pytest
from django.test import Client

from content.models import Submission
from tests.content.conftest import VALUES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def learner_page(phone_page, live_server, user):
    client = Client()
    client.force_login(user)
    phone_page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return phone_page


def test_answer_with_javascript_and_offline_retry(learner_page, make_page, user, screenshot, axe_check):
    browser = learner_page
    lesson, ids = make_page({"single_choice": VALUES["single_choice"], "true_false": VALUES["true_false"]})
    browser.goto(lesson.url)
    axe_check(browser)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 360

    choice = browser.locator(f"#actividad-{ids['single_choice']}")
    choice.get_by_label("Hablar con posibles clientes").check()
    choice.get_by_role("button", name="Enviar respuesta").click()
    feedback = browser.locator(f"#actividad-{ids['single_choice']}-resultado")
    feedback.get_by_text("¡Aprobaste!").wait_for()
    assert browser.evaluate("document.activeElement.id") == f"actividad-{ids['single_choice']}-resultado"
    assert "/enviar/" not in browser.url  # stayed on the lesson: no full page load
    screenshot(browser, "actividad-aprobada-360")

    # The connection drops while answering the true/false question.
    browser.route("**/enviar/", lambda route: route.abort("internetdisconnected"))
    truth = browser.locator(f"#actividad-{ids['true_false']}")
    truth.get_by_label("Verdadero").check()
    truth.get_by_role("button", name="Enviar respuesta").click()
    truth.get_by_text(
        "Sin conexión. Guardamos tu respuesta y se calificará al conectarte: la enviaremos sola cuando vuelva la señal."
    ).wait_for()
    pending = browser.evaluate("Object.keys(JSON.parse(localStorage.getItem('ruta:actividades-pendientes')))")
    assert len(pending) == 1
    assert not Submission.objects.filter(usage_id=ids["true_false"]).exists()
    screenshot(browser, "actividad-sin-conexion-360")

    # Signal is back; the learner reloads: the answer is restored and sent with the same id.
    browser.unroute("**/enviar/")
    browser.reload()
    browser.locator(f"#actividad-{ids['true_false']}-resultado").get_by_text("¡Aprobaste!").wait_for()
    submission = Submission.objects.get(usage_id=ids["true_false"])
    assert str(submission.submission_id) == pending[0]
    assert submission.user == user and submission.passed
    assert browser.evaluate("localStorage.getItem('ruta:actividades-pendientes')") == "{}"
    axe_check(browser)


def test_every_activity_type_is_accessible_before_and_after_answering(
    learner_page, all_page, user, submit, screenshot, axe_check
):
    browser = learner_page
    lesson, ids = all_page
    browser.goto(lesson.url)
    axe_check(browser)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(browser, "actividades-todas-360")

    submit(user, lesson, ids["single_choice"], {"choice": "0"})
    submit(user, lesson, ids["multiple_choice"], {"choices": ["0", "1"]})
    submit(user, lesson, ids["true_false"], {"value": "false"})
    submit(user, lesson, ids["fill_blanks"], {"blank": ["costos", "mes"]})
    submit(user, lesson, ids["free_text"], {"text": "Mis clientas son vecinas."})
    submit(user, lesson, ids["self_reflection"], {"text": "Anotaré mis ventas."})
    browser.reload()
    browser.get_by_text("Pendiente de revisión.").first.wait_for()
    axe_check(browser)
    assert browser.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(browser, "actividades-respondidas-360")


def test_answer_with_javascript_off_returns_to_the_feedback(browser, live_server, make_page, user):
    lesson, ids = make_page({"fill_blanks": VALUES["fill_blanks"]})
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False, locale="es-PE")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(live_server.url + lesson.url)
        activity = page.locator(f"#actividad-{ids['fill_blanks']}")
        activity.get_by_label("Espacio 1 de 2").fill("costos")
        activity.get_by_label("Espacio 2 de 2").fill("mes")
        activity.get_by_role("button", name="Enviar respuesta").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"{lesson.url}#actividad-{ids['fill_blanks']}-resultado")
        feedback = page.locator(f"#actividad-{ids['fill_blanks']}-resultado")
        assert "Tu nota: 50 %" in feedback.inner_text()
        assert activity.get_by_label("Espacio 1 de 2").input_value() == "costos"  # the answer is kept
        assert Submission.objects.get(usage_id=ids["fill_blanks"]).score == 0.5
    finally:
        context.close()
