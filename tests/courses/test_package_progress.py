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


def test_completing_a_graded_sco_without_its_score_does_not_complete_the_course(user, scorm_course):
    """Golf 2004 says "completed" when the last page is reached; its pass mark (0.8) needs the test's score."""
    course, lesson, package, block = scorm_course
    enrollment = enrollment_create(user=user, course=course)
    cmi = {"completion_status": "completed", "success_status": "unknown", "location": "14"}
    scorm_commit(user=user, package=package, usage_id=block["id"], cmi=cmi, page_id=lesson.pk, mastery_score=0.8)
    enrollment.refresh_from_db()
    assert enrollment.status != Enrollment.Status.COMPLETED
    progress = LessonProgress.objects.filter(enrollment=enrollment, lesson=lesson).first()
    assert progress is None or progress.status != LessonProgress.Status.COMPLETED

    cmi = {**cmi, "score": {"scaled": "0.93", "raw": "93", "min": "0", "max": "100"}}
    scorm_commit(user=user, package=package, usage_id=block["id"], cmi=cmi, page_id=lesson.pk, mastery_score=0.8)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED


def test_opening_a_package_outside_its_lesson_needs_a_lesson_the_person_may_read(client, scorm_course):
    from django.urls import reverse
    from wagtail.models import PageViewRestriction

    from lms.accounts.models import Role
    from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

    course, lesson, package, block = scorm_course
    url = reverse("packages:package_open", args=[package.uuid])
    stranger = UserFactory(first_name="José", phone="+593987654321")
    client.force_login(stranger)
    assert client.get(url).status_code == 302  # a published lesson is readable without enrolment

    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(url).status_code == 404  # restricted course: learners and staff only
    orphan = ContentPackage.objects.create(engine="scorm12", title="Suelto", storage_prefix="packages/suelto/")
    assert client.get(reverse("packages:package_open", args=[orphan.uuid])).status_code == 404  # in no lesson at all

    learner = UserFactory(first_name="Ñusta", phone="+51987654321")
    enrollment_create(user=learner, course=course)
    client.force_login(learner)
    response = client.get(url)
    assert response.status_code == 302 and f"/{learner.pk}:" in response["Location"]  # a link bound to them

    institution = InstitutionFactory()
    course.institution = institution
    course.save_revision().publish()
    staff = MembershipFactory(institution=institution, role=Role.TRAINER).user
    client.force_login(staff)
    assert client.get(url).status_code == 302
