"""Editors can add and edit every page type in the Wagtail admin (panels and widgets render)."""

import pytest
from django.urls import reverse

from courses.models import LessonPage
from tests.courses.factories import build_course
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


def test_add_and_edit_views_render_for_course_and_lesson(client, editor):
    course = build_course()
    programme = course.get_parent()
    lesson = LessonPage.objects.descendant_of(course).first()
    add_course = reverse("wagtailadmin_pages:add", args=["courses", "coursepage", programme.pk])
    assert client.get(add_course).status_code == 200
    html = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    assert "requisitos previos" in html.lower()
    html = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])).content.decode()
    assert "cuándo se completa" in html.lower()
    module = lesson.get_parent()
    assert client.get(reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", module.pk])).status_code == 200


def test_enrollment_admin_lists_enrolments(client, editor):
    from courses.services import enrollment_create

    course = build_course(title="Curso en el admin")
    enrollment_create(user=UserFactory(), course=course)
    response = client.get(reverse("admin:courses_enrollment_changelist"))
    assert response.status_code == 200
    assert "Curso en el admin" in response.content.decode()
