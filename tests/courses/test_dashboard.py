"""Mis cursos: each enrolment with its progress, next step or completed state."""

import pytest
from django.urls import reverse

from courses.models import LessonPage
from courses.services import enrollment_create, progress_record
from tests.courses.factories import build_course

pytestmark = pytest.mark.django_db


def lessons_of(course):
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def test_dashboard_requires_login(client):
    response = client.get(reverse("courses:dashboard"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_empty_dashboard_points_to_the_catalogue(client, user):
    build_course()
    client.force_login(user)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "Todavía no te has inscrito en ningún curso." in html
    assert 'href="/cursos/"' in html


def test_dashboard_lists_progress_next_step_and_completed_courses(client, user):
    ongoing = build_course(title="Educación financiera", code="EF", lessons_per_module=2)
    done = build_course(title="Genere su Idea de Negocio", code="GIN", lessons_per_module=1)
    fresh = build_course(title="Seguridad y salud en el trabajo", code="SST", lessons_per_module=1)
    for course in (ongoing, done, fresh):
        enrollment_create(user=user, course=course)
    progress_record(user=user, lesson_id=lessons_of(ongoing)[0].pk, viewed=True)
    progress_record(user=user, lesson_id=lessons_of(done)[0].pk, viewed=True)

    client.force_login(user)
    html = client.get(reverse("courses:dashboard")).content.decode()
    assert "Educación financiera" in html and "50 % completado" in html
    assert f'href="{lessons_of(ongoing)[1].url}"' in html
    assert "Sigue con:" in html
    assert "Empezar" in html  # SST, not started
    assert "Completado" in html


def test_dashboard_shows_only_my_enrolments(client, user):
    from tests.lms.accounts.factories import UserFactory

    course = build_course(title="Curso de otra persona")
    enrollment_create(user=UserFactory(), course=course)
    client.force_login(user)
    assert "Curso de otra persona" not in client.get(reverse("courses:dashboard")).content.decode()


def test_certificates_include_is_optional(settings, tmp_path, client, user):
    client.force_login(user)
    assert client.get(reverse("courses:dashboard")).status_code == 200
    folder = tmp_path / "certification" / "includes"
    folder.mkdir(parents=True)
    (folder / "dashboard_certificates.html").write_text("<section>Mis certificados de prueba</section>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    assert "Mis certificados de prueba" in client.get(reverse("courses:dashboard")).content.decode()
