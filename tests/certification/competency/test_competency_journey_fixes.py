"""Fixes from the candidate/body journey audit: a passed test stays passed, empty assignment lists explain
themselves, the way in is visible, the candidate hears of the evaluator, sees their documents, and is told what
to do with an iPhone photo."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from certification.competency import selectors, services
from certification.competency.models import KnowledgeAttempt
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def standard():
    return make_standard(units=2, criteria=2, questions=4, title="Limpieza y desinfección de ambientes")


@pytest.fixture
def admin(standard):
    return body_admin_of(standard.certifying_body, first_name="Ángela", last_name="Quispe")


@pytest.fixture
def evaluator(standard):
    return evaluator_of(standard.certifying_body, first_name="Patricia", last_name="Gómez")


@pytest.fixture
def candidate():
    return UserFactory(first_name="Yolimar", last_name="Rodríguez Peña")


@pytest.fixture
def application(standard, candidate, admin, evaluator):
    application = services.application_create(
        candidate=candidate, standard=standard, experience="Limpio oficinas en Miraflores desde 2019."
    )
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=timezone.now(), location="Jesús María"
    )
    return application


def _take(application, unit, candidate, *, right: bool):
    attempt = services.knowledge_attempt_start(application=application, unit=unit, candidate=candidate)
    answers = {str(q): "0" if right else "1" for q in attempt.question_ids}
    return services.knowledge_attempt_submit(attempt=attempt, candidate=candidate, answers=answers)


# --- 1. A passed knowledge test cannot be thrown away --------------------------------------------------------


def test_no_new_attempt_once_the_unit_test_is_passed(application, candidate):
    unit = application.units.first()
    assert _take(application, unit, candidate, right=True).passed is True
    with pytest.raises(ValidationError, match="Ya aprobaste la prueba"):
        services.knowledge_attempt_start(application=application, unit=unit, candidate=candidate)
    assert KnowledgeAttempt.objects.filter(application=application, unit=unit).count() == 1


def test_a_failed_attempt_can_still_be_retaken(application, candidate):
    unit = application.units.first()
    assert _take(application, unit, candidate, right=False).passed is False
    assert _take(application, unit, candidate, right=True).passed is True


def test_the_summary_counts_the_best_attempt_so_a_later_one_never_undoes_a_pass(application, candidate):
    unit = application.units.first()
    passed = _take(application, unit, candidate, right=True)
    # A later failed attempt (recorded before this rule existed) must not replace the pass.
    KnowledgeAttempt.objects.create(
        application=application,
        unit=unit,
        seed="posterior",
        question_ids=passed.question_ids,
        score=0.0,
        passed=False,
        submitted_at=timezone.now(),
    )
    item = next(s for s in selectors.assessment_summary(application=application) if s.unit == unit)
    assert item.knowledge == passed
    assert item.attempts_used == 2
    assert item.can_take_test is False


def test_the_page_offers_no_retake_after_a_pass(client, application, candidate):
    unit = application.units.first()
    _take(application, unit, candidate, right=True)
    client.force_login(candidate)
    page = client.get(reverse("competency:application_detail", args=[application.pk])).content.decode()
    test_url = reverse("competency:knowledge_test", args=[application.pk, unit.pk])
    assert "aprobada" in page
    assert f'href="{test_url}"' not in page
    assert "Intentar de nuevo" not in page
    # Opening the test address anyway explains instead of starting a new attempt.
    response = client.get(test_url, follow=True)
    assert "Ya aprobaste la prueba" in response.content.decode()
    assert KnowledgeAttempt.objects.filter(application=application, unit=unit).count() == 1
