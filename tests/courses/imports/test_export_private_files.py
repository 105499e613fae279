"""Audit E1: a course export never packs a file of Ruta's private storage other than lesson media, whatever a
link in a lesson's rich text says (``/paquetes/medios/../../certificados/pdf/<CODE>.pdf``); an imported package
cannot plant such a link; a refused upload is not kept."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import call_command

from content.packages.errors import PackageRefused
from content.packages.media import lesson_media_name
from courses.imports.models import PackageImport
from courses.imports.services import (
    course_export,
    package_import_create,
    package_import_run,
)
from courses.models import CoursePage, LessonPage
from lms.files import private_storage
from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory, catalogue
from tests.fixtures import packages

pytestmark = pytest.mark.django_db

CODE = "04BKMSS60K0MSSFH"
CERTIFICATE = f"certificados/pdf/{CODE}.pdf"
CERTIFICATE_PDF = b"%PDF-1.4\n% Certificado de Rosa Quispe Huam\xc3\xa1n (+51 987 654 321)\n%%EOF\n"
PHOTO = "competency/documents/2026/12/633d42ed4585492aa01d4cee5bdbb880.jpg"
PHOTO_JPG = b"\xff\xd8\xff\xe0 foto de Andr\xc3\xa9s Ch\xc3\xa1vez, Guayaquil (+593 99 123 4567)\xff\xd9"
LEGIT = "paquetes/medios/7/abc123-ficha-de-costos.pdf"
LEGIT_PDF = b"%PDF-1.4\n% Ficha de costos\n%%EOF\n"

ESCAPING = [
    f"/paquetes/medios/../../{CERTIFICATE}",
    f"/paquetes/medios/7/../../../{CERTIFICATE}",
    f"/paquetes/medios/%2e%2e/%2E%2E/{CERTIFICATE}",
    f"/paquetes/medios/..%2f..%2f{CERTIFICATE}",
    f"/paquetes/medios/..%5C..%5C{CERTIFICATE}",
    f"/paquetes/medios/..\\..\\{CERTIFICATE}",
    f"/paquetes/medios//{CERTIFICATE}",
    f"/paquetes/medios/../../{PHOTO}",
    f"/paquetes/medios/../../{PHOTO}?v=1#foto",
]


@pytest.fixture
def storages(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path / "media"
    private_storage().save(CERTIFICATE, ContentFile(CERTIFICATE_PDF))
    private_storage().save(PHOTO, ContentFile(PHOTO_JPG))
    private_storage().save(LEGIT, ContentFile(LEGIT_PDF))
    return private_root


def course_linking(urls: list[str]) -> CoursePage:
    catalogue()
    course = CoursePageFactory(title="Genere su Idea de Negocio", code="IMESUN-GIN-EXFIL")
    module = ModulePageFactory(parent=course, title="Tu idea de negocio")
    links = "".join(f'<a href="{u}">enlace {i}</a> ' for i, u in enumerate(urls))
    body = [
        {"type": "text", "id": "t1", "value": f"<p>Ver {links}</p>"},
        {"type": "text", "id": "t2", "value": f'<p>La <a href="/paquetes/medios/{LEGIT[16:]}">ficha</a></p>'},
    ]
    LessonPageFactory(parent=module, title="¿De dónde salen las buenas ideas?", body=body)
    return course


def zip_contents(data: bytes) -> tuple[dict[str, bytes], dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}, json.loads(zf.read("ruta-package.json"))


def lesson_html(man: dict) -> str:
    return json.dumps(man["ruta"]["modules"][0]["lessons"][0]["body"], ensure_ascii=False)


@pytest.mark.parametrize("url", ESCAPING)
def test_a_link_leaving_the_lesson_media_folder_names_no_stored_file(url):
    with pytest.raises(PackageRefused):
        lesson_media_name(url)


def test_lesson_media_links_still_name_their_file():
    assert lesson_media_name("/paquetes/medios/7/abc123-ficha.pdf?x=1") == "paquetes/medios/7/abc123-ficha.pdf"
    assert lesson_media_name("/paquetes/medios/7/ficha%20de%20costos.pdf") == "paquetes/medios/7/ficha de costos.pdf"
    assert lesson_media_name("https://ilo.org/x.pdf") is None


def test_export_never_packs_a_private_certificate_or_competency_photo(storages):
    course = course_linking(ESCAPING)
    data, problems = course_export(course=course)

    files, man = zip_contents(data)
    packed = set(files.values())
    assert CERTIFICATE_PDF not in packed and PHOTO_JPG not in packed  # compared byte for byte
    assert not any(CODE.encode() in content for content in packed)
    assert LEGIT_PDF in packed  # real lesson media still travels
    body = lesson_html(man)
    assert "certificados" not in body and "competency" not in body
    assert body.count('href=\\"#\\"') == len(ESCAPING)
    assert any("certificados/pdf" in p and "se desactivó" in p for p in problems)


def test_the_export_command_lists_the_link_it_left_out(storages, tmp_path, capsys):
    course = course_linking([f"/paquetes/medios/../../{CERTIFICATE}"])
    out = tmp_path / "curso.ruta.zip"
    call_command("export_course", course.pk, str(out))
    files, _man = zip_contents(out.read_bytes())
    assert CERTIFICATE_PDF not in files.values()
    printed = capsys.readouterr().out
    assert "no incluido" in printed and CERTIFICATE in printed


def test_a_public_media_link_escaping_media_root_does_not_break_or_leak_the_export(storages):
    course = course_linking([f"{django_settings.MEDIA_URL}../private/{CERTIFICATE}"])
    data, problems = course_export(course=course)  # used to raise SuspiciousFileOperation
    files, man = zip_contents(data)
    assert CERTIFICATE_PDF not in files.values()
    assert "certificados" not in lesson_html(man) and problems


def test_only_public_renditions_travel_from_media_links(storages):
    from django.core.files.storage import default_storage

    internal = b"%PDF-1.4\n% Manual interno de la Direcci\xc3\xb3n\n%%EOF\n"
    rendition = b"GIF89a rendicion publica"
    default_storage.save("documents/manual-interno.pdf", ContentFile(internal))
    default_storage.save("images/puesto.max-800x600.gif", ContentFile(rendition))
    media = django_settings.MEDIA_URL
    course = course_linking([f"{media}documents/manual-interno.pdf", f"{media}images/puesto.max-800x600.gif"])
    files, man = zip_contents(course_export(course=course)[0])
    assert internal not in files.values()  # an admin document is only served behind /documents/, never packed
    assert rendition in files.values()
    assert "documents/manual-interno.pdf" in lesson_html(man)  # left as it was


def auditor_package(tmp_path: Path) -> bytes:
    """The shape of the auditor's ruta_exfil.zip: a format-2 Ruta package whose lesson text links, through
    ``/paquetes/medios/../../``, to a certificate PDF and a learner's competency photo."""
    course = course_linking([])
    data, _problems = course_export(course=course)
    CoursePage.objects.filter(pk=course.pk).update(code="ORIGINAL-GIN")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    man = json.loads(entries["ruta-package.json"])
    man["ruta"]["modules"][0]["lessons"][0]["body"][0]["value"] = (
        f'<p>Ver <a href="/paquetes/medios/../../{CERTIFICATE}">certificado</a> y '
        f'<a href="/paquetes/medios/%2e%2e/%2e%2e/{PHOTO}">foto</a></p>'
    )
    entries["ruta-package.json"] = json.dumps(man).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_an_imported_package_cannot_plant_a_link_to_a_private_file(storages, tmp_path):
    path = tmp_path / "ruta_exfil.zip"
    path.write_bytes(auditor_package(tmp_path))
    record = package_import_run(package_import=package_import_create(file=path))
    assert record.status == PackageImport.Status.DONE, record.error

    lesson = LessonPage.objects.descendant_of(record.course_page).get(title="¿De dónde salen las buenas ideas?")
    stored = json.dumps(list(lesson.body.raw_data), ensure_ascii=False)
    assert "certificados" not in stored and "competency" not in stored and "%2e%2e" not in stored
    assert 'href=\\"#\\"' in stored
    assert any("certificados/pdf" in line for line in record.summary["skipped"])

    # Exporting the imported course again packs neither file.
    data, _problems = course_export(course=CoursePage.objects.get(pk=record.course_page.pk))
    files, _man = zip_contents(data)
    assert CERTIFICATE_PDF not in files.values() and PHOTO_JPG not in files.values()


# --- refused uploads ------------------------------------------------------------------------------------------


def uploads() -> list[Path]:
    root = Path(private_storage().path("paquetes/subidas"))
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def slip_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("imsmanifest.xml", "<manifest/>")
        zf.writestr("../../../etc/cron.d/ruta", "* * * * * root sh")
    return path


def bomb_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("h5p.json", json.dumps({"title": "Bomba", "mainLibrary": "H5P.QuestionSet"}))
        zf.writestr("content/relleno.txt", b"\0" * (20 * 1024 * 1024))
    return path


@pytest.mark.parametrize("make", [slip_zip, bomb_zip])
def test_a_refused_upload_leaves_no_file_in_storage(private_root, tmp_path, make):
    record = package_import_create(file=make(tmp_path / "paquete.zip"), original_name="Módulo de Ñuñoa.zip")
    assert record.status == PackageImport.Status.REFUSED and record.error
    assert uploads() == []
    record.refresh_from_db()
    assert not record.upload
    assert package_import_run(package_import=record).status == PackageImport.Status.REFUSED  # still refused
    assert uploads() == []


def test_uploads_refused_before_the_fix_are_deleted_but_a_failed_import_keeps_its_file(private_root, tmp_path):
    from courses.imports.services import package_import_refused_uploads_delete

    refused = PackageImport.objects.create(original_name="bomba.zip", status=PackageImport.Status.REFUSED)
    refused.upload.save("viejo.zip", ContentFile(b"PK bomba"), save=True)
    failed = PackageImport.objects.create(original_name="curso.zip", status=PackageImport.Status.FAILED)
    failed.upload.save("reintentar.zip", ContentFile(b"PK curso"), save=True)
    refused_name, failed_name = refused.upload.name, failed.upload.name

    assert package_import_refused_uploads_delete() == 1
    assert not private_storage().exists(refused_name)
    assert private_storage().exists(failed_name)  # a failed import can be started again
    refused.refresh_from_db()
    assert not refused.upload
    assert package_import_refused_uploads_delete() == 0


def test_the_cleanup_runs_every_day():
    schedule = {entry["task"]: entry["schedule"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["courses.imports.tasks.package_import_refused_uploads_delete_task"] == 24 * 60 * 60


def test_a_package_refused_when_it_runs_loses_its_upload(private_root, tmp_path, monkeypatch):
    import courses.imports.services as services
    from content.packages.inspection import package_inspect

    catalogue()
    # An upload inspected fine, then refused by the doctor when the import starts (e.g. stricter limits now).
    record = package_import_create(file=packages.h5p_true_false(tmp_path / "costos.h5p"))
    assert record.status == PackageImport.Status.INSPECTED and len(uploads()) == 1
    monkeypatch.setattr(services, "package_inspect", lambda path: package_inspect(slip_zip(tmp_path / "s.zip")))
    record = package_import_run(package_import=record)
    assert record.status == PackageImport.Status.REFUSED
    assert uploads() == []
