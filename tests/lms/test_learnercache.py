"""A learner's lesson and «Mis cursos» kept per learner (lms/learnercache.py): fast on a reload, but never one
learner's page for another, never stale after an answer, a grade, a certificate or a published edit, and never
skipping the "continue here" mark."""

import datetime
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from courses.models import Enrollment, LessonPage
from courses.services import VISIT_REFRESH, enrollment_create, lesson_visit_unrecorded_for
from lms.accounts.models import Membership, Role
from lms.accounts.selectors import learner_tag
from tests.certification.factories import issue
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    text_block,
    true_false,
)
from tests.lms.accounts.factories import InstitutionFactory, UserFactory
from tests.query_counting import assert_max_data_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CoursePageFactory(title="Genere su Idea de Negocio")
    module = ModulePageFactory(parent=course, title="Tu idea")
    question = true_false("Separar el dinero del negocio ayuda a saber si ganas.", answer="true")
    lesson = LessonPageFactory(
        parent=module,
        title="Pon a prueba tu idea",
        completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        body=[text_block("Responde esta pregunta."), question],
    )
    other = LessonPageFactory(parent=module, title="Siguiente paso")
    return course, lesson, question["id"], other


def learner(course, **names):
    user = UserFactory(**names)
    enrollment_create(user=user, course=course)
    client = Client()
    client.force_login(user)
    return user, client


def reload(client, url):
    """Open the page three times and return the last answer: the first visit records itself (a write, so it is not
    kept), the second is rendered and kept, the third comes from the cache."""
    client.get(url)
    client.get(url)
    return client.get(url)


def test_a_reload_is_served_from_the_learners_cache_and_only_ever_to_them(course):
    course, lesson, _, _ = course
    maria, maria_client = learner(course, first_name="María José", last_name="Briceño", phone="+51987654321")
    jhonny, jhonny_client = learner(course, first_name="Jhonny", last_name="Cedeño", phone="+593987654321")
    # The page names its learner by the tag the phone's offline queue trusts (no personal data on the page).
    tags = {maria.pk: learner_tag(user=maria), jhonny.pk: learner_tag(user=jhonny)}
    for url in (lesson.url, "/aprender/mis-cursos/"):
        for user, client, other in ((maria, maria_client, jhonny), (jhonny, jhonny_client, maria)):
            client.get(url)
            client.get(url)
            with assert_max_data_queries(2):  # the session's user and nothing of the page
                page = client.get(url)
            assert page.status_code == 200 and page["X-Ruta-Cache"] == "hit"
            html = page.content.decode()
            assert f'data-learner="{tags[user.pk]}"' in html and tags[other.pk] not in html


def test_an_answer_shows_at_once_and_leaves_other_learners_pages_kept(course):
    course, lesson, question, _ = course
    maria, maria_client = learner(course, first_name="María José", phone="+51987654321")
    _jhonny, jhonny_client = learner(course, first_name="Jhonny", phone="+593987654321")
    before = reload(maria_client, lesson.url).content.decode()
    his = reload(jhonny_client, lesson.url).content
    answer = maria_client.post(
        f"/actividades/{lesson.pk}/{question}/enviar/",
        {"value": "true", "submission_id": str(uuid.uuid4())},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 200
    after = maria_client.get(lesson.url)
    assert "X-Ruta-Cache" not in after
    assert after.content.decode() != before
    progress = Enrollment.objects.get(user=maria).progress
    assert progress > 0 and f"{progress} %" in after.content.decode()
    again = jhonny_client.get(lesson.url)
    assert again["X-Ruta-Cache"] == "hit" and again.content == his  # her answer changed nothing of his


def test_a_certificate_issued_outside_any_request_shows_in_mis_cursos_at_once(course):
    course, _, _, _ = course
    maria, client = learner(course, first_name="María José", last_name="Núñez", phone="+593991234567")
    kept = reload(client, "/aprender/mis-cursos/")
    assert kept["X-Ruta-Cache"] == "hit" and "Aún no tienes certificados." in kept.content.decode()
    certificate = issue(user=maria)  # as the worker would: a write outside any request
    page = client.get("/aprender/mis-cursos/")
    assert "X-Ruta-Cache" not in page
    assert f"/certificados/v/{certificate.code}" in page.content.decode()


def test_a_trainers_write_drops_every_learners_pages(course):
    course, lesson, question, _ = course
    _maria, maria_client = learner(course, first_name="María José", phone="+51987654321")
    trainer, trainer_client = learner(course, first_name="Rosa Elvira", phone="+51911111111")
    Membership.objects.create(user=trainer, institution=InstitutionFactory(), role=Role.TRAINER)
    reload(trainer_client, lesson.url)
    assert reload(maria_client, lesson.url)["X-Ruta-Cache"] == "hit"
    # The same kind of request that leaves other learners' pages kept (an answer), made by someone who also holds
    # a trainer's role: what they write may show on anyone's page.
    answer = trainer_client.post(
        f"/actividades/{lesson.pk}/{question}/enviar/",
        {"value": "false", "submission_id": str(uuid.uuid4())},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 200
    assert "X-Ruta-Cache" not in maria_client.get(lesson.url)


@pytest.fixture
def maria_cached(course):
    """María José (Peru) with the lesson already kept for her: (course, lesson, other lesson, maria, her client)."""
    course, lesson, _, other = course
    maria, client = learner(course, first_name="María José", phone="+51987654321")
    assert reload(client, lesson.url)["X-Ruta-Cache"] == "hit"
    return course, lesson, other, maria, client


def test_a_published_edit_shows_at_once(maria_cached):
    _, lesson, _, _, client = maria_cached
    lesson.title = "Pon a prueba tu idea de negocio (edición 2026)"
    lesson.save_revision().publish()
    page = client.get(lesson.url)
    assert "X-Ruta-Cache" not in page and "edición 2026" in page.content.decode()


def test_continue_here_follows_the_learner_even_on_cached_pages(maria_cached):
    _, lesson, other, maria, client = maria_cached
    client.get(other.url)
    assert Enrollment.objects.get(user=maria).last_lesson_id == other.pk
    back = client.get(lesson.url)
    assert "X-Ruta-Cache" not in back  # moving to the other lesson dropped the kept page
    assert Enrollment.objects.get(user=maria).last_lesson_id == lesson.pk


def test_a_lesson_is_kept_no_longer_than_its_visit_needs_no_writing(maria_cached):
    _, lesson, _, maria, client = maria_cached
    visits = Enrollment.objects.filter(user=maria)
    visits.update(last_activity_at=timezone.now() - VISIT_REFRESH + datetime.timedelta(seconds=60))
    rendered = client.get(lesson.url)  # a minute before the visit must be written again
    assert "X-Ruta-Cache" not in rendered and 55 <= rendered._ruta_learner_cache <= 60
    assert client.get(lesson.url)["X-Ruta-Cache"] == "hit"
    visits.update(last_activity_at=timezone.now() - VISIT_REFRESH - datetime.timedelta(seconds=1))
    client.get(lesson.url)  # now the visit is written again
    assert visits.get().last_activity_at > timezone.now() - datetime.timedelta(seconds=30)
    lesson.refresh_from_db()
    assert lesson_visit_unrecorded_for(lesson=lesson, user=maria) == 0  # nothing known about this copy


def test_a_waiting_message_or_an_offline_download_bypasses_the_cache(maria_cached):
    _, lesson, _, _, client = maria_cached
    assert "X-Ruta-Cache" not in client.get(lesson.url, HTTP_X_RUTA_DOWNLOAD="1")
    assert "X-Ruta-Cache" not in client.get(lesson.url, HTTP_X_RUTA_OFFLINE="1")
    client.cookies["messages"] = "x"
    assert "X-Ruta-Cache" not in client.get(lesson.url)


def test_another_csrf_cookie_or_language_gets_its_own_page(maria_cached):
    _, lesson, _, _, client = maria_cached
    client.cookies["csrftoken"] = "c" * 32  # a form's token is masked from this cookie: never the kept page's
    assert "X-Ruta-Cache" not in client.get(lesson.url)
    client.cookies["django_language"] = "en"
    english = client.get(lesson.url)
    assert "X-Ruta-Cache" not in english and 'lang="en"' in english.content.decode()


def test_writes_outside_requests_are_noticed_on_every_connection(maria_cached):
    _, lesson, _, maria, client = maria_cached
    Enrollment.objects.filter(user=maria).update(progress=42)  # no model signal is sent for this
    page = client.get(lesson.url)
    assert "X-Ruta-Cache" not in page
