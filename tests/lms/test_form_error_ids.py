"""Errors and help written next to a box are linked to it: the ``aria-describedby`` Django puts on the box names an
element that is on the page, so a screen reader reads the message when the box is focused."""

import pytest
from django.urls import reverse

from tests.certification.competency.factories import evaluator_of, make_standard
from tests.html_ids import dangling_references, description, labelled_control
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

MISMATCH = "Escribe la misma contraseña las dos veces."


def test_sign_up_links_the_repeat_password_message_to_its_box(client):
    html = client.post(
        reverse("account_signup"),
        {"first_name": "Ana", "phone": "987 654 321", "password1": "Caminante-2026", "password2": "otra-cosa-2026"},
    ).content.decode()
    assert MISMATCH in html
    assert dangling_references(html) == []
    _tag, box = labelled_control(html, "Repite la contraseña")
    assert box["aria-invalid"] == "true"
    assert MISMATCH in description(html, box["id"])


def test_password_change_links_the_repeat_password_message_to_its_box(client):
    gladys = UserFactory(first_name="Gladys", last_name="Añazco", phone="+593987654321")
    client.force_login(gladys)
    html = client.post(
        reverse("account_change_password"),
        {"oldpassword": "clave-segura-123", "password1": "Caminante-2026", "password2": "otra-cosa-2026"},
    ).content.decode()
    assert MISMATCH in html
    assert dangling_references(html) == []
    _tag, box = labelled_control(html, "Repite la contraseña nueva")
    assert MISMATCH in description(html, box["id"])


def test_conflicts_page_links_the_help_text_and_the_error(client):
    standard = make_standard(units=1, criteria=1, questions=1, title="Cocina peruana")
    evaluator = evaluator_of(standard.certifying_body, first_name="Patricia", last_name="Gómez Núñez")
    client.force_login(evaluator)
    html = client.get(reverse("competency:conflicts")).content.decode()
    assert dangling_references(html) == []
    _tag, box = labelled_control(html, "Usuario, correo o teléfono de la persona")
    assert "Por ejemplo, un familiar, tu empleador" in description(html, box["id"])
    html = client.post(reverse("competency:conflicts"), {"person": "nadie-así", "reason": "Es mi prima."}).content
    html = html.decode()
    assert dangling_references(html) == []
    assert "No encontramos a esa persona." in description(html, box["id"])


def test_competency_application_help_texts_are_read_with_their_boxes(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    standard = make_standard(units=1, criteria=1, questions=1, title="Atención al cliente")
    client.force_login(UserFactory(first_name="Yolimar", last_name="Rodríguez", phone="+51912345678"))
    html = client.get(reverse("competency:apply", args=[standard.pk])).content.decode()
    assert dangling_references(html) == []
    _tag, box = labelled_control(html, "Documentos (opcional)")
    assert "Constancias de trabajo o cartas de referencia" in description(html, box["id"])
