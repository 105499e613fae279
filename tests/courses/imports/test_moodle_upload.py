"""An institution admin who uploads a Moodle course backup reads that it is one, and what to bring instead."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.imports.models import PackageImport
from tests.content.packages.test_moodle_backup import BACKUP_FILES, _mbz_tar
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_uploaded_moodle_backup_shows_the_moodle_reason(client, tmp_path):
    client.force_login(UserFactory(first_name="Rocío", last_name="Ñahui", is_staff=True, is_superuser=True))
    path = _mbz_tar(tmp_path / "costos-20260301.mbz", BACKUP_FILES)
    response = client.post(
        reverse("imports_admin:list"), {"file": SimpleUploadedFile(path.name, path.read_bytes())}, follow=True
    )
    page = response.content.decode()
    assert "Por qué no se puede importar" in page
    assert "copia de seguridad de un curso de Moodle" in page
    assert "Open edX no tiene ningún módulo" not in page and "Importar como borrador" not in page
    assert PackageImport.objects.get().status == PackageImport.Status.REFUSED
