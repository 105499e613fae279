"""Wagtail admin flow: upload → report → confirm → progress → result; and who may use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.imports.models import PackageImport
from tests.courses.factories import catalogue
from tests.fixtures import packages
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def upload(client, path: Path):
    data = path.read_bytes()
    return client.post(reverse("imports_admin:list"), {"file": SimpleUploadedFile(path.name, data)}, follow=True)


def test_upload_report_confirm_result(admin_client, django_capture_on_commit_callbacks, tmp_path):
    catalogue()
    response = upload(admin_client, packages.h5p_true_false(tmp_path / "costos.h5p"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Costos fijos" in page and "Importar como borrador" in page
    assert "<li>1 actividad</li>" in page and "<li>1 lección</li>" in page and "<li>1 módulo</li>" in page
    assert "1 actividades" not in page and "1 lecciones" not in page and "1 módulos" not in page
    record = PackageImport.objects.get()
    assert record.status == PackageImport.Status.INSPECTED
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("imports_admin:confirm", args=[record.pk]), follow=True)
    assert "Importación en marcha" in response.content.decode()  # queued when the page was drawn
    record.refresh_from_db()
    assert record.status == PackageImport.Status.DONE and record.progress == 100
    page = admin_client.get(reverse("imports_admin:detail", args=[record.pk])).content.decode()
    # Finished before the page was drawn: "Importado" alone, no stale "running" note beside it (issue #13).
    assert "Importado" in page and "Importación en marcha" not in page and 'http-equiv="refresh"' not in page
    assert "<li>1 lección</li>" in page and "1 lecciones" not in page
    assert "Revisar y publicar el curso" in page
    status = admin_client.get(reverse("imports_admin:status", args=[record.pk])).json()
    assert status == {"status": "done", "progress": 100, "finished": True, "stalled": False}


def test_refused_upload_shows_the_reason(admin_client, tmp_path):
    response = upload(admin_client, packages.scorm_without_manifest_zip(tmp_path / "badscorm.zip"))
    page = response.content.decode()
    assert "Por qué no se puede importar" in page and "badscorm" in page
    assert "Importar como borrador" not in page


def test_learner_cannot_use_the_import_pages(client):
    client.force_login(UserFactory())
    response = client.get(reverse("imports_admin:list"))
    assert response.status_code in (302, 403)


def test_course_export_from_the_admin(admin_client, tmp_path):
    import io
    import zipfile

    from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory

    course = CoursePageFactory(code="SST-1", title="Seguridad en el trabajo")
    LessonPageFactory(parent=ModulePageFactory(parent=course), title="Riesgos")
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    url = reverse("imports_admin:export", args=[course.pk])
    assert url in edit  # "Exportar como paquete Ruta" in the course's menu
    assert "No lleva datos de participantes" in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"adapted_by": "SENATI", "version": "2", "change_note": ""})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sst-1-2.ruta.zip"'
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert "ruta-package.json" in zf.namelist()
    (tmp_path / "sst.zip").write_bytes(data)
    from courses.imports.services import package_import_create, package_import_run

    record = package_import_run(package_import=package_import_create(file=tmp_path / "sst.zip"))
    assert record.status == PackageImport.Status.DONE and record.provenance["adapted_by"] == "SENATI"


def test_export_and_import_target_need_page_permissions(client, tmp_path):
    from django.contrib.auth.models import Permission

    from tests.courses.factories import CoursePageFactory

    course = CoursePageFactory()
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="add_packageimport")
    )
    client.force_login(user)
    refused = client.post(reverse("imports_admin:export", args=[course.pk]), {})
    assert refused.status_code in (302, 403) and "Content-Disposition" not in refused  # Wagtail: back to /admin/
    data = packages.h5p_true_false(tmp_path / "tf.h5p").read_bytes()
    response = client.post(
        reverse("imports_admin:list"), {"file": SimpleUploadedFile("tf.h5p", data), "into": course.pk}
    )
    assert "No tiene permiso para añadir páginas" in response.content.decode()
    assert not PackageImport.objects.exists()


def test_running_import_says_so_and_refreshes_until_done(admin_client, tmp_path):
    catalogue()
    upload(admin_client, packages.h5p_true_false(tmp_path / "costos.h5p"))
    record = PackageImport.objects.get()
    url = reverse("imports_admin:detail", args=[record.pk])
    PackageImport.objects.filter(pk=record.pk).update(status=PackageImport.Status.RUNNING, progress=40)
    page = admin_client.get(url).content.decode()
    assert "Importación en marcha" in page and 'http-equiv="refresh"' in page
    PackageImport.objects.filter(pk=record.pk).update(status=PackageImport.Status.DONE, progress=100)
    page = admin_client.get(url).content.decode()
    assert "Importado" in page and "Importación en marcha" not in page and 'http-equiv="refresh"' not in page


def uploads() -> list[Path]:
    from lms.files import private_storage

    root = Path(private_storage().path("paquetes/subidas"))
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_malformed_package_is_refused_with_a_reason_never_a_server_error(admin_client, tmp_path):
    import json
    import zipfile

    path = tmp_path / "roto.h5p"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("h5p.json", json.dumps({"title": "Roto", "mainLibrary": "H5P.QuestionSet"}))
        zf.writestr("content/content.json", json.dumps({"questions": ["no es un objeto"]}))
    response = upload(admin_client, path)  # used to answer 500
    assert response.status_code == 200
    record = PackageImport.objects.get()
    assert record.status in (PackageImport.Status.INSPECTED, PackageImport.Status.REFUSED)


def test_an_upload_whose_inspection_breaks_shows_a_spanish_error_and_is_removed(admin_client, tmp_path, monkeypatch):
    import courses.imports.services as services

    def broken(path):
        raise RuntimeError("/srv/ruta/private/paquetes/subidas/x.zip: something nobody expected")

    monkeypatch.setattr(services, "package_inspect", broken)
    before = uploads()
    response = upload(admin_client, packages.h5p_true_false(tmp_path / "costos.h5p"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No se pudo revisar el paquete" in page and "/srv/ruta" not in page
    assert not PackageImport.objects.exists()
    assert uploads() == before  # the uploaded file did not stay behind


def _import(client, path: Path, capture, into=None, **confirm):
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    if into is not None:
        data["into"] = into.pk
    client.post(reverse("imports_admin:list"), data)
    record = PackageImport.objects.order_by("-pk").first()
    with capture(execute=True):
        response = client.post(reverse("imports_admin:confirm", args=[record.pk]), confirm, follow=True)
    record.refresh_from_db()
    return record, response.content.decode()


def test_importing_a_package_again_into_the_course_it_made_asks_first(
    admin_client, django_capture_on_commit_callbacks, tmp_path
):
    """A second copy of a package's lessons in the course that has it (learners' progress stays on the first) is
    made only when the admin says so; a new course from the same file is only pointed out."""
    from courses.models import CoursePage, LessonPage

    catalogue()
    package = packages.h5p_true_false(tmp_path / "costos.h5p")
    first, _page = _import(admin_client, package, django_capture_on_commit_callbacks)
    assert first.status == PackageImport.Status.DONE
    course = CoursePage.objects.get(pk=first.course_page_id)
    lessons = LessonPage.objects.descendant_of(course).count()

    # The same file, aimed at the course it made: the page warns and the import waits for a yes.
    second, page = _import(admin_client, package, django_capture_on_commit_callbacks, into=course)
    assert second.status == PackageImport.Status.INSPECTED
    assert f"«{course.title}» ya tiene este paquete" in page
    assert "Sí, añadir una segunda copia" in page and "segunda copia de sus módulos y lecciones" in page
    assert LessonPage.objects.descendant_of(course).count() == lessons

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("imports_admin:confirm", args=[second.pk]), {"second_copy": "1"})
    second.refresh_from_db()
    assert second.status == PackageImport.Status.DONE
    assert LessonPage.objects.descendant_of(course).count() == 2 * lessons

    # Without a target it makes another draft course: the page says the file came before, and it goes ahead.
    third_page = upload(admin_client, package).content.decode()
    assert "Este paquete ya se importó" in third_page and "El mismo archivo" in third_page
    assert "Sí, añadir una segunda copia" not in third_page
    third = PackageImport.objects.order_by("-pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("imports_admin:confirm", args=[third.pk]))
    third.refresh_from_db()
    assert third.status == PackageImport.Status.DONE and third.course_page_id != course.pk


def test_a_different_package_into_a_course_is_not_held_back(admin_client, django_capture_on_commit_callbacks, tmp_path):
    from courses.models import CoursePage

    catalogue()
    first, _page = _import(
        admin_client, packages.h5p_true_false(tmp_path / "costos.h5p"), django_capture_on_commit_callbacks
    )
    course = CoursePage.objects.get(pk=first.course_page_id)
    other = packages.scorm12_zip(tmp_path / "otro.zip")
    second, page = _import(admin_client, other, django_capture_on_commit_callbacks, into=course)
    assert second.status == PackageImport.Status.DONE, page
    assert "Este paquete ya se importó" not in page


def test_an_import_whose_worker_was_lost_can_be_started_again(
    admin_client, django_capture_on_commit_callbacks, tmp_path
):
    """Operator audit: a worker killed mid-import left «Importando 5 %» for ever, with no way to retry. An import
    that has not moved for half an hour says it stopped and offers to start again; a moving one is left alone."""
    from datetime import timedelta

    from django.utils import timezone

    catalogue()
    upload(admin_client, packages.h5p_true_false(tmp_path / "costos.h5p"))
    record = PackageImport.objects.get()
    PackageImport.objects.filter(pk=record.pk).update(
        status=PackageImport.Status.RUNNING, progress=5, progress_at=timezone.now() - timedelta(minutes=5)
    )
    # Still moving (5 minutes ago): the page keeps refreshing and a second start is ignored.
    page = admin_client.get(reverse("imports_admin:detail", args=[record.pk])).content.decode()
    assert "La importación se detuvo" not in page and 'http-equiv="refresh"' in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("imports_admin:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == PackageImport.Status.RUNNING

    # Its worker was lost two hours ago.
    PackageImport.objects.filter(pk=record.pk).update(progress_at=timezone.now() - timedelta(hours=2))
    page = admin_client.get(reverse("imports_admin:detail", args=[record.pk])).content.decode()
    assert "La importación se detuvo" in page and 'http-equiv="refresh"' not in page
    assert "Importar como borrador" in page
    assert admin_client.get(reverse("imports_admin:status", args=[record.pk])).json()["stalled"] is True
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("imports_admin:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == PackageImport.Status.DONE and record.course_page_id
