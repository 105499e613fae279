"""On a phone: while Ruta's database is down the answer is kept and resent by itself after the server's
Retry-After, with no reload (issue #13)."""

import json

import pytest
from django.test import Client

from content.models import Submission
from tests.content.conftest import VALUES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_503_keeps_the_answer_and_it_is_resent_after_retry_after(phone_page, live_server, make_page, user):
    client = Client()
    client.force_login(user)
    browser = phone_page
    browser.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    lesson, ids = make_page({"true_false": VALUES["true_false"]})
    browser.goto(lesson.url)

    refused = []

    def outage(route):
        # What DatabaseUnavailableMiddleware answers while PostgreSQL is down.
        refused.append(route.request.post_data)
        route.fulfill(
            status=503,
            headers={"Retry-After": "1", "Content-Type": "application/json"},
            body=json.dumps({"ok": False, "retry": True, "message": "Ruta no puede guardar ni mostrar datos…"}),
        )

    browser.route("**/enviar/", outage)
    truth = browser.locator(f"#actividad-{ids['true_false']}")
    truth.get_by_label("Verdadero").check()
    truth.get_by_role("button", name="Enviar respuesta").click()
    truth.get_by_text("Ruta no puede guardar respuestas en este momento.", exact=False).wait_for()
    pending = browser.evaluate("Object.keys(JSON.parse(localStorage.getItem('ruta:actividades-pendientes')))")
    assert len(pending) == 1 and refused

    browser.unroute("**/enviar/")  # the database is back; no reload: the queue resends by itself
    browser.locator(f"#actividad-{ids['true_false']}-resultado").get_by_text("¡Aprobaste!").wait_for(timeout=15000)
    submission = Submission.objects.get(usage_id=ids["true_false"])
    assert str(submission.submission_id) == pending[0]
    assert browser.evaluate("localStorage.getItem('ruta:actividades-pendientes')") == "{}"
