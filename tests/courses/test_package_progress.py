"""An imported SCORM package in a lesson body: its completion (reported through the CMI commit) completes the
lesson and the course, but its self-reported score never counts towards the course score."""

import uuid

import pytest

from content.packages.models import ContentPackage
from content.packages.services import scorm_commit
from courses.models import Enrollment, LessonPage, LessonProgress
from courses.services import enrollment_create
from tests.courses.factories import build_course, single_choice

pytestmark = pytest.mark.django_db


def package_block(package, *, tracked=True):
    return {
        "type": "package",
        "id": str(uuid.uuid4()),
        "value": {
            "package": str(package.uuid),
            "engine": "scorm12",
            "title": "Golf",
            "launch": "index.html",
            "parameters": "",
            "tracked": tracked,
            "mastery_score": 0.8,
        },
    }


@pytest.fixture
def scorm_course():
    course = build_course(lessons_per_module=1, pass_mark=70)
    lesson = LessonPage.objects.descendant_of(course).get()
    package = ContentPackage.objects.create(engine="scorm12", title="Golf", storage_prefix="packages/test")
    block = package_block(package)
    lesson.body = [block]
    lesson.completion_rule = LessonPage.CompletionRule.ACTIVITIES
    lesson.save_revision().publish()
    return course, LessonPage.objects.get(pk=lesson.pk), package, block


def test_scorm_completion_completes_the_lesson_and_the_course(user, scorm_course):
    course, lesson, package, block = scorm_course
    enrollment = enrollment_create(user=user, course=course)
    cmi = {"core": {"lesson_status": "incomplete", "score": {"raw": "", "max": "100"}}}
    scorm_commit(user=user, package=package, usage_id=block["id"], cmi=cmi, page_id=lesson.pk, mastery_score=0.8)
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()
    assert progress is None or progress.status != LessonProgress.Status.COMPLETED

    cmi = {"core": {"lesson_status": "passed", "score": {"raw": "90", "max": "100", "min": "0"}}}
    scorm_commit(user=user, package=package, usage_id=block["id"], cmi=cmi, page_id=lesson.pk, mastery_score=0.8)
    assert LessonProgress.objects.get(enrollment=enrollment, lesson=lesson).status == LessonProgress.Status.COMPLETED
    enrollment.refresh_from_db()
    assert enrollment.progress == 100
    assert enrollment.status == Enrollment.Status.COMPLETED


def test_a_package_score_never_stands_in_for_server_graded_evidence(user, scorm_course):
    course, lesson, package, block = scorm_course
    quiz = single_choice()
    lesson.body = [block, quiz]
    lesson.save_revision().publish()
    lesson = LessonPage.objects.get(pk=lesson.pk)
    enrollment = enrollment_create(user=user, course=course)
    cmi = {"core": {"lesson_status": "passed", "score": {"raw": "100", "max": "100", "min": "0"}}}
    scorm_commit(user=user, package=package, usage_id=block["id"], cmi=cmi, page_id=lesson.pk, mastery_score=0.8)
    enrollment.refresh_from_db()
    # The server-graded single choice is unanswered: a perfect package score does not complete the course.
    assert enrollment.status != Enrollment.Status.COMPLETED
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()
    assert progress is None or progress.status != LessonProgress.Status.COMPLETED
