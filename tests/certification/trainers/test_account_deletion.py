"""A certified trainer who deletes her account leaves the public registry of trainers (no nameless row, no link
to her withdrawn certificate); the other trainers stay listed."""

import pytest
from django.urls import reverse

from certification.models import CertificateProgramme
from certification.trainers.models import TrainerPath
from certification.trainers.selectors import registry_list
from lms.accounts.models import ConsentRecord
from lms.accounts.services import consent_record
from tests.certification.factories import ProgrammeFactory, holder, issue

from .factories import TrainerPathFactory, TrainerTrackFactory

pytestmark = pytest.mark.django_db


def _certified_listed_trainer(track, programme, **names):
    person = holder(email="", **names)
    certificate = issue(user=person, programme=programme, source_key=f"trainer:{person.pk}:imesun-gin")
    path = TrainerPathFactory(trainer=person, track=track, state=TrainerPath.State.CERTIFIED, certificate=certificate)
    consent_record(user=person, purpose=ConsentRecord.Purpose.REGISTRY, granted=True)
    return path


def test_a_trainer_who_deletes_her_account_leaves_the_registry_and_the_others_stay(
    client, django_capture_on_commit_callbacks
):
    track = TrainerTrackFactory(name="IMESUN-GIN", slug="imesun-gin")
    programme = ProgrammeFactory(kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION, reference="IMESUN-GIN")
    leaving = _certified_listed_trainer(
        track, programme, first_name="Ñusta", last_name="Quispe Huamán", phone="+593987654321"
    )
    staying = _certified_listed_trainer(
        track, programme, first_name="José Ángel", last_name="Ramírez Soto", phone="+51987654321"
    )
    page = client.get(reverse("trainers:registry")).text
    assert "Ñusta Quispe Huamán" in page and "José Ángel Ramírez Soto" in page

    client.force_login(leaving.trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:account_delete"), {"password": "clave-segura-123"})
    assert response.status_code == 302
    client.logout()

    page = client.get(reverse("trainers:registry")).text
    assert "Ñusta" not in page and "Quispe" not in page
    assert reverse("certification:verify", args=[leaving.certificate.code]) not in page  # no nameless row either
    assert page.count("<tr><td>") == 1  # one row: the other trainer
    assert "José Ángel Ramírez Soto" in page
    assert reverse("certification:verify", args=[staying.certificate.code]) in page
    assert list(registry_list()) == [staying]
    # Her consent history stays (the audit of what she agreed to), with the withdrawal on top.
    assert list(
        ConsentRecord.objects.filter(user_id=leaving.trainer_id, purpose="registry").values_list("granted", flat=True)
    ) == [False, True]
