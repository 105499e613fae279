"""After validating a result, body staff go back to their body's panel and evaluators to their own home: the
evaluator home needs the evaluator role, so sending an institution admin there was a 403."""

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.competency import services
from certification.competency.models import Application
from lms.accounts.models import Membership, Role
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def standard():
    return make_standard(units=2, criteria=2, questions=4, title="Ventas y atención al cliente")


@pytest.fixture
def admin(standard):
    return body_admin_of(standard.certifying_body, first_name="Ángela", last_name="Quispe Huamán")


@pytest.fixture
def submitted(standard, admin):
    evaluator = evaluator_of(standard.certifying_body, first_name="Patricia", last_name="Gómez")
    candidate = UserFactory(first_name="Yolimar", last_name="Rodríguez Peña", email="", phone="+51987654321")
    application = services.application_create(candidate=candidate, standard=standard, experience="Vendo ropa.")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Gamarra"
    )
    for unit in application.units.all():
        services.unit_verdict_record(application=application, unit=unit, evaluator=evaluator, verdict="competent")
    services.assessment_submit(application=application, evaluator=evaluator, overall_feedback="Muy buen trato.")
    return application


def _approve(client, application):
    return client.post(reverse("competency:validate", args=[application.pk]), {"decision": "approve"}, follow=True)


def test_body_admin_lands_on_the_body_panel_after_approving(client, submitted, admin, standard):
    body = standard.certifying_body
    client.force_login(admin)
    page = client.get(reverse("competency:validate", args=[submitted.pk])).content.decode()
    panel = reverse("competency:body_home", args=[body.slug])
    assert f'href="{panel}"' in page
    assert f'href="{reverse("competency:evaluator_home")}"' not in page

    response = _approve(client, submitted)
    assert response.status_code == 200
    assert response.redirect_chain == [(panel, 302)]
    assert "Decisión registrada." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.DECIDED


def test_programme_manager_returning_the_result_also_lands_on_the_panel(client, submitted, standard):
    body = standard.certifying_body
    manager = UserFactory(first_name="Darío", last_name="Cedeño", email="", phone="+593987654321")
    Membership.objects.create(user=manager, institution=body, role=Role.PROGRAMME_MANAGER)
    client.force_login(manager)
    response = client.post(
        reverse("competency:validate", args=[submitted.pk]),
        {"decision": "return", "comment": "Falta la observación de la segunda unidad."},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("competency:body_home", args=[body.slug]), 302)]


def test_named_validator_still_goes_back_to_the_evaluator_home(client, submitted, admin, standard):
    validator = evaluator_of(standard.certifying_body, first_name="Óscar", last_name="Mendoza")
    services.validator_assign(application=submitted, validator=validator, actor=admin)
    client.force_login(validator)
    page = client.get(reverse("competency:validate", args=[submitted.pk])).content.decode()
    assert f'href="{reverse("competency:evaluator_home")}"' in page and "Mis evaluaciones" in page

    response = _approve(client, submitted)
    assert response.status_code == 200
    assert response.redirect_chain == [(reverse("competency:evaluator_home"), 302)]
