"""The demo catalogue: idempotent, in Spanish, with real activities and one completed GIN enrolment."""

import io

import pytest
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from courses.models import CoursePage, Enrollment, LessonPage, LessonProgress
from courses.signals import course_completed
from lms.demo.context import DemoContext

pytestmark = pytest.mark.django_db


def run_seed():
    from lms.demo import catalogue, people

    ctx = DemoContext(stdout=OutputWrapper(io.StringIO()), style=no_style())
    people.seed(ctx)
    catalogue.seed(ctx)
    return ctx


def test_demo_catalogue_is_idempotent_and_complete(client):
    completions = []
    course_completed.connect(
        lambda sender, enrollment, **kw: completions.append(enrollment.pk), weak=False, dispatch_uid="demo-completions"
    )
    try:
        ctx = run_seed()
        counts = (
            CoursePage.objects.count(),
            LessonPage.objects.count(),
            Enrollment.objects.count(),
            LessonProgress.objects.count(),
        )
        run_seed()
        assert counts == (
            CoursePage.objects.count(),
            LessonPage.objects.count(),
            Enrollment.objects.count(),
            LessonProgress.objects.count(),
        )
    finally:
        course_completed.disconnect(dispatch_uid="demo-completions")

    codes = set(CoursePage.objects.values_list("code", flat=True))
    assert {
        "IMESUN-GIN",
        "IMESUN-ISUN",
        "IMESUN-MESUN",
        "IMESUN-EESUN",
        "IMESUN-GIN-FF",
        "GET-AHEAD",
        "EF-BASICO",
        "SST-NEGOCIO",
        "CE-MIGRACION",
        "BOOTCAMP-DIG",
        "CC-ORIENTACION",
    } <= codes
    assert set(CoursePage.objects.filter(to_be_confirmed=True).values_list("code", flat=True)) == {
        "IMESUN-MESUN",
        "IMESUN-EESUN",
    }
    gin = ctx.objects["course_gin"]
    assert ctx.objects["course_isun"].prerequisites.filter(pk=gin.pk).exists()
    assert CoursePage.objects.get(code="IMESUN-GIN-FF").training_of_trainers
    for course in CoursePage.objects.all():
        lessons = LessonPage.objects.descendant_of(course)
        assert lessons.exists(), course.code
        assert any(lesson.activities for lesson in lessons), f"{course.code} has no activity"
    assert LessonPage.objects.filter(title__icontains="bioseguridad").exists()

    completed = ctx.objects["enrollment_gin_completed"]
    assert completed.user == ctx.users["participant"] and completed.completed_at is not None
    assert completed.score == 100.0
    # Completed once by the participant and once by the trainer, never again on the second run.
    assert len(completions) == 2
    partial = Enrollment.objects.get(user=ctx.users["participant"], course__code="EF-BASICO")
    assert 0 < partial.progress < 100

    assert client.get("/cursos/").status_code == 200
    client.force_login(ctx.users["participant"])
    assert client.get(gin.url).status_code == 200
    lesson = LessonPage.objects.descendant_of(gin).order_by("path").last()
    html = client.get(lesson.url).content.decode()
    assert html.count('class="activity ') == 3


def test_the_competency_orientation_leads_to_where_a_candidate_applies(client):
    from courses.services import enrollment_create
    from lms.accounts.models import User

    run_seed()
    lesson = LessonPage.objects.get(slug="como-es-la-evaluacion")
    worker = User.objects.get(username="participante")
    enrollment_create(user=worker, course=CoursePage.objects.get(code="CC-ORIENTACION"))
    client.force_login(worker)
    # In the lesson itself, not only in the menu.
    assert 'postula en <a href="/competencias/">' in client.get(lesson.url).content.decode()
    assert client.get("/competencias/").status_code == 200
