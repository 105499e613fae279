"""Course and lesson pages run a fixed number of queries, whatever the number of lessons or activities."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import LessonPage
from courses.services import enrollment_create, progress_record
from tests.courses.factories import LessonPageFactory, build_course, fill_blanks, single_choice, text_block, true_false
from tests.query_counting import assert_max_data_queries, data_queries

pytestmark = pytest.mark.django_db

# The same ceiling for a small and a large course: growth with size would break it.
COURSE_PAGE_MAX = 9
LESSON_PAGE_MAX = 8  # issue #12: constant and at most 10 whatever the number of activities
DASHBOARD_MAX = 8


def make_course(*, modules, lessons, activities):
    course = build_course(modules=modules, lessons_per_module=lessons)
    lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    body = [text_block("Introducción.")]
    for n in range(activities):
        body.append([single_choice, true_false, fill_blanks][n % 3]())
    lesson.body = body
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    return course, LessonPage.objects.get(pk=lesson.pk)


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(data_queries(queries))


@pytest.fixture
def learner(client, user):
    client.force_login(user)
    return user


@pytest.mark.parametrize(("modules", "lessons", "activities"), [(1, 2, 1), (4, 6, 12)])
def test_course_page_queries_are_bounded(client, learner, django_assert_max_num_queries, modules, lessons, activities):
    course, lesson = make_course(modules=modules, lessons=lessons, activities=activities)
    enrollment_create(user=learner, course=course)
    progress_record(user=learner, lesson_id=lesson.pk, viewed=True)
    client.get(course.url)  # warm the site/locale caches
    with assert_max_data_queries(COURSE_PAGE_MAX):
        assert client.get(course.url).status_code == 200


@pytest.mark.parametrize(("modules", "lessons", "activities"), [(1, 2, 1), (4, 6, 12)])
def test_lesson_page_queries_are_bounded(client, learner, django_assert_max_num_queries, modules, lessons, activities):
    course, lesson = make_course(modules=modules, lessons=lessons, activities=activities)
    enrollment_create(user=learner, course=course)
    client.get(lesson.url)
    with assert_max_data_queries(LESSON_PAGE_MAX):
        assert client.get(lesson.url).status_code == 200


def test_query_counts_do_not_grow_with_course_size(client, learner):
    small, small_lesson = make_course(modules=1, lessons=2, activities=1)
    large, large_lesson = make_course(modules=5, lessons=6, activities=15)
    for course in (small, large):
        enrollment_create(user=learner, course=course)
    for url in (small.url, large.url, small_lesson.url, large_lesson.url):
        client.get(url)
    assert count(client, small.url) == count(client, large.url)
    assert count(client, small_lesson.url) == count(client, large_lesson.url)


def test_dashboard_queries_do_not_grow_with_enrolments(client, learner, django_assert_max_num_queries):
    for n in range(6):
        course = build_course(modules=2, lessons_per_module=3, code=f"Q{n}")
        enrollment_create(user=learner, course=course)
    client.get(reverse("courses:dashboard"))
    with assert_max_data_queries(DASHBOARD_MAX):
        assert client.get(reverse("courses:dashboard")).status_code == 200


def test_an_extra_lesson_page_factory_works_with_activities():
    lesson = LessonPageFactory(body=[single_choice()])
    assert LessonPage.objects.get(pk=lesson.pk).activities[0]["type"] == "single_choice"


def test_a_wagtail_view_restriction_added_later_still_applies(client):
    """Pages skip reading view restrictions while none exists; adding one must take effect at once."""
    from wagtail.models import PageViewRestriction

    course, lesson = make_course(modules=1, lessons=2, activities=1)
    assert client.get(lesson.url).status_code == 200
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(lesson.url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(course.url).status_code == 302


def test_a_reload_writes_nothing_but_moving_between_lessons_is_remembered(client, learner):
    from courses.models import Enrollment

    course, lesson = make_course(modules=1, lessons=2, activities=1)
    other = LessonPage.objects.descendant_of(course).exclude(pk=lesson.pk).get()
    enrollment_create(user=learner, course=course)
    client.get(lesson.url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(lesson.url).status_code == 200
    assert not [sql for sql in data_queries(queries) if sql.startswith(("UPDATE", "INSERT"))]
    for page, expected in ((other, other), (lesson, lesson), (other, other)):
        client.get(page.url)
        assert Enrollment.objects.get(user=learner, course=course).last_lesson_id == expected.pk


SUBMISSION_MAX = 10  # an answer: graded, stored, progress and completion recomputed, the activity and marks shown


def submit(client, lesson, *, status=200):
    """Answer the lesson's first true/false activity as activities.js does (JSON), with a fresh submission id."""
    import uuid

    usage_id = next(block.id for block in lesson.body if block.block_type == "true_false")
    url = reverse("content:activity_submit", kwargs={"page_id": lesson.pk, "usage_id": usage_id})
    response = client.post(
        url, {"value": "true", "submission_id": str(uuid.uuid4()), "next": lesson.url}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == status, response.content
    return response


@pytest.mark.parametrize(("modules", "lessons", "activities"), [(1, 2, 3), (4, 6, 12)])
def test_an_answer_runs_bounded_queries_and_shows_its_progress(client, learner, modules, lessons, activities):
    course, lesson = make_course(modules=modules, lessons=lessons, activities=activities)
    enrollment_create(user=learner, course=course)
    client.get(lesson.url)
    submit(client, lesson)  # the first answer also creates the learner's state rows
    with assert_max_data_queries(SUBMISSION_MAX):
        data = submit(client, lesson).json()
    # The learner sees the activity's result and the page's progress marks from the same answer.
    assert data["ok"] and "activity-true_false" in data["html"]
    assert set(data["progress"]) == {"status", "rule", "course", "outline"}


def test_an_answers_query_count_does_not_grow_with_course_size(client, learner):
    small, small_lesson = make_course(modules=1, lessons=2, activities=3)
    large, large_lesson = make_course(modules=5, lessons=6, activities=15)
    counts = []
    for course, lesson in ((small, small_lesson), (large, large_lesson)):
        enrollment_create(user=learner, course=course)
        client.get(lesson.url)
        submit(client, lesson)
        with CaptureQueriesContext(connection) as queries:
            submit(client, lesson)
        counts.append(len(data_queries(queries)))
    assert counts[0] == counts[1]
