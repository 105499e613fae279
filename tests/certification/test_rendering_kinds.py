"""The PDF words what the holder did per kind of certificate, and a trainer's certificate names the master trainer
who supervised as such (never as the certified facilitator)."""

import shutil
import subprocess

import pytest

from certification.models import CertificateProgramme
from certification.rendering import certificate_pdf_bytes
from certification.services import certificate_qr_url
from tests.certification.factories import ProgrammeFactory, holder, issue

pytestmark = pytest.mark.django_db
Kind = CertificateProgramme.Kind


def pdf_text(certificate, tmp_path) -> str:
    path = tmp_path / f"{certificate.code}.pdf"
    path.write_bytes(certificate_pdf_bytes(certificate=certificate, qr_url=certificate_qr_url(certificate=certificate)))
    executable = shutil.which("pdftotext")
    assert executable, "pdftotext is missing: run `make system-deps` (poppler-utils)"
    text = subprocess.run([executable, str(path), "-"], capture_output=True, text=True).stdout  # noqa: S603
    return " ".join(text.split())


def test_a_trainer_certificate_names_the_supervisor_as_master_trainer_not_as_the_certified_facilitator(tmp_path):
    programme = ProgrammeFactory(kind=Kind.TRAINER_QUALIFICATION, title="Facilitador·a certificado·a en IMESUN-GIN")
    certificate = issue(
        programme=programme,
        user=holder(first_name="Carmen", last_name="Salazar Ríos"),
        achievement="Facilitador·a certificado·a en IMESUN-GIN",
        trainer_name="Begoña Ibáñez Muñoz",
        render=False,
    )
    text = pdf_text(certificate, tmp_path)
    assert "Carmen Salazar Ríos" in text
    assert "Supervisó (master trainer): Begoña Ibáñez Muñoz" in text
    assert "Facilitador·a certificado·a: Begoña" not in text
    assert "culminado satisfactoriamente" not in text
    assert "formación de facilitadores y la práctica supervisada" in text


def test_a_competency_certificate_says_competence_was_shown_not_a_course_completed(tmp_path):
    programme = ProgrammeFactory(kind=Kind.COMPETENCY_STANDARD, title="Ventas")
    certificate = issue(
        programme=programme,
        user=holder(first_name="Íñigo", last_name="Quispe Ñaupari"),
        achievement="Competente en 2 de 3 unidades de la norma «Ventas» (versión 1)",
        render=False,
    )
    text = pdf_text(certificate, tmp_path)
    assert "culminado satisfactoriamente" not in text
    assert "por haber demostrado su competencia laboral: Competente en 2 de 3 unidades" in text


def test_a_course_certificate_still_says_completed_and_names_the_facilitator(tmp_path):
    certificate = issue(
        programme=ProgrammeFactory(kind=Kind.COURSE),
        user=holder(first_name="José", last_name="Núñez Peña"),
        trainer_name="Carmen Salazar Ríos",
        render=False,
    )
    text = pdf_text(certificate, tmp_path)
    assert "por haber culminado satisfactoriamente" in text
    assert "Facilitador·a certificado·a: Carmen Salazar Ríos" in text
    assert "master trainer" not in text
