"""Imported lessons open in the Wagtail page editor: the pictures a package puts in its text (H5P question media,
an Open edX course's images) become image blocks (responsive WebP), so the editor does not break, and learners
still see each picture with its alternative text."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from wagtail.images import get_image_model

from courses.imports.models import PackageImport
from courses.imports.services import package_import_create, package_import_run
from courses.models import Enrollment, LessonPage
from courses.services import enrollment_create
from tests.corpus import CORPUS, corpus
from tests.courses.factories import catalogue
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.django_db, corpus]


def _images(lesson: LessonPage) -> list[dict]:
    return [block["value"] for block in lesson.body.raw_data if block["type"] == "image"]


@pytest.mark.parametrize("name", ["h5p/H5P.MultiChoice.h5p", "olx/openedx-demo-course-lite.tar.gz"])
def test_an_imported_lesson_with_pictures_opens_in_the_editor_and_shows_them(client, name):
    catalogue().save_revision().publish()
    record = package_import_run(package_import=package_import_create(file=CORPUS / name))
    assert record.status == PackageImport.Status.DONE, record.error
    lessons = list(LessonPage.objects.descendant_of(record.course_page))
    assert not any("<img" in str(lesson.body.raw_data) for lesson in lessons)  # the editor cannot open raw <img>
    with_pictures = [lesson for lesson in lessons if _images(lesson)]
    assert with_pictures, "the package's text has pictures"
    admin = UserFactory(is_superuser=True, is_staff=True, first_name="Ñusta", last_name="Quispe")
    client.force_login(admin)
    for lesson in with_pictures[:5]:
        response = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))
        assert response.status_code == 200, lesson.title

    course = record.course_page.specific
    course.save_revision(user=admin).publish(user=admin)
    lesson = with_pictures[0]
    lesson.refresh_from_db()
    picture = next(value for value in _images(lesson) if value["alt"])
    image = get_image_model().objects.get(pk=picture["image"])
    assert image.width > 0 and image.collection.name == "Paquetes importados"
    response = client.get(lesson.url)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'alt="{html.escape(picture["alt"])}"' in page and "<img" in page and ".webp" in page

    # A learner's offline download still counts the pictures (now their light WebP renditions).
    learner = UserFactory(first_name="Rosa Elena", last_name="Quispe Mamani", phone="+51987654321", email="")
    enrollment_create(user=learner, course=course, source=Enrollment.Source.STAFF, check_prerequisites=False)
    client.force_login(learner)
    bundle = client.get(reverse("courses:offline_bundle", args=[course.pk])).json()
    pictures = [item for item in bundle["items"] if item["kind"] == "image"]
    assert pictures and all(item["size"] > 0 and item["url"].endswith(".webp") for item in pictures)
