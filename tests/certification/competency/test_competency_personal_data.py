"""A candidate's competency data in their export, and what account deletion removes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certification.competency import services
from certification.competency.models import Application, Evidence
from lms.accounts import services as account_services
from tests.lms.accounts.factories import UserFactory

from .factories import make_standard

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


def test_export_and_erase(django_capture_on_commit_callbacks):
    standard = make_standard(units=1)
    candidate = UserFactory()
    application = services.application_create(candidate=candidate, standard=standard, experience="Vendo en Gamarra.")
    evidence = services.evidence_add(
        application=application,
        unit=standard.units.get(),
        actor=candidate,
        title="Foto",
        upload=SimpleUploadedFile("f.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 10),
    )
    stored = evidence.file.path

    data = account_services.user_data_export(user=candidate)
    [row] = data["competency_applications"]
    assert row["experience"] == "Vendo en Gamarra." and row["evidence"][0]["title"] == "Foto"
    assert "competency_applications" not in account_services.user_data_export(user=UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        account_services.account_delete(user_id=candidate.pk)
    application = Application.objects.get(pk=application.pk)
    assert application.experience == ""
    assert not Evidence.objects.exists()
    import os

    assert not os.path.exists(stored)
