"""Refused or failed uploads leave no file behind in private storage, and one application holds a bounded amount.

A learner who sends several documents with one bad file among them is refused without any of them being kept
(personal documents nobody could find again, and a way to fill the disk); the same holds for evidence, which is
also limited per application and person.
"""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.competency import services, uploads
from certification.competency.models import Application, ApplicationDocument, Evidence
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200 + b"\xff\xd9"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
REFUSED_TYPE = "Solo se aceptan fotos (JPG, PNG, WebP) o documentos PDF."
LIMIT = "Una postulación admite hasta 20 archivos y 100 MB en total."


def stored_files(root, folder: str) -> list:
    base = root / "competency" / folder
    return [p for p in base.rglob("*") if p.is_file()] if base.exists() else []


@pytest.fixture
def root(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path / "media"
    return private_root


@pytest.fixture
def standard():
    return make_standard(units=2, criteria=2, questions=3, title="Cocina básica y manipulación de alimentos")


@pytest.fixture
def candidate():
    return UserFactory(first_name="Ñusta", last_name="Huamán Quispe", phone="+51987654321")


def photos(n: int) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(f"constancia-{i}.jpg", JPEG, content_type="image/jpeg") for i in range(n)]


def apply(client, standard, documents):
    return client.post(
        reverse("competency:apply", args=[standard.pk]),
        {"experience_years": 3, "experience": "Tres años en un restaurante de Cusco.", "documents": documents},
    )


def test_one_refused_file_among_good_ones_keeps_none_of_them(client, root, standard, candidate):
    client.force_login(candidate)
    documents = [*photos(3), SimpleUploadedFile("firma.svg", SVG, content_type="image/svg+xml")]
    response = apply(client, standard, documents)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert REFUSED_TYPE in page and "firma.svg" in page
    assert not Application.objects.exists() and not ApplicationDocument.objects.exists()
    assert stored_files(root, "documents") == []


def test_documents_stored_before_a_failure_are_removed(client, root, standard, candidate, monkeypatch):
    """Any failure after the files are saved (here the audit write) rolls back the rows and deletes the files."""

    def broken_audit(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_log", broken_audit)
    with pytest.raises(RuntimeError):
        services.application_create(
            candidate=candidate, standard=standard, experience="Cocino para eventos.", documents=photos(3)
        )
    assert not Application.objects.exists()
    assert stored_files(root, "documents") == []


def test_too_many_documents_are_refused_with_the_limit(client, root, standard, candidate):
    client.force_login(candidate)
    response = apply(client, standard, photos(uploads.MAX_FILES_PER_APPLICATION + 1))
    assert response.status_code == 200
    assert LIMIT in html.unescape(response.content.decode())
    assert not Application.objects.exists()
    assert stored_files(root, "documents") == []


def test_a_normal_application_with_photos_still_works(client, root, standard, candidate):
    client.force_login(candidate)
    response = apply(client, standard, photos(3))
    application = Application.objects.get(candidate=candidate)
    assert response.status_code == 302
    assert response.url == reverse("competency:application_detail", args=[application.pk])
    assert application.documents.count() == 3
    assert len(stored_files(root, "documents")) == 3


@pytest.fixture
def application(standard):
    candidate = UserFactory(first_name="José", last_name="Andrango Cóndor", phone="+593991234567")
    application = services.application_create(candidate=candidate, standard=standard, experience="Panadería.")
    services.evaluator_assign(
        application=application,
        evaluator=evaluator_of(standard.certifying_body, first_name="Mónica", last_name="Pérez"),
        actor=body_admin_of(standard.certifying_body),
    )
    return application


def add_evidence(client, application, upload):
    return client.post(
        reverse("competency:candidate_evidence", args=[application.pk]),
        {"unit": application.units.first().pk, "title": "Pan recién horneado", "upload": upload},
        follow=True,
    )


def test_evidence_beyond_the_file_count_is_refused_with_the_limit(client, root, application):
    client.force_login(application.candidate)
    for upload in photos(uploads.MAX_FILES_PER_APPLICATION):
        add_evidence(client, application, upload)
    assert Evidence.objects.filter(application=application).count() == uploads.MAX_FILES_PER_APPLICATION
    response = add_evidence(client, application, photos(1)[0])
    page = html.unescape(response.content.decode())
    assert LIMIT in page and "Ya subiste 20 archivos" in page
    assert Evidence.objects.filter(application=application).count() == uploads.MAX_FILES_PER_APPLICATION
    assert len(stored_files(root, "evidence")) == uploads.MAX_FILES_PER_APPLICATION
    # a link still fits: it stores nothing
    client.post(
        reverse("competency:candidate_evidence", args=[application.pk]),
        {"unit": application.units.first().pk, "title": "Más fotos", "url": "https://fotos.example.org/pan"},
    )
    assert Evidence.objects.filter(application=application, kind=Evidence.Kind.LINK).count() == 1


def test_evidence_beyond_the_total_size_is_refused_with_the_limit(client, root, application):
    unit = application.units.first()
    Evidence.objects.create(
        application=application,
        unit=unit,
        uploaded_by=application.candidate,
        title="Video del horno",
        kind=Evidence.Kind.FILE,
        size=uploads.MAX_MB_PER_APPLICATION * 1024 * 1024 - 100,
    )
    client.force_login(application.candidate)
    response = add_evidence(client, application, photos(1)[0])
    assert LIMIT in html.unescape(response.content.decode())
    assert Evidence.objects.filter(application=application).count() == 1
    assert stored_files(root, "evidence") == []


def test_refused_or_failed_evidence_leaves_no_file(client, root, application, monkeypatch):
    client.force_login(application.candidate)
    response = add_evidence(client, application, SimpleUploadedFile("x.svg", SVG, content_type="image/svg+xml"))
    assert REFUSED_TYPE in html.unescape(response.content.decode())

    def broken_audit(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_log", broken_audit)
    with pytest.raises(RuntimeError):
        services.evidence_add(
            application=application,
            unit=application.units.first(),
            actor=application.candidate,
            title="Pan",
            upload=photos(1)[0],
        )
    assert not Evidence.objects.exists()
    assert stored_files(root, "evidence") == []


def test_the_sweep_deletes_old_files_no_application_points_to_and_keeps_the_rest(client, root, standard, candidate):
    """Files left on disk before failed uploads were cleaned up (no row, so no data download or account deletion
    ever finds them) go with ``competency_files_sweep``; applicants' files and a file being written stay."""
    import os
    import time
    from io import StringIO

    from django.core.management import call_command

    client.force_login(candidate)
    apply(client, standard, photos(2))
    kept = stored_files(root, "documents")
    assert len(kept) == 2
    old_orphans = [
        root / "competency" / "documents" / "2025" / "11" / "cedula-ñusta.jpg",
        root / "competency" / "evidence" / "2026" / "01" / "abc123.pdf",
    ]
    fresh_orphan = root / "competency" / "evidence" / "2026" / "12" / "subiendo.jpg"
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (*old_orphans, fresh_orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(JPEG)
    for path in (*old_orphans, *kept):
        os.utime(path, (two_days_ago, two_days_ago))  # the applicant's own files are old too: they stay

    out = StringIO()
    call_command("competency_files_sweep", "--dry-run", stdout=out)
    assert "2 file(s)" in out.getvalue() and all(path.exists() for path in old_orphans)

    call_command("competency_files_sweep", stdout=StringIO())
    assert not any(path.exists() for path in old_orphans)
    assert fresh_orphan.exists()  # under a day old: perhaps a row still being written
    assert all(path.exists() for path in kept)
    application = Application.objects.get(candidate=candidate)
    response = client.get(reverse("competency:document_download", args=[application.documents.first().pk]))
    assert response.status_code == 200
