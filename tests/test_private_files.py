"""Nothing uploaded or generated is served under /media/ (with DEBUG on too); such files go out only through
views that check who asks, under a truthful name, with nosniff and a sandboxing CSP; import rosters are not kept.
"""

from __future__ import annotations

import importlib
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from wagtail_factories import DocumentFactory, ImageFactory

import lms.urls
from certification.competency import services as competency_services
from certification.services import certificate_render
from content.packages.archive import open_archive
from content.packages.services import content_package_file_names, content_package_store
from courses.cohorts import services as cohort_services
from courses.cohorts.models import RosterImport
from tests.certification.competency.factories import make_standard
from tests.certification.factories import holder, issue
from tests.courses.cohorts.factories import CohortFactory, trainer_of
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROSTER = (
    "nombres,apellidos,teléfono,ciudad\n"
    "Yolimar,Rodríguez Peña,987 000 301,Lima\n"
    "José Andrés,Guzmán Ñáñez,987 000 302,Trujillo\n"
).encode()


@pytest.fixture
def media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RUTA_SIGNING_KEYS_DIR = str(tmp_path / "keys")  # certificates signed with throwaway keys
    settings.RUTA_SIGNING_KEY_PEM = ""
    settings.RUTA_SIGNING_KEYS_AUTOGENERATE = True
    return settings.MEDIA_ROOT


@pytest.fixture
def debug_urls(settings, media):
    """The URLconf exactly as ``manage.py runserver`` builds it with DEBUG on."""
    settings.DEBUG = True
    importlib.reload(lms.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(lms.urls)
    clear_url_caches()


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "sco.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("index.html", "<html><body><script>fetch('/cuenta/mis-datos.json')</script></body></html>")
        zf.writestr("img/x.svg", '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with open_archive(path) as archive:
        return content_package_store(archive=archive, engine="scorm12", title="SCO")


@pytest.fixture
def application():
    standard = make_standard(units=1)
    candidate = UserFactory(first_name="Yusmary", last_name="Gómez", phone="+593991234567")
    return competency_services.application_create(candidate=candidate, standard=standard, experience="Cocino.")


def add_evidence(application, name: str, data: bytes):
    return competency_services.evidence_add(
        application=application,
        unit=application.standard.units.get(),
        actor=application.candidate,
        title="Mi puesto de comida",
        upload=SimpleUploadedFile(name, data),
    )


def test_media_url_serves_image_renditions_but_no_upload_even_in_debug(client, debug_urls, package, application):
    cohort = CohortFactory()
    batch, _preview = cohort_services.roster_import_upload(
        cohort=cohort, actor=trainer_of(cohort), content=ROSTER, filename="lista.csv"
    )
    evidence = add_evidence(application, "foto.jpg", JPEG)
    certificate = certificate_render(certificate=issue(user=holder()))
    stored = {
        "roster": batch.file,
        "evidence": evidence.file,
        "certificate PDF": certificate.pdf,
        "certificate PNG": certificate.image,
    }
    for what, file in stored.items():
        assert file.storage.exists(file.name), what  # the file is there: a 404 is not for lack of a file
        assert client.get(f"/media/{file.name}").status_code == 404, what
    assert "index.html" in content_package_file_names(package)
    for name in ("index.html", "img/x.svg"):
        assert client.get(f"/media/{package.storage_name(name)}").status_code == 404, name
    # …whereas the public image renditions are still there for the developer.
    rendition = ImageFactory().get_rendition("width-100")
    assert rendition.url.startswith("/media/images/")
    assert client.get(rendition.url).status_code == 200
    # An editor's document (any type: an HTML page here) goes out through Wagtail's view only, as a download that
    # may run nothing, never under /media/.
    document = DocumentFactory(
        file__filename="guia.html", file__data=b"<script>fetch('/cuenta/mis-datos.json')</script>"
    )
    assert client.get(f"/media/{document.file.name}").status_code == 404
    response = client.get(document.url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_evidence_downloads_only_for_its_people_with_a_truthful_name(client, media, application):
    evidence = add_evidence(application, "foto.html", JPEG)  # a JPEG named .html
    url = reverse("competency:evidence_download", args=[evidence.pk])

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403

    client.force_login(application.candidate)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="foto.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "foto.jpg" in client.get(f"{url}?ver=1")["Content-Disposition"]


def test_certificate_files_are_sandboxed_downloads(client, media):
    certificate = certificate_render(certificate=issue(user=holder()))
    pdf = client.get(reverse("certification:pdf", args=[certificate.code]))
    assert pdf.status_code == 200 and pdf["Content-Disposition"].startswith("attachment;")
    png = client.get(reverse("certification:image", args=[certificate.code]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    for response in (pdf, png):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
    assert client.get(reverse("certification:pdf", args=["RUTA-0000-0000"])).status_code == 404


def test_roster_file_is_deleted_once_applied(media):
    cohort = CohortFactory()
    batch, preview = cohort_services.roster_import_upload(
        cohort=cohort, actor=trainer_of(cohort), content=ROSTER, filename="lista.csv"
    )
    assert preview.ok, preview.file_error
    file = batch.file
    storage, name = file.storage, file.name
    assert storage.exists(name)

    cohort_services.roster_import_apply(batch=batch, actor=trainer_of(cohort))

    batch.refresh_from_db()
    assert batch.status == RosterImport.Status.APPLIED and batch.created == 2
    assert not batch.file and not storage.exists(name)


def test_roster_file_is_deleted_when_discarded_or_left_unconfirmed(media):
    cohort = CohortFactory()
    trainer = trainer_of(cohort)
    discarded, _ = cohort_services.roster_import_upload(cohort=cohort, actor=trainer, content=ROSTER, filename="a.csv")
    forgotten, _ = cohort_services.roster_import_upload(cohort=cohort, actor=trainer, content=ROSTER, filename="b.csv")
    recent, _ = cohort_services.roster_import_upload(cohort=cohort, actor=trainer, content=ROSTER, filename="c.csv")
    names = {batch.pk: (batch.file.storage, batch.file.name) for batch in (discarded, forgotten, recent)}
    RosterImport.objects.filter(pk=forgotten.pk).update(created_at=timezone.now() - timedelta(hours=49))

    cohort_services.roster_import_discard(batch=discarded)
    assert cohort_services.roster_import_expire() == 1

    for batch in (discarded, forgotten, recent):
        batch.refresh_from_db()
    assert discarded.status == forgotten.status == RosterImport.Status.DISCARDED
    assert recent.status == RosterImport.Status.PREVIEW  # still within the 48 hours to confirm it
    for batch, kept in ((discarded, False), (forgotten, False), (recent, True)):
        storage, name = names[batch.pk]
        assert storage.exists(name) is kept, batch.filename


def test_lesson_media_of_a_package_is_served_sandboxed_and_only_allowed_types(client, media):
    from content.packages.media import lesson_media_save
    from lms.files import private_storage

    name, url = lesson_media_save(name="7/abc123-cliente.png", data=PNG)
    assert url == "/paquetes/medios/7/abc123-cliente.png"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]

    private_storage().save("paquetes/medios/7/pagina.html", SimpleUploadedFile("p.html", b"<script>1</script>"))
    assert client.get("/paquetes/medios/7/pagina.html").status_code == 404  # not an allowed type
    assert client.get("/paquetes/medios/7/../../../lms/settings/base.py").status_code == 404
    assert client.get(f"/media/{name}").status_code == 404


def test_private_files_move_takes_old_uploads_out_of_media_and_fixes_lesson_links(media, package):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from courses.models import LessonPage
    from lms.files import private_storage
    from tests.courses.factories import LessonPageFactory, text_block

    # What an older Ruta left in MEDIA_ROOT: a roster, a package's files and an imported lesson's image.
    cohort = CohortFactory()
    batch, _ = cohort_services.roster_import_upload(
        cohort=cohort, actor=trainer_of(cohort), content=ROSTER, filename="lista.csv"
    )
    for name in (batch.file.name, *(package.storage_name(n) for n in ("index.html", "img/x.svg"))):
        with private_storage().open(name, "rb") as fh:
            default_storage.save(name, ContentFile(fh.read()))
        private_storage().delete(name)
    default_storage.save("paquetes/medios/3/abc-cliente.png", ContentFile(PNG))
    lesson = LessonPageFactory(body=[text_block('<p><img src="/media/paquetes/medios/3/abc-cliente.png" alt=""></p>')])
    lesson.save_revision()

    call_command("private_files_move")

    for name in (batch.file.name, package.storage_name("index.html"), "paquetes/medios/3/abc-cliente.png"):
        assert private_storage().exists(name) and not default_storage.exists(name), name
    lesson = LessonPage.objects.get(pk=lesson.pk)
    html = lesson.body.raw_data[0]["value"]
    assert 'src="/paquetes/medios/3/abc-cliente.png"' in html and "/media/" not in html
    assert "/media/paquetes" not in json.dumps(lesson.latest_revision.content)
    assert client_get("/paquetes/medios/3/abc-cliente.png").status_code == 200
    call_command("private_files_move")  # again: nothing left to do, nothing broken
    assert private_storage().exists(batch.file.name)


def client_get(url):
    from django.test import Client

    return Client().get(url)
