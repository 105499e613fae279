"""Factories for trainer tracks, paths and master-trainer status."""

import factory
from factory.django import DjangoModelFactory

from certification.trainers.models import MasterTrainer, TrainerPath, TrainerTrack
from lms.accounts.models import Institution
from tests.lms.accounts.factories import InstitutionFactory, UserFactory


class TrainerTrackFactory(DjangoModelFactory):
    class Meta:
        model = TrainerTrack

    methodology = "IMESUN"
    sub_module = factory.Sequence(lambda n: f"GIN{n}")
    name = factory.LazyAttribute(lambda o: f"{o.methodology}-{o.sub_module}")
    slug = factory.Sequence(lambda n: f"imesun-gin-{n}")
    min_practice_completions = 2
    certifying_institution = factory.SubFactory(
        InstitutionFactory,
        slug="oit",
        name="Organización Internacional del Trabajo",
        acronym="OIT",
        type=Institution.Type.INTERNATIONAL,
    )


class MasterTrainerFactory(DjangoModelFactory):
    class Meta:
        model = MasterTrainer

    user = factory.SubFactory(UserFactory)
    methodology = "IMESUN"


class TrainerPathFactory(DjangoModelFactory):
    class Meta:
        model = TrainerPath

    trainer = factory.SubFactory(UserFactory)
    track = factory.SubFactory(TrainerTrackFactory)
    institution = factory.SubFactory(InstitutionFactory)


def gin_track_with_practice_course():
    """The IMESUN-GIN course and its trainer track, one completed practice cohort required: (course, track)."""
    from tests.courses.factories import build_course

    course = build_course(code="IMESUN-GIN")
    track = TrainerTrackFactory(
        name="IMESUN-GIN", slug="imesun-gin", practice_course=course, min_practice_completions=1
    )
    return course, track
