"""The demo seeder issues certificates to participants who completed a course and prints one line."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_seed_demo_issues_certificates_and_prints_the_demo_line(capsys, settings):
    settings.RUTA_BASE_URL = "https://demo.ruta.example"
    call_command("seed_demo")
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("Certificado de demostración:")]
    assert len(lines) == 1
    match = re.fullmatch(
        r"Certificado de demostración: (https://demo\.ruta\.example/certificados/v/(\w{16})) PDF: (\S+/pdf)", lines[0]
    )
    assert match
    from certification.models import Certificate

    certificate = Certificate.objects.get(code=match.group(2))
    assert certificate.holder.username == "participante"
    assert certificate.holder_name == "Yolimar Rodríguez Pérez"
    count = Certificate.objects.count()
    call_command("seed_demo")  # idempotent
    assert Certificate.objects.count() == count
