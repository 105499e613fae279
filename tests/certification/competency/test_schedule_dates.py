"""Scheduling an assessment: no date in the past (nor a mistyped year), the date already set shows in the field when
rescheduling, and the candidate reads the year when the assessment is not this year."""

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certification.competency import services
from certification.competency.models import Application
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard():
    return make_standard(units=1, title="Limpieza y desinfección de ambientes")


@pytest.fixture
def evaluator(standard):
    return evaluator_of(standard.certifying_body, first_name="Mónica", last_name="Huamán", phone="+593991234567")


@pytest.fixture
def application(standard, evaluator):
    candidate = UserFactory(first_name="Génesis", last_name="Zambrano Ríos", phone="+593987654321")
    application = services.application_create(
        candidate=candidate, standard=standard, experience="Limpio casas en Guayaquil desde 2020."
    )
    admin = body_admin_of(standard.certifying_body, first_name="Ángela", last_name="Quispe")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    return application


def _schedule(client, application, when: str, location: str = "Av. 9 de Octubre 120, Guayaquil"):
    return client.post(
        reverse("competency:schedule", args=[application.pk]), {"scheduled_at": when, "location": location}
    )


def _local(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M").replace(tzinfo=timezone.get_current_timezone())


def test_a_date_in_the_past_is_refused_with_the_typed_values_kept_and_today_accepted(client, application, evaluator):
    client.force_login(evaluator)
    response = _schedule(client, application, "2025-01-01T10:00")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Esa fecha ya pasó (1 de enero de 2025). Elige hoy o una fecha futura." in page
    assert 'value="2025-01-01T10:00"' in page and 'value="Av. 9 de Octubre 120, Guayaquil"' in page
    application.refresh_from_db()
    assert application.scheduled_at is None and application.status == Application.Status.ASSIGNED

    # Earlier today is fine (the evaluator records an assessment that has just begun on site), and so is later.
    today = timezone.localdate()
    response = _schedule(client, application, f"{today:%Y-%m-%d}T00:00")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.scheduled_at == _local(f"{today:%Y-%m-%d}T00:00")
    later = today + timedelta(days=10)
    _schedule(client, application, f"{later:%Y-%m-%d}T15:30")
    application.refresh_from_db()
    assert application.scheduled_at == _local(f"{later:%Y-%m-%d}T15:30")


def test_a_mistyped_year_far_ahead_is_refused(client, application, evaluator):
    client.force_login(evaluator)
    far = timezone.localdate().replace(year=timezone.localdate().year + 2, day=1)
    response = _schedule(client, application, f"{far:%Y-%m-%d}T10:00")
    assert "Revisa el año." in response.content.decode()
    application.refresh_from_db()
    assert application.scheduled_at is None


def test_rescheduling_shows_the_date_already_set_and_keeps_it_when_only_the_place_changes(
    client, application, evaluator
):
    client.force_login(evaluator)
    day = timezone.localdate() + timedelta(days=3)
    _schedule(client, application, f"{day:%Y-%m-%d}T09:15")
    page = client.get(reverse("competency:assessment", args=[application.pk])).content.decode()
    field = re.search(r'<input type="datetime-local"[^>]*>', page).group(0)
    assert f'value="{day:%Y-%m-%d}T09:15"' in field
    # The assessment day went by before the results were recorded: the place can still be corrected.
    past = timezone.localtime() - timedelta(days=2)
    Application.objects.filter(pk=application.pk).update(scheduled_at=past.replace(second=0, microsecond=0))
    page = client.get(reverse("competency:assessment", args=[application.pk])).content.decode()
    assert f'value="{past:%Y-%m-%dT%H:%M}"' in page
    response = _schedule(client, application, f"{past:%Y-%m-%dT%H:%M}", location="Mercado Central, Guayaquil")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.location == "Mercado Central, Guayaquil"


def test_the_candidate_reads_the_year_when_the_assessment_is_not_this_year(client, application, evaluator):
    year = timezone.localdate().year
    next_year = datetime(year + 1, 1, 4, 10, 0, tzinfo=timezone.get_current_timezone())
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=next_year, location="Malecón 2000"
    )
    client.force_login(application.candidate)
    url = reverse("competency:application_detail", args=[application.pk])
    page = " ".join(client.get(url).content.decode().split())
    weekday = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"][next_year.weekday()]
    assert f"{weekday} 4 de enero de {year + 1}, 10:00" in page

    this_year = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    services.assessment_schedule(
        application=application, evaluator=evaluator, scheduled_at=this_year, location="Malecón 2000"
    )
    page = " ".join(client.get(url).content.decode().split())
    assert f"{this_year.day} de " in page and f"de {year}, 23:00" not in page
