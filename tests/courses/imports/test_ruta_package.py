"""Ruta's own package, format 2: a course with every kind of block travels between two Ruta sites unchanged."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail_factories import DocumentFactory, ImageFactory

from certification.models import CertificateProgramme
from content.packages.inspection import package_inspect
from content.packages.models import ContentPackage
from courses.imports.models import PackageImport
from courses.imports.services import course_export, package_import_create, package_import_run
from courses.models import CoursePage, LessonPage, ModulePage
from lms.files import private_storage
from tests.certification.factories import ProgrammeFactory, SignatoryFactory
from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, catalogue
from tests.fixtures.packages import scorm12_zip
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def png(colour: str = "red", size: tuple[int, int] = (8, 6)) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def image(title: str, colour: str) -> object:
    img = ImageFactory(title=title, file__color=colour, file__filename=f"{colour}.png", file__format="PNG")
    img.focal_point_x, img.focal_point_y, img.focal_point_width, img.focal_point_height = 2, 3, 4, 2
    img.save()
    return img


def document(title: str, name: str, data: bytes) -> object:
    return DocumentFactory(title=title, file=ContentFile(data, name=name))


def options(*pairs: tuple[str, bool]) -> list[dict]:
    return [{"type": "item", "value": {"text": t, "correct": c, "feedback": f"Sobre {t}"}, "id": f"o{i}"}
            for i, (t, c) in enumerate(pairs)]  # fmt: skip


def scorm_package() -> ContentPackage:
    catalogue()
    with tempfile.TemporaryDirectory() as folder:
        record = package_import_run(package_import=package_import_create(file=scorm12_zip(Path(folder) / "sco.zip")))
    assert record.status == PackageImport.Status.DONE, record.error
    return record.package


def full_course(*, with_package: bool = True) -> CoursePage:
    """A course using every lesson-body block, media in the library, links between lessons and a programme."""
    poster, photo = image("Portada", "blue"), image("Puesto de comida", "green")
    manual = document("Manual del curso", "manual.pdf", b"%PDF-1.4 manual")
    captions = document("Subtítulos", "video.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHola")
    audio = document("Testimonio", "testimonio.mp3", b"ID3 fake audio")
    prerequisite = CoursePageFactory(code="IMESUN-GIN")
    course = CoursePageFactory(
        title="Mejore su negocio",
        code="IMESUN-MESUN",
        summary="Costos, precios y ventas.",
        objectives="<p>Calcular <b>costos</b>.</p>",
        estimated_hours=12,
        level="intermediate",
        delivery_mode="blended",
        pass_mark=75,
        open_enrollment=False,
        methodology="IMESUN",
        sub_module="MESUN",
    )
    course.prerequisites.set([prerequisite])
    course.save()
    first = ModulePageFactory(parent=course, title="Costos", intro="Lo que cuesta producir.")
    second = ModulePageFactory(parent=course, title="Ventas")
    later = LessonPageFactory(parent=second, title="Vender más", body=[])
    package = scorm_package() if with_package else None
    body = [
        {"type": "text", "id": "t1", "value": (
            f'<p>Lee el <a linktype="document" id="{manual.pk}">manual</a> y sigue con '
            f'<a linktype="page" id="{later.pk}">Vender más</a>; una web <a href="https://www.ilo.org/">OIT</a>.</p>'
        )},
        {"type": "image", "id": "i1", "value": {"image": photo.pk, "alt": "Un puesto", "caption": "En Lima"}},
        {"type": "video", "id": "v1", "value": {"title": "Costos", "file": None, "url": "https://example.org/v",
                                                "poster": poster.pk, "captions": captions.pk, "duration": "4:30",
                                                "transcript": "<p>Hola, hoy hablamos de costos.</p>"}},
        {"type": "audio", "id": "a1", "value": {"title": "Testimonio", "file": audio.pk, "url": "", "duration": "2:10",
                                                "transcript": "<p>Empecé vendiendo arepas.</p>"}},
        {"type": "document", "id": "d1", "value": {"document": manual.pk, "title": "Manual", "description": "PDF"}},
        {"type": "callout", "id": "c1", "value": {"kind": "warning", "title": "Ojo", "text": "<p>Anota todo.</p>"}},
        {"type": "single_choice", "id": "q1", "value": {"title": "", "prompt": "¿Qué es un costo fijo?",
                                                        "max_attempts": 2, "pass_mark": 60, "weight": "2",
                                                        "options": options(("El alquiler", True),
                                                                           ("La harina", False))}},
        {"type": "multiple_choice", "id": "q2", "value": {"title": "", "prompt": "Costos variables", "max_attempts": 0,
                                                          "pass_mark": 60, "weight": "1",
                                                          "options": options(("Harina", True), ("Gas", True),
                                                                             ("Alquiler", False))}},
        {"type": "true_false", "id": "q3", "value": {"title": "", "prompt": "El precio cubre los costos.",
                                                     "max_attempts": 0, "pass_mark": 60, "weight": "1",
                                                     "correct_answer": "true", "feedback_correct": "Sí",
                                                     "feedback_incorrect": "No"}},
        {"type": "fill_blanks", "id": "q4", "value": {"title": "", "prompt": "Completa", "max_attempts": 0,
                                                      "pass_mark": 60, "weight": "1",
                                                      "text": "Ganancia = ingresos − [[costos|gastos]]",
                                                      "feedback_correct": "", "feedback_incorrect": ""}},
        {"type": "matching", "id": "q5", "value": {"title": "Parejas", "prompt": "Une cada costo", "max_attempts": 0,
                                                   "pass_mark": 60, "weight": "1",
                                                   "pairs": [{"type": "item", "id": "p1", "value": {
                                                       "item": "Alquiler", "match": "Fijo"}},
                                                             {"type": "item", "id": "p2", "value": {
                                                       "item": "Harina", "match": "Variable"}}],
                                                   "feedback_correct": "Bien", "feedback_incorrect": "Revisa"}},
        {"type": "ordering", "id": "q6", "value": {"title": "", "prompt": "Ordena los pasos", "max_attempts": 0,
                                                   "pass_mark": 60, "weight": "1",
                                                   "items": [{"type": "item", "id": "s1", "value": "Comprar"},
                                                             {"type": "item", "id": "s2", "value": "Producir"},
                                                             {"type": "item", "id": "s3", "value": "Vender"}],
                                                   "feedback_correct": "", "feedback_incorrect": ""}},
        {"type": "free_text", "id": "q7", "value": {"title": "Tu plan", "prompt": "Describe tu negocio",
                                                    "max_attempts": 0, "pass_mark": 60, "weight": "3",
                                                    "max_length": 2000, "rubric": [{"type": "item", "id": "r1",
                                                    "value": {"criterion": "Claridad", "description": "",
                                                              "levels": [{"type": "item", "id": "l1", "value": {
                                                                  "label": "Bien", "points": 2}}]}}]}},
        {"type": "self_reflection", "id": "q8", "value": {"title": "", "prompt": "¿Qué aprendiste?",
                                                          "closing_message": "Gracias", "max_length": 1000}},
    ]  # fmt: skip
    if package is not None:
        body.append({"type": "package", "id": "k1", "value": {
            "package": str(package.uuid), "engine": "scorm12", "title": "Costos", "launch": "shared/launchpage.html",
            "parameters": "", "tracked": True, "mastery_score": 0.8}})  # fmt: skip
    LessonPageFactory(
        parent=first,
        title="Todo junto",
        body=body,
        completion_rule=LessonPage.CompletionRule.ACTIVITIES,
        estimated_minutes=25,
    )
    logo = image("Logo OIT", "white")
    programme = ProgrammeFactory(course=course, slug="mesun", name="MESUN", logo=logo, validity_months=24)
    SignatoryFactory(programme=programme, name="Lucía Fernández", title="Coordinadora")
    return course


def lesson(course: CoursePage, title: str = "Todo junto") -> LessonPage:
    return LessonPage.objects.descendant_of(course).get(title=title)


def import_bytes(tmp_path: Path, data: bytes, *, user=None, name: str = "curso.zip") -> PackageImport:
    path = tmp_path / name
    path.write_bytes(data)
    return package_import_run(package_import=package_import_create(file=path, user=user), user=user)


def manifest(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return json.loads(zf.read("ruta-package.json"))


def remove(course: CoursePage) -> None:
    """As if the package went to another site: the course's code and its programme's slug are free there."""
    CertificateProgramme.objects.filter(course_id=course.pk).delete()
    CoursePage.objects.filter(pk=course.pk).update(code=f"ORIGINAL-{course.pk}")


def test_export_import_export_is_byte_identical_with_every_block_type(tmp_path):
    course = full_course()
    first, problems = course_export(course=course)
    assert problems == []
    data = manifest(first)["ruta"]
    body = data["modules"][0]["lessons"][0]["body"]
    assert [b["type"] for b in body] == [
        "text", "image", "video", "audio", "document", "callout", "single_choice", "multiple_choice", "true_false",
        "fill_blanks", "matching", "ordering", "free_text", "self_reflection", "package",
    ]  # fmt: skip
    assert all("id" not in b for b in body)  # usage ids are this site's, never exported
    assert data["course"]["prerequisites"] == ["IMESUN-GIN"]
    assert [p["slug"] for p in data["extra"]["certificate_programmes"]] == ["mesun"]
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert "files/packages/p1/shared/launchpage.html" in names
    assert sum(n.startswith("files/images/") for n in names) == 3  # photo, poster, logo
    assert sum(n.startswith("files/documents/") for n in names) == 3  # manual, captions, audio

    original_body = list(lesson(course).body.raw_data)
    remove(course)  # as on another site: the code and the programme slug are free again
    record = import_bytes(tmp_path, first)
    assert record.status == PackageImport.Status.DONE, record.error
    imported = record.course_page.specific
    assert (imported.code, imported.title, imported.pass_mark, imported.level) == (
        "IMESUN-MESUN", "Mejore su negocio", 75, "intermediate"
    )  # fmt: skip
    assert record.summary["activities"] == 8 and record.summary["players"] == 1 and record.summary["lessons"] == 2
    second, problems = course_export(course=imported)
    assert problems == []
    assert second == first

    # What a learner sees is the same: every field of every block, with its media and answers.
    new_body = list(lesson(imported).body.raw_data)
    assert [b["type"] for b in new_body] == [b["type"] for b in original_body]
    assert new_body[6]["value"]["options"][0]["value"] == original_body[6]["value"]["options"][0]["value"]
    assert new_body[10]["value"]["pairs"][1]["value"] == {"item": "Harina", "match": "Variable"}
    assert [i["value"] for i in new_body[11]["value"]["items"]] == ["Comprar", "Producir", "Vender"]
    assert new_body[12]["value"]["rubric"][0]["value"]["levels"][0]["value"]["points"] == 2
    photo = get_image_model().objects.get(pk=new_body[1]["value"]["image"])
    assert photo.title == "Puesto de comida" and photo.focal_point_x == 2
    later = LessonPage.objects.descendant_of(imported).get(title="Vender más")
    assert f'linktype="page" id="{later.pk}"' in new_body[0]["value"]
    package = ContentPackage.objects.get(uuid=new_body[14]["value"]["package"])
    assert private_storage().exists(package.storage_name("shared/launchpage.html"))
    programme = CertificateProgramme.objects.get(course_id=imported.pk)
    assert not programme.is_active and programme.validity_months == 24 and programme.logo is not None
    assert list(programme.signatories.values_list("name", flat=True)) == ["Lucía Fernández"]


def test_lesson_renders_after_import(client, tmp_path):
    course = full_course(with_package=False)
    data, _problems = course_export(course=course)
    record = import_bytes(tmp_path, data)
    imported = lesson(record.course_page)
    for page in [*record.course_page.get_ancestors().filter(live=False), *record.course_page.get_descendants(True)]:
        page = page.specific
        (page.get_latest_revision() or page.save_revision()).publish()
    imported.refresh_from_db()
    user = UserFactory()
    client.force_login(user)
    response = client.get(imported.url)
    assert response.status_code == 200
    text = response.content.decode()
    for expected in ("Une cada costo", "Ordena los pasos", "Describe tu negocio", "Anota todo", "Manual", "En Lima"):
        assert expected in text


def test_import_on_the_same_site_gets_fresh_ids_and_a_free_code(tmp_path):
    course = full_course(with_package=False)
    data, _problems = course_export(course=course)
    record = import_bytes(tmp_path, data)
    assert record.status == PackageImport.Status.DONE, record.error
    copy = record.course_page.specific
    assert copy.code == "IMESUN-MESUN-2"
    assert any("IMESUN-MESUN-2" in line for line in record.summary["skipped"])
    old_ids = {a["id"] for a in lesson(course).activities}
    new_ids = {a["id"] for a in lesson(copy).activities}
    assert len(new_ids) == 8 and not old_ids & new_ids  # answers in one copy never count in the other
    assert CertificateProgramme.objects.get(course_id=copy.pk).slug == "mesun-2"
    # The library is not duplicated: identical files are reused.
    assert get_image_model().objects.count() == 3
    assert get_document_model().objects.count() == 3
    # Besides the lossless part, other readers get a format-neutral outline with every activity.
    report = package_inspect(tmp_path / "curso.zip")
    assert len(report.outline.activities()) == 8


def test_programme_needs_an_issuer_here(tmp_path):
    course = full_course(with_package=False)
    data, _problems = course_export(course=course)
    remove(course)
    CertificateProgramme.objects.all().delete()
    from lms.accounts.models import Institution

    Institution.objects.filter(slug="oit-test").delete()
    record = import_bytes(tmp_path, data)
    assert record.status == PackageImport.Status.DONE
    assert not CertificateProgramme.objects.exists()
    assert any("no creado" in line for line in record.summary["skipped"])

    user = UserFactory()
    MembershipFactory(user=user, institution=InstitutionFactory(name="Ministerio de Trabajo", slug="mtpe"))
    record = import_bytes(tmp_path, data, user=user, name="otra.zip")
    assert CertificateProgramme.objects.get(course_id=record.course_page_id).issuer.slug == "mtpe"


def test_adaptation_keeps_provenance_and_scorm_files(tmp_path):
    catalogue()
    record = package_import_run(package_import=package_import_create(file=scorm12_zip(tmp_path / "sco.zip")))
    data, problems = course_export(
        course=record.course_page.specific, adapted_by="IAEN", change_note="Traducido", version="2"
    )
    assert problems == []
    again = import_bytes(tmp_path, data)
    assert again.status == PackageImport.Status.DONE, again.error
    assert again.provenance["adapted_by"] == "IAEN" and again.provenance["source_format"] == "scorm12"
    (block,) = lesson(again.course_page, "Calcula tus costos").body.raw_data
    package = ContentPackage.objects.get(uuid=block["value"]["package"])
    assert package.engine == "scorm12" and package.file_count == record.package.file_count
    assert package.uuid != record.package.uuid


def test_command_writes_the_package(tmp_path, capsys):
    course = full_course(with_package=False)
    out = tmp_path / "c.zip"
    call_command("export_course", course.pk, str(out))
    assert manifest(out.read_bytes())["format_version"] == 2
    assert "Paquete Ruta escrito" in capsys.readouterr().out


# --- crafted packages ---------------------------------------------------------------------------------------


def rewrite(data: bytes, change) -> bytes:
    """Rebuild a package after ``change(manifest, files)`` edits it (checksums recomputed, as an attacker would)."""
    import hashlib

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {n[6:]: zf.read(n) for n in zf.namelist() if n.startswith("files/")}
        man = json.loads(zf.read("ruta-package.json"))
    change(man, files)
    man["files"] = [
        {"path": p, "size": len(b), "sha256": hashlib.sha256(b).hexdigest()} for p, b in sorted(files.items())
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ruta-package.json", json.dumps(man))
        for path, content in files.items():
            zf.writestr("files/" + path, content)
    return buf.getvalue()


def test_script_disguised_as_image_or_document_is_dropped(tmp_path):
    course = full_course(with_package=False)
    data, _problems = course_export(course=course)
    remove(course)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"/>'

    def poison(man, files):
        for meta in man["ruta"]["images"].values():
            files[meta["path"]] = svg  # a .png that is really an SVG with script
        key, meta = next(iter(man["ruta"]["documents"].items()))
        files.pop(meta["path"])
        meta["path"] = "documents/evil.html"
        files["documents/evil.html"] = b"<script>fetch('/cuenta/')</script>"

    record = import_bytes(tmp_path, rewrite(data, poison))
    assert record.status == PackageImport.Status.DONE, record.error
    assert get_image_model().objects.filter(title="Puesto de comida").count() == 1  # only the original
    assert not get_document_model().objects.filter(file__endswith=".html").exists()
    skipped = " ".join(record.summary["skipped"])
    assert "no es una imagen válida" in skipped and "evil.html" in skipped


def test_missing_package_files_leave_nothing_behind(tmp_path):
    course = full_course()
    data, _problems = course_export(course=course)
    remove(course)
    pages, packages = LessonPage.objects.count(), ContentPackage.objects.count()
    images = get_image_model().objects.count()

    def drop_scorm(man, files):
        for path in [p for p in files if p.startswith("packages/")]:
            files.pop(path)

    record = import_bytes(tmp_path, rewrite(data, drop_scorm))
    assert record.status == PackageImport.Status.FAILED
    assert "Faltan los archivos" in record.error
    assert (LessonPage.objects.count(), ContentPackage.objects.count()) == (pages, packages)
    assert get_image_model().objects.count() == images
    assert not CoursePage.objects.filter(code="IMESUN-MESUN").exists()


def test_paths_escaping_the_package_are_refused(tmp_path):
    course = full_course(with_package=False)
    data, _problems = course_export(course=course)

    def escape(man, files):
        meta = next(iter(man["ruta"]["images"].values()))
        files["../../etc/evil.png"] = files.pop(meta["path"])
        meta["path"] = "../../etc/evil.png"

    record = import_bytes(tmp_path, rewrite(data, escape))
    assert record.status in (PackageImport.Status.REFUSED, PackageImport.Status.FAILED)
    assert not ModulePage.objects.exclude(pk__in=ModulePage.objects.descendant_of(course)).exists()


def test_scripts_and_javascript_links_in_a_crafted_package_are_neutralised(tmp_path):
    course = full_course(with_package=False)
    data, _problems = course_export(course=course)
    remove(course)

    def inject(man, files):
        body = man["ruta"]["modules"][0]["lessons"][0]["body"]
        body[0]["value"] += (
            '<script>fetch("/cuenta/")</script><img src="x" onerror="alert(1)"><a href="javascript:alert(1)">x</a>'
        )
        body[2]["value"]["url"] = "javascript:alert(document.cookie)"  # the video's external link
        body[5]["value"]["text"] = '<p onmouseover="alert(1)">Ojo</p><iframe src="https://evil.example"></iframe>'
        body.append({"type": "text", "value": '<embed embedtype="media" url="https://evil.example/x"/><p>fin</p>'})
        body.append({"type": "nonexistent", "value": {}})

    record = import_bytes(tmp_path, rewrite(data, inject))
    assert record.status == PackageImport.Status.DONE, record.error
    stored = json.dumps(list(lesson(record.course_page).body.raw_data))
    for bad in ("<script", "onerror", "javascript:", "onmouseover", "<iframe", "evil.example"):
        assert bad not in stored, bad
    types = [b["type"] for b in lesson(record.course_page).body.raw_data]
    assert "video" not in types  # its only address was not a web address: the block fails validation
    assert any("no es válido" in line for line in record.summary["skipped"])
    assert any("nonexistent" in line for line in record.summary["skipped"])


def test_format_1_package_text_is_cleaned(tmp_path):
    from content.packages.outline import Lesson, Module, Outline, RichText
    from content.packages.ruta import ruta_package_bytes

    catalogue()
    text = RichText(html='<p>Hola</p><script>alert(1)</script><a href="javascript:x">y</a>')
    outline = Outline(
        title="Viejo", format="ruta", modules=[Module(title="M", lessons=[Lesson(title="L", blocks=[text])])]
    )
    data = manifest(ruta_package_bytes(outline, files={}))
    data["format_version"] = 1
    data.pop("ruta", None)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ruta-package.json", json.dumps(data))
    record = import_bytes(tmp_path, buf.getvalue())
    assert record.status == PackageImport.Status.DONE, record.error
    (block,) = lesson(record.course_page, "L").body.raw_data
    assert "<p>Hola</p>" in block["value"] and "script" not in block["value"] and "javascript" not in block["value"]


def media_root_files() -> set[Path]:
    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def package_with_new_image(*, with_missing_package: bool = False) -> bytes:
    """A Ruta package built by hand whose image this site has never seen (as on a second site)."""
    import hashlib

    picture = png("purple", (9, 7))
    text = '<p>Mire:</p><embed embedtype="image" id="image:k1" format="fullwidth" alt="Un puesto"/>'
    shown = {"type": "image", "value": {"image": "image:k1", "alt": "Puesto"}}
    lessons = [{"title": "Con imagen", "body": [{"type": "text", "value": text}, shown]}]
    if with_missing_package:  # its files are not in the package: the import fails after storing the image
        value = {"package": "package:p1", "engine": "scorm12", "title": "SCO", "launch": "index.html"}
        lessons.append({"title": "Con paquete", "body": [{"type": "package", "value": value}]})
    ruta = {
        "course": {"title": "Curso con imagen nueva", "code": "IMG-NUEVA"},
        "modules": [{"title": "Módulo", "lessons": lessons}],
        "images": {"k1": {"path": "images/k1.png", "title": "Imagen nunca vista"}},
        "documents": {},
        "packages": {"p1": {"engine": "scorm12", "title": "SCO", "path": "packages/p1/"}},
        "extra": {},
    }
    course = {"title": "Curso con imagen nueva", "modules": [{"title": "Módulo", "lessons": [
        {"title": "Con imagen", "blocks": [{"type": "rich_text", "html": "<p>Mire:</p>"}]}]}]}  # fmt: skip
    files = [{"path": "images/k1.png", "size": len(picture), "sha256": hashlib.sha256(picture).hexdigest()}]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        manifest = {"format": "ruta-package", "format_version": 2, "course": course, "ruta": ruta, "files": files}
        zf.writestr("ruta-package.json", json.dumps(manifest))
        zf.writestr("files/images/k1.png", picture)
    return buf.getvalue()


def test_an_image_new_to_the_site_is_imported_with_its_size(tmp_path):
    catalogue()
    assert not get_image_model().objects.exists()
    record = import_bytes(tmp_path, package_with_new_image())  # used to fail: width and height were never filled
    assert record.status == PackageImport.Status.DONE, record.error
    picture = get_image_model().objects.get(title="Imagen nunca vista")
    assert (picture.width, picture.height) == (9, 7) and picture.file_size and picture.file_hash
    body = lesson(record.course_page, "Con imagen").body.raw_data
    assert f'id="{picture.pk}"' in body[0]["value"] and body[1]["value"]["image"] == picture.pk


def test_a_failed_import_removes_the_library_files_it_wrote(tmp_path):
    catalogue()
    before = media_root_files()
    record = import_bytes(tmp_path, package_with_new_image(with_missing_package=True))
    assert record.status == PackageImport.Status.FAILED and "Faltan los archivos" in record.error
    assert not get_image_model().objects.exists()
    assert media_root_files() - before == set()  # the image file written to the public media folder is gone
