"""Lifting a trainer's suspension: the suspended certificate's page says «Reemplazado» and links to the new one
(it used to say «Revocado … Ya no es válido» with no way to the current certificate)."""

import pytest
from django.urls import reverse

from certification.trainers import services
from certification.trainers.models import TrainerPath
from lms.accounts.models import Role
from tests.certification.trainers.factories import MasterTrainerFactory, TrainerTrackFactory
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_suspended_certificate_points_to_the_new_one_once_the_suspension_is_lifted(client):
    track = TrainerTrackFactory(name="Get Ahead", slug="get-ahead", methodology="Get Ahead")
    approver = MembershipFactory(institution=track.certifying_institution, role=Role.INSTITUTION_ADMIN).user
    master = UserFactory(first_name="Begoña", last_name="Ibáñez")
    MasterTrainerFactory(methodology="Get Ahead", user=master)
    trainee = UserFactory(first_name="Ñusta", last_name="Huamán Quispe")
    path = TrainerPath.objects.create(
        trainer=trainee, track=track, institution=InstitutionFactory(), supervisor=master, state="recommended"
    )
    first = services.trainer_certify(path=path, approver=approver, render=False)
    services.trainer_certification_withdraw(path=path, actor=approver, reason="Queja en revisión", suspend=True)
    second = services.trainer_certification_reinstate(path=path, actor=approver, reason="Queja archivada")

    first.refresh_from_db()
    assert first.revoked_at is None and first.replaced_by == second
    assert second.status_on() == "valid"
    assert (second.holder_name, second.trainer_name, second.achievement) == (
        "Ñusta Huamán Quispe",
        "Begoña Ibáñez",
        first.achievement,
    )
    page = client.get(reverse("certification:verify", args=[first.code])).content.decode()
    assert 'data-status="replaced"' in page and 'data-status="revoked"' not in page
    assert reverse("certification:verify", args=[second.code]) in page
    assert second.display_code in page
