"""On the verification page of a trainer's certificate the holder is the certified trainer and the supervising
master trainer is labelled as such; a participant's certificate still names its facilitator."""

import pytest
from django.urls import reverse

from certification.trainers import services
from certification.trainers.models import TrainerPath
from lms.accounts.models import Role
from tests.certification.factories import ProgrammeFactory, holder, issue
from tests.certification.trainers.factories import MasterTrainerFactory, TrainerTrackFactory
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_verification_page_labels_the_master_trainer_on_a_trainer_certificate(client):
    track = TrainerTrackFactory(name="IMESUN-GIN", slug="imesun-gin")
    approver = MembershipFactory(institution=track.certifying_institution, role=Role.INSTITUTION_ADMIN).user
    master = MasterTrainerFactory(user=UserFactory(first_name="Begoña", last_name="Ibáñez Muñoz")).user
    trainee = UserFactory(first_name="Carmen", last_name="Salazar Ríos")
    path = TrainerPath.objects.create(
        trainer=trainee,
        track=track,
        institution=InstitutionFactory(),
        supervisor=master,
        state=TrainerPath.State.RECOMMENDED,
    )
    certificate = services.trainer_certify(path=path, approver=approver, render=False)
    assert certificate.trainer_name == "Begoña Ibáñez Muñoz"  # signed as before: only the label changes

    page = client.get(reverse("certification:verify", args=[certificate.code])).content.decode()
    assert '<dd data-field="holder">Carmen Salazar Ríos</dd>' in page
    assert '<dt>Supervisó (master trainer)</dt><dd data-field="trainer">Begoña Ibáñez Muñoz</dd>' in page
    assert "<dt>Facilitador·a</dt>" not in page


def test_a_participant_certificate_still_names_its_facilitator(client):
    certificate = issue(programme=ProgrammeFactory(), user=holder(), trainer_name="Carmen Salazar Ríos", render=False)
    page = client.get(reverse("certification:verify", args=[certificate.code])).content.decode()
    assert '<dt>Facilitador·a</dt><dd data-field="trainer">Carmen Salazar Ríos</dd>' in page
    assert "master trainer" not in page


def test_the_offline_verifier_does_not_call_a_trainer_certificates_supervisor_its_facilitator(client):
    # A scanned link carries no kind of certificate: its "t" field is a course's facilitator or, on a trainer's
    # certificate, the supervising master trainer, so the offline label names both.
    import json
    import re

    from django.urls import reverse

    page = client.get(reverse("certification:offline_verifier")).content.decode()
    text = json.loads(re.search(r'<script id="verifier-text"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert text["labels"]["t"] == "Facilitador·a o supervisor·a"
