"""Importing packages into draft courses: command, service, transaction, task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from content.packages.models import ContentPackage
from courses.imports.models import PackageImport
from courses.imports.services import imported_course_publish, package_import_create, package_import_run
from courses.imports.tasks import package_import_run_task
from courses.models import CoursePage, LessonPage, ModulePage, ProgrammePage
from lms.files import private_storage
from tests.corpus import CORPUS, corpus
from tests.courses.factories import CoursePageFactory, catalogue
from tests.fixtures import packages

pytestmark = pytest.mark.django_db


def media_files() -> set[str]:
    """Every stored file, public (media) or private (packages, lesson media, uploads)."""
    roots = [Path(settings.MEDIA_ROOT), Path(private_storage().location)]
    return {str(p) for root in roots if root.exists() for p in root.rglob("*") if p.is_file()}


def bodies(course):
    return [block for lesson in LessonPage.objects.descendant_of(course) for block in lesson.body.raw_data]


def test_command_imports_scorm_as_draft_course(capsys, tmp_path):
    catalogue()
    call_command("import_package", str(packages.scorm12_zip(tmp_path / "costos.zip")))
    out = capsys.readouterr().out
    assert "Importado como borrador" in out and "1 lecciones" in out
    record = PackageImport.objects.get()
    course = record.course_page.specific
    assert isinstance(course, CoursePage) and not course.live
    assert course.get_parent().slug == "cursos-importados" and not course.get_parent().live
    lesson = LessonPage.objects.descendant_of(course).get()
    assert not lesson.live and lesson.title == "Calcula tus costos"
    (block,) = lesson.body.raw_data
    package = ContentPackage.objects.get()
    assert package.engine == "scorm12" and package.file_count == 5
    assert private_storage().exists(package.storage_name("shared/launchpage.html"))
    assert str(package.uuid) in str(block["value"])
    assert record.provenance["source_format"] == "scorm12"


def test_h5p_multichoice_becomes_a_ruta_activity(tmp_path):
    catalogue()
    record = package_import_run(package_import=package_import_create(file=packages.h5p_multichoice(tmp_path / "m.h5p")))
    assert record.status == PackageImport.Status.DONE, record.error
    blocks = bodies(record.course_page)
    question = next(b for b in blocks if b["type"] == "single_choice")
    assert question["value"]["prompt"] == "¿Qué es un costo fijo?"
    assert [o["text"] for o in question["value"]["options"] if o["correct"]] == ["El alquiler del local"]
    assert any(b["type"] == "image" and b["value"]["image"] for b in blocks)  # the question's image
    assert not any(b["type"] == "text" and "<img" in b["value"] for b in blocks)  # the editor cannot open raw <img>
    assert ContentPackage.objects.count() == 0  # fully converted: no player files kept
    lesson = LessonPage.objects.descendant_of(record.course_page).get()
    assert lesson.activities and lesson.completion_rule == LessonPage.CompletionRule.ACTIVITIES


def test_olx_course_import(tmp_path):
    catalogue()
    archive = packages.olx_course_targz(tmp_path / "c.tar.gz")
    record = package_import_run(package_import=package_import_create(file=archive))
    assert record.status == PackageImport.Status.DONE, record.error
    course = record.course_page
    assert course.title == "Mejore su negocio (OLX)"
    assert list(ModulePage.objects.child_of(course).values_list("title", flat=True)) == ["Costos", "Ventas"]
    assert record.summary["lessons"] == LessonPage.objects.descendant_of(course).count() == 3
    assert record.summary["activities"] == 3
    # What only Open edX can run is listed, never executed: the author's Python and the discussion forum.
    assert record.summary["skipped"] == [
        "Practica: contiene código Python del autor, que Ruta nunca ejecuta",
        "Tu cliente: componente no compatible con Ruta",
    ]
    types = {b["type"] for b in bodies(course)}
    assert {"text", "video", "single_choice", "multiple_choice"} <= types
    assert not LessonPage.objects.descendant_of(course).live().exists()
    pictures = [b["value"] for b in bodies(course) if b["type"] == "image"]
    assert pictures  # the image referenced from the course HTML was kept, as an image block


@corpus
def test_open_edx_demo_course_import():
    catalogue()
    record = package_import_run(
        package_import=package_import_create(file=CORPUS / "olx/openedx-demo-course-lite.tar.gz")
    )
    assert record.status == PackageImport.Status.DONE, record.error
    course = record.course_page
    assert course.title == "Open edX Demo Course"
    assert ModulePage.objects.child_of(course).count() == 6
    assert record.summary["lessons"] == LessonPage.objects.descendant_of(course).count() >= 15
    assert record.summary["activities"] >= 15
    assert record.summary["skipped"]  # unsupported problems and components are listed
    types = {b["type"] for b in bodies(course)}
    assert {"text", "video", "single_choice", "multiple_choice", "fill_blanks"} <= types
    assert not LessonPage.objects.descendant_of(course).live().exists()
    pictures = [b["value"] for b in bodies(course) if b["type"] == "image"]
    assert pictures  # images referenced from the course HTML were kept, as image blocks


def test_refused_package_leaves_nothing(capsys, tmp_path):
    catalogue()
    pages_before = CoursePage.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("import_package", str(packages.tincan_zip(tmp_path / "xapi.zip")))
    assert "xAPI" in str(exc.value)
    assert CoursePage.objects.count() == pages_before
    assert PackageImport.objects.get().status == PackageImport.Status.REFUSED


def test_failed_import_is_rolled_back(monkeypatch, tmp_path):
    catalogue()
    import courses.imports.services as services

    real = services._add_draft
    calls = {"n": 0}

    def flaky(parent, page, user=None):
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disco lleno")
        return real(parent, page, user)

    monkeypatch.setattr(services, "_add_draft", flaky)
    record = package_import_create(file=packages.olx_course_targz(tmp_path / "c.tar.gz"))
    before = ProgrammePage.objects.count(), CoursePage.objects.count(), ModulePage.objects.count()
    files_before = media_files()
    record = package_import_run(package_import=record)
    assert record.status == PackageImport.Status.FAILED
    # the admin reads a sentence, never the exception's text (which may name server paths); the log has it
    assert "disco lleno" not in record.error and "no se pudieron guardar los archivos" in record.error
    assert (ProgrammePage.objects.count(), CoursePage.objects.count(), ModulePage.objects.count()) == before
    assert LessonPage.objects.count() == 0
    assert ContentPackage.objects.count() == 0
    leftovers = [p for p in media_files() - files_before if "/subidas/" not in p]
    assert leftovers == []


def test_import_into_existing_course_adds_modules(tmp_path):
    course = CoursePageFactory()
    record = package_import_create(file=packages.olx_library_targz(tmp_path / "banco.tar.gz"), target_page=course)
    record = package_import_run(package_import=record)
    assert record.status == PackageImport.Status.DONE, record.error
    assert record.course_page_id == course.pk
    module = ModulePage.objects.child_of(course).get()
    assert module.title == "Banco de preguntas de costos"
    assert record.summary["activities"] == 2


def test_task_runs_the_service(tmp_path):
    catalogue()
    record = package_import_create(file=packages.h5p_true_false(tmp_path / "vf.h5p"))
    status = package_import_run_task.delay(record.pk).get()
    assert status == PackageImport.Status.DONE
    record.refresh_from_db()
    assert record.progress == 100
    (block,) = [b for b in bodies(record.course_page) if b["type"] == "true_false"]
    assert block["value"]["correct_answer"] == "false"


def _assert_export_import_export_is_lossless(package, tmp_path):
    """Import ``package``, export the course as a Ruta package, import that "on another site", export again:
    nothing is lost and the two exports are byte-identical."""
    catalogue()
    first_import = package_import_run(package_import=package_import_create(file=package))
    course = first_import.course_page.specific
    out = tmp_path / "curso.zip"
    call_command("export_course", course.pk, str(out), "--adapted-by", "Municipalidad de Lima")
    first = out.read_bytes()
    CoursePage.objects.filter(pk=course.pk).update(code="ORIGINAL", slug="original")  # as on another site

    second_import = package_import_run(package_import=package_import_create(file=out))
    assert second_import.status == PackageImport.Status.DONE, second_import.error
    assert second_import.format == "ruta"
    assert second_import.provenance["adapted_by"] == "Municipalidad de Lima"
    assert second_import.provenance["source_format"] == "olx"
    assert second_import.summary["lessons"] == first_import.summary["lessons"]
    assert second_import.summary["activities"] == first_import.summary["activities"]
    assert first_import.summary["media"] > 0
    # the pictures come back as the same images (this site already has them: reused, not copied)
    pictures = [b["value"]["image"] for b in bodies(course) if b["type"] == "image"]
    again = [b["value"]["image"] for b in bodies(second_import.course_page) if b["type"] == "image"]
    assert pictures and again == pictures

    from courses.imports.services import course_export

    second, skipped = course_export(course=second_import.course_page.specific)
    assert skipped == []
    assert second == first


def test_course_export_import_export_is_lossless(tmp_path):
    _assert_export_import_export_is_lossless(packages.olx_course_targz(tmp_path / "c.tar.gz"), tmp_path)


@corpus
def test_open_edx_demo_course_export_import_export_is_lossless(tmp_path):
    _assert_export_import_export_is_lossless(CORPUS / "olx/openedx-demo-course-lite.tar.gz", tmp_path)


def test_adaptation_export_links_to_its_parent(tmp_path):
    catalogue()
    record = package_import_run(package_import=package_import_create(file=packages.scorm12_zip(tmp_path / "s.zip")))
    from content.packages.inspection import package_inspect
    from courses.imports.services import course_export

    data, skipped = course_export(
        course=record.course_page.specific, adapted_by="IAEN", change_note="Traducido al español", version="2"
    )
    assert skipped == []  # the SCORM files travel in the package
    out = tmp_path / "adaptacion.zip"
    out.write_bytes(data)
    provenance = package_inspect(out).outline.provenance
    assert provenance.adapted_by == "IAEN" and provenance.change_note == "Traducido al español"
    assert provenance.version == "2"
    assert provenance.parent_identifier == f"{packages.SCORM12_ID}@1"


def test_long_title_gives_a_course_code_cut_between_words(tmp_path):
    catalogue()
    content = {"question": "<p>¿El alquiler es fijo?</p>", "correct": "true"}
    title = "Administración financiera para emprendedoras y emprendedores migrantes"
    path = packages._h5p(tmp_path / "largo.h5p", title, "H5P.TrueFalse", content)
    first = package_import_run(package_import=package_import_create(file=path))
    second = package_import_run(package_import=package_import_create(file=path))
    codes = [first.course_page.specific.code, second.course_page.specific.code]
    assert codes == ["IMP-ADMINISTRACION-FINANCIERA-PARA", "IMP-ADMINISTRACION-FINANCIERA-PARA-2"]
    assert all(len(code) <= 40 for code in codes)


def test_a_long_mark_the_words_package_imports_as_a_lesson_that_plays_it(tmp_path):
    """Too many words to offer as options: the activity is not converted, and the import keeps it playable in the
    H5P player (a lesson with the player), never an empty course reported as imported."""
    catalogue()
    text = " ".join(f"palabra{n}" for n in range(30)) + " Ahorra tu *ganancia* y tu *ahorro* cada semana."
    library = {"title": "Mark the Words", "machineName": "H5P.MarkTheWords", "majorVersion": 1, "minorVersion": 0,
               "patchVersion": 3, "runnable": 1, "coreApi": {"majorVersion": 1, "minorVersion": 19},
               "preloadedJs": [{"path": "mark.js"}]}  # fmt: skip
    path = packages._h5p(
        tmp_path / "marca.h5p",
        "Marca las palabras",
        "H5P.MarkTheWords",
        {"taskDescription": "Marca lo que ahorras.", "textField": f"<p>{text}</p>"},
        {"H5P.MarkTheWords-1.0/library.json": json.dumps(library).encode(), "H5P.MarkTheWords-1.0/mark.js": b";"},
    )
    record = package_import_run(package_import=package_import_create(file=path))
    assert record.status == PackageImport.Status.DONE, record.error
    (lesson,) = LessonPage.objects.descendant_of(record.course_page)
    (block,) = lesson.body.raw_data
    assert block["type"] == "package" and block["value"]["engine"] == "h5p"
    assert ContentPackage.objects.get().engine == "h5p"  # the player's files are kept


def test_an_h5p_drag_the_words_imports_as_a_choice_among_its_words(client, tmp_path):
    """The words to drag (and the distractors) become a list per blank on the lesson, no text box to guess into."""
    import re

    from tests.lms.accounts.factories import UserFactory

    catalogue()
    path = packages._h5p(
        tmp_path / "arrastra.h5p",
        "Separa tu dinero",
        "H5P.DragText",
        {"taskDescription": "Arrastra las palabras.", "textField": "Separa el dinero del *negocio* y el de la *casa*.",
         "distractors": "*banco*"},
    )  # fmt: skip
    record = package_import_run(package_import=package_import_create(file=path))
    assert record.status == PackageImport.Status.DONE, record.error
    imported_course_publish(course=record.course_page.specific, user=None)
    lesson = LessonPage.objects.descendant_of(record.course_page).get()
    client.force_login(UserFactory(first_name="Dayana", phone="+593991234567"))
    html = client.get(lesson.url).content.decode()
    selects = re.findall(r'<select name="blank" id="[^"]+">(.*?)</select>', html, re.S)
    assert len(selects) == 2 and 'name="blank" type="text"' not in html
    assert re.findall(r"<option>([^<]+)</option>", selects[0]) == ["banco", "casa", "negocio"]


def test_a_file_that_is_also_a_folder_refuses_the_package_and_stores_nothing(tmp_path):
    catalogue()
    path = packages.scorm12_zip(tmp_path / "sco.zip")
    import zipfile

    with zipfile.ZipFile(path, "a") as zf:  # "zz" and "zz/x": no disk holds both, so storing failed halfway
        zf.writestr("zz", b"un archivo")
        zf.writestr("zz/x.txt", b"y otro dentro de una carpeta con su nombre")
    files_before = media_files()
    record = package_import_run(package_import=package_import_create(file=path))
    assert record.status == PackageImport.Status.REFUSED
    assert "«zz» es a la vez un archivo y la carpeta" in record.error
    assert ContentPackage.objects.count() == 0 and CoursePage.objects.count() == 0
    assert [p for p in media_files() - files_before if "/subidas/" not in p] == []


def test_a_store_failure_shows_no_server_path_and_leaves_no_file(tmp_path, monkeypatch):
    catalogue()
    record = package_import_create(file=packages.scorm12_zip(tmp_path / "sco.zip"))
    backend = type(private_storage()._wrapped)  # the storage class behind the lazy private storage
    real_save, location, calls = backend.save, str(private_storage().location), {"n": 0}

    def disk_full(self, name, content, max_length=None):
        calls["n"] += 1
        if calls["n"] == 3:  # two package files are already written
            raise OSError(f"{location}/{name}: No space left on device")
        return real_save(self, name, content, max_length=max_length)

    monkeypatch.setattr(backend, "save", disk_full)
    files_before = media_files()
    folders_before = set(Path(location, "paquetes").iterdir())
    record = package_import_run(package_import=record)
    assert record.status == PackageImport.Status.FAILED
    assert location not in record.error and "No space" not in record.error  # logged, never shown
    assert "no se pudieron guardar los archivos" in record.error
    assert ContentPackage.objects.count() == 0
    assert media_files() - files_before == set()
    assert set(Path(location, "paquetes").iterdir()) == folders_before  # no empty package folder either
