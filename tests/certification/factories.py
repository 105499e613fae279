"""Factories for certificate programmes; certificates themselves are made through ``certificate_issue``."""

import factory
from factory.django import DjangoModelFactory

from certification.models import CertificateProgramme, Signatory
from tests.lms.accounts.factories import InstitutionFactory, UserFactory


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = CertificateProgramme

    name = factory.Sequence(lambda n: f"Programa de certificación {n}")
    slug = factory.Sequence(lambda n: f"programa-{n}")
    kind = CertificateProgramme.Kind.COURSE
    title = "Gestión de negocios — IMESUN GIN"
    hours = 40
    issuer = factory.SubFactory(
        InstitutionFactory, name="Organización Internacional del Trabajo", acronym="OIT", slug="oit-test"
    )


class SignatoryFactory(DjangoModelFactory):
    class Meta:
        model = Signatory

    programme = factory.SubFactory(ProgrammeFactory)
    name = "Lucía Fernández Ortiz"
    title = "Coordinadora nacional"


def holder(**kwargs):
    defaults = {"first_name": "María José", "last_name": "Muñoz Peña"}
    defaults.update(kwargs)
    return UserFactory(**defaults)


def issue(programme=None, user=None, source_key=None, **kwargs):
    from certification.services import certificate_issue

    programme = programme or ProgrammeFactory()
    user = user or holder()
    return certificate_issue(
        holder=user, programme=programme, source_key=source_key or f"test:{user.pk}:{programme.pk}", **kwargs
    )
