"""The sign-up and password-reset pages promise only the help a learner can really get: a trainer sets a temporary
password only for accounts their institution created whose owner never chose a password
(``permissions.can_reset_password_for``), so someone who signed up alone and has no e-mail is told to keep the
password safe or add an e-mail, and whom to ask."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from lms.accounts import permissions
from lms.accounts.models import Role, User
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(strip_tags(response.content.decode()).split())


def test_signup_page_does_not_promise_the_trainer_can_reset_the_password(client):
    page = _text(client.get(reverse("account_signup")))
    assert "puede ayudarte si la olvidas" not in page
    assert "anota tu contraseña y guárdala en un lugar seguro" in page
    assert "no puede cambiar la contraseña de una cuenta que creaste tú" in page
    assert "institución que organiza tu curso" in page
    assert "agregar un correo" in page


def test_reset_page_says_who_can_help_a_self_registered_learner(client):
    page = _text(client.get(reverse("account_reset_password")))
    assert "Pide ayuda a tu facilitadora o facilitador, o a la institución donde te inscribiste" not in page
    assert "Si creaste tu cuenta tú, o ya elegiste tu propia contraseña, tu facilitadora o facilitador no puede" in page
    assert "Si la institución de tu curso creó tu cuenta" in page
    assert "agrega un correo" in page


def test_the_pages_match_the_rule_for_a_learner_who_signed_up_without_email(client):
    """What the page now says is what happens: the trainer of her cohort cannot reset her password."""
    client.post(
        reverse("account_signup"),
        {
            "first_name": "Yolimar",
            "last_name": "Rodríguez Pérez",
            "phone": "987 654 321",
            "email": "",
            "password1": "Caminante-2026",
            "password2": "Caminante-2026",
            "accept_terms": "on",
        },
    )
    learner = User.objects.get(phone="+51987654321")
    lima = InstitutionFactory(name="ONG Alternativa", slug="alternativa", country="PE")
    MembershipFactory(user=learner, institution=lima, role=Role.PARTICIPANT)
    trainer = MembershipFactory(
        institution=lima, role=Role.TRAINER, user=UserFactory(first_name="Carmen", last_name="Salazar Ñaupari")
    ).user
    assert learner.email == ""
    assert not permissions.can_reset_password_for(trainer, learner)
