"""Course, programme and lesson pages and the enrol view, as a learner sees them."""

import pytest
from django.urls import reverse

from courses.models import Enrollment, LessonPage
from courses.services import enrollment_create, progress_record
from tests.courses.factories import CoursePageFactory, build_course
from tests.lms.accounts.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def lessons_of(course):
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


def test_course_page_shows_its_facts_outline_and_an_enrol_button(client, user):
    course = build_course(
        title="Genere su Idea de Negocio",
        code="IMESUN-GIN",
        estimated_hours=12,
        objectives="<ul><li>Elegir una idea de negocio viable.</li></ul>",
        institution=InstitutionFactory(name="ONG Alternativa"),
    )
    client.force_login(user)
    html = client.get(course.url).content.decode()
    assert "IMESUN-GIN" in html
    assert "12 horas" in html
    assert "Básico" in html
    assert "Español" in html
    assert "ONG Alternativa" in html
    assert "Elegir una idea de negocio viable." in html
    assert "Lección 1.1" in html and "Lección 1.2" in html
    assert "Inscribirme en este curso" in html


def test_anonymous_visitors_are_invited_to_create_an_account(client):
    course = build_course()
    html = client.get(course.url).content.decode()
    assert "Crear una cuenta para inscribirme" in html
    assert "Inscribirme en este curso" not in html


def test_enrol_view_enrols_and_opens_the_first_lesson(client, user):
    course = build_course()
    client.force_login(user)
    response = client.post(reverse("courses:enroll", args=[course.pk]))
    assert response.status_code == 302
    assert response["Location"] == lessons_of(course)[0].url
    assert Enrollment.objects.filter(user=user, course=course).exists()


def test_enrol_view_requires_login_and_post(client, user):
    course = build_course()
    response = client.post(reverse("courses:enroll", args=[course.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(user)
    assert client.get(reverse("courses:enroll", args=[course.pk])).status_code == 405
    assert not Enrollment.objects.exists()


def test_unmet_prerequisite_is_explained_with_a_link_and_enrolment_refused(client, user):
    gin = build_course(title="GIN", code="GIN")
    isun = CoursePageFactory(title="ISUN", code="ISUN", parent=gin.get_parent())
    isun.prerequisites.add(gin)
    isun.save()
    client.force_login(user)
    html = client.get(isun.url).content.decode()
    assert "Completa primero" in html
    assert f'href="{gin.url}">GIN</a>' in html
    assert "Inscribirme en este curso" not in html
    response = client.post(reverse("courses:enroll", args=[isun.pk]), follow=True)
    assert "Completa primero GIN." in response.content.decode()
    assert not Enrollment.objects.filter(course=isun).exists()


def test_closed_course_explains_how_to_join(client, user):
    course = build_course(open_enrollment=False)
    client.force_login(user)
    html = client.get(course.url).content.decode()
    assert "La inscripción a este curso se hace por grupo" in html
    assert "Inscribirme en este curso" not in html


def test_enrolled_learner_sees_progress_and_continue_where_they_left_off(client, user):
    course = build_course(lessons_per_module=3)
    lessons = lessons_of(course)
    enrollment_create(user=user, course=course)
    client.force_login(user)
    client.get(lessons[0].url)
    html = client.get(course.url).content.decode()
    assert "33 % completado" in html
    assert "Continuar donde lo dejaste" in html
    assert f'href="{lessons[1].url}"' in html
    assert "Completada" in html and "Pendiente" in html


def test_viewing_a_lesson_marks_it_done_and_navigation_links_neighbours(client, user):
    course = build_course(lessons_per_module=3)
    first, second, third = lessons_of(course)
    enrollment = enrollment_create(user=user, course=course)
    client.force_login(user)
    html = client.get(second.url).content.decode()
    assert f'rel="prev" href="{first.url}"' in html
    assert f'rel="next" href="{third.url}"' in html
    assert "Lección 2 de 3" in html
    enrollment.refresh_from_db()
    assert enrollment.last_lesson_id == second.pk
    assert enrollment.progress == 33


def test_lesson_is_readable_without_enrolment_but_progress_is_not_saved(client, user):
    course = build_course()
    lesson = lessons_of(course)[0]
    client.force_login(user)
    html = client.get(lesson.url).content.decode()
    assert "Texto de la lección." in html
    assert "inscríbete en el curso" in html
    assert not Enrollment.objects.exists()


def test_can_submit_activity_hook(user):
    course = build_course()
    lesson = lessons_of(course)[0]
    stranger = UserFactory()
    enrollment_create(user=user, course=course)
    assert lesson.can_submit_activity(user) is True
    assert LessonPage.objects.get(pk=lesson.pk).can_submit_activity(stranger) is False
    from django.contrib.auth.models import AnonymousUser

    assert lesson.can_submit_activity(AnonymousUser()) is False


def test_can_submit_activity_is_false_when_prerequisites_are_missing(user):
    gin = build_course(code="GIN")
    isun = build_course(code="ISUN", parent=gin.get_parent())
    isun.prerequisites.add(gin)
    isun.save()
    Enrollment.objects.create(user=user, course=isun, source=Enrollment.Source.STAFF)
    assert lessons_of(isun)[0].can_submit_activity(user) is False


def test_programme_page_lists_courses_in_path_order(client):
    gin = build_course(title="Genere su Idea de Negocio", code="GIN")
    programme = gin.get_parent()
    CoursePageFactory(parent=programme, title="Inicie su Negocio", code="ISUN")
    html = client.get(programme.url).content.decode()
    assert html.index("Genere su Idea de Negocio") < html.index("Inicie su Negocio")


def test_completed_course_page_says_so(client, user):
    course = build_course(lessons_per_module=1)
    enrollment_create(user=user, course=course)
    progress_record(user=user, lesson_id=lessons_of(course)[0].pk, viewed=True)
    client.force_login(user)
    assert "Completaste este curso" in client.get(course.url).content.decode()


def test_can_grade_activity_hook_delegates_to_cohort_trainers(user):
    course = build_course()
    lesson = lessons_of(course)[0]
    superuser = UserFactory(is_superuser=True)
    stranger = UserFactory()
    assert lesson.can_grade_activity(superuser, user) is True
    assert lesson.can_grade_activity(stranger, user) is False
    assert lesson.can_grade_activity(user, user) is False


def test_module_page_redirects_to_its_place_in_the_course_outline(client):
    from courses.models import ModulePage

    course = build_course()
    module = ModulePage.objects.child_of(course).first()
    response = client.get(module.url)
    assert response.status_code == 302
    assert response["Location"] == f"{course.url}#modulo-{module.pk}"


def test_in_english_the_spanish_course_content_is_still_marked_spanish_for_screen_readers(client, user):
    import re

    course = build_course()
    lesson = lessons_of(course)[0]
    enrollment_create(user=user, course=course)
    client.force_login(user)
    client.get(reverse("language"), {"language": "en", "next": lesson.url})
    html = client.get(lesson.url).content.decode()
    assert re.search(r'<html[^>]* lang="en"', html)  # the interface is English…
    assert re.search(rf'<h1 lang="es">{re.escape(lesson.title)}</h1>', html)  # …what the authors wrote is not
    assert '<article class="lesson-body" lang="es">' in html
    assert "Texto de la lección." in html.split('<article class="lesson-body" lang="es">', 1)[1]
    course_html = client.get(course.url).content.decode()
    assert re.search(rf'<h1 lang="es">{re.escape(course.title)}</h1>', course_html)
