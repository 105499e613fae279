"""Publishing an imported course in the admin makes the whole course reachable: modules, lessons, its folder."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from courses.imports.models import PackageImport
from courses.imports.services import imported_course_publish, package_import_create, package_import_run
from courses.models import CoursePage, LessonPage, ModulePage
from tests.courses.factories import build_course, catalogue
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

MANIFEST = """<manifest identifier="emprende" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Finanzas para tu bodega</title>
    <item identifier="m1"><title>Módulo de caja</title>
      <item identifier="l1" identifierref="r1"><title>Lección: ingresos y gastos</title></item>
      <item identifier="l2" identifierref="r2"><title>Lección: ahorro</title></item></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="a.html"><file href="a.html"/></resource>
    <resource identifier="r2" type="webcontent" adlcp:scormtype="sco" href="b.html"><file href="b.html"/></resource>
  </resources></manifest>"""


def scorm_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("imsmanifest.xml", MANIFEST.encode())
        zf.writestr("a.html", "<!doctype html><title>a</title><p>Ingresos y gastos</p>")
        zf.writestr("b.html", "<!doctype html><title>b</title><p>Ahorro</p>")
    return buf.getvalue()


def imported_course(tmp_path) -> CoursePage:
    catalogue()
    path = tmp_path / "finanzas.zip"
    path.write_bytes(scorm_zip())
    record = package_import_run(package_import=package_import_create(file=path))
    assert record.status == PackageImport.Status.DONE, record.error
    return record.course_page.specific


def test_publishing_an_imported_course_publishes_its_modules_lessons_and_folder(tmp_path):
    course = imported_course(tmp_path)
    editor = UserFactory(is_staff=True, is_superuser=True)
    course.save_revision(user=editor).publish(user=editor)  # what the admin's "Publicar" does
    course.refresh_from_db()
    assert course.live
    assert course.get_parent().live  # the "Cursos importados" folder: the catalogue lists the course
    assert all(p.live for p in ModulePage.objects.descendant_of(course))
    lessons = LessonPage.objects.descendant_of(course)
    assert lessons.count() == 2 and all(lesson.live for lesson in lessons)


def test_a_page_unpublished_after_the_first_publication_stays_unpublished(tmp_path):
    course = imported_course(tmp_path)
    course.save_revision().publish()
    lesson = LessonPage.objects.descendant_of(course).first()
    lesson.unpublish()
    course.refresh_from_db()
    course.save_revision().publish()
    lesson.refresh_from_db()
    assert not lesson.live


def test_a_course_that_was_not_imported_publishes_page_by_page():
    course = build_course(title="Curso hecho a mano")
    module = ModulePage.objects.child_of(course).first()
    module.unpublish()
    assert imported_course_publish(course=course) == []
    course.save_revision().publish()
    module.refresh_from_db()
    assert not module.live


@pytest.mark.browser
def test_editor_publishes_an_imported_course_in_the_admin_and_finds_it_in_the_catalogue(
    tmp_path, client, phone_page, screenshot
):
    catalogue().save_revision().publish()
    UserFactory(username="editora", password="clave-segura-2026", is_staff=True, is_superuser=True)
    page = phone_page  # 360×740: the editor may well publish from a phone
    page.goto("/admin/login/")
    page.fill("input[name=username]", "editora")
    page.fill("input[name=password]", "clave-segura-2026")
    page.click("button[type=submit]")
    page.goto(reverse("imports_admin:list"))
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "finanzas.zip", "mimeType": "application/zip", "buffer": scorm_zip()}],
    )
    page.locator("form:has(input[type=file]) [type=submit]").first.click()
    page.get_by_role("button", name="Importar como borrador").click()
    page.get_by_role("link", name="Revisar y publicar el curso").click()
    if not page.get_by_role("button", name="Publicar").is_visible():
        page.locator("footer [data-w-dropdown-target='toggle']").last.click()  # the save button's menu
    page.get_by_role("button", name="Publicar").click()
    page.wait_for_load_state()
    screenshot(page, "imports-published")
    course = CoursePage.objects.get(title="Finanzas para tu bodega")
    assert course.live
    page.goto(course.get_parent().get_parent().url)
    page.get_by_role("link", name="Finanzas para tu bodega").first.click()
    page.get_by_role("link", name="Lección: ingresos y gastos").first.click()
    assert page.locator("h1").inner_text() == "Lección: ingresos y gastos"


def test_an_import_that_yields_no_lesson_fails_with_the_reason_and_leaves_nothing(tmp_path):
    from content.packages.outline import Lesson, Module, Outline, Unsupported
    from courses.imports.services import outline_to_pages

    outline = Outline(
        title="Vacío",
        format="h5p",
        modules=[
            Module(
                title="Único",
                lessons=[Lesson(title="Sin nada", blocks=[Unsupported(kind="H5P.X", reason="tipo raro")])],
            )
        ],
    )
    catalogue()
    from django.db import transaction

    from content.packages.errors import PackageRefused

    with pytest.raises(PackageRefused) as exc, transaction.atomic():
        outline_to_pages(outline=outline, parent=None)
    assert exc.value.code == "no_lessons"
    assert "ninguna lección" in str(exc.value) and "tipo raro" in str(exc.value)
    assert not CoursePage.objects.filter(title="Vacío").exists()
