"""The PDF and share image: accented names as text, size, and a QR that zbar reads at 150 dpi."""

import datetime
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from certification import services
from certification.offline import offline_verify
from certification.rendering import qr_version
from tests.certification.factories import ProgrammeFactory, SignatoryFactory, holder, issue

pytestmark = pytest.mark.django_db


def run(tool: str, *args: str) -> str:
    executable = shutil.which(tool)
    assert executable, f"{tool} is missing: run `make system-deps` (poppler-utils, zbar-tools)"
    return subprocess.run([executable, *args], capture_output=True, text=True).stdout  # noqa: S603


@pytest.fixture
def rendered(django_capture_on_commit_callbacks):
    programme = ProgrammeFactory(
        title="Inicie y Mejore su Negocio — Genere su Idea de Negocio (IMESUN-GIN)", validity_months=24
    )
    SignatoryFactory(programme=programme, name="Begoña Ibáñez Muñoz", title="Directora de la Oficina")
    person = holder(first_name="José Gregorio", last_name="Hernández Núñez")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue(
            programme=programme,
            user=person,
            trainer_name="Carmen Salazar Ríos",
            competency_units=["UC1 Atención al cliente", "UC2 Ventas"],
        )
    certificate.refresh_from_db()
    return certificate


def test_pdf_is_a4_landscape_small_with_the_printed_name_as_text(rendered, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(rendered.pdf.read())
    assert path.stat().st_size <= 300 * 1024
    info = run("pdfinfo", str(path))
    assert "842 x 595" in info.replace(".", " ").replace("  ", " ") or "841.89 x 595.28" in info
    text = run("pdftotext", "-layout", str(path), "-")
    assert "José Gregorio Hernández Núñez" in text
    assert "Begoña Ibáñez Muñoz" in text
    assert "Carmen Salazar Ríos" in text
    assert rendered.display_code in text
    assert "Nacionalidad" not in text and "migratori" not in text


def test_qr_in_the_pdf_decodes_at_150_dpi_and_leads_to_the_right_page(rendered, tmp_path):
    path = tmp_path / "c.pdf"
    path.write_bytes(rendered.pdf.read())
    run("pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page"))
    png = next(tmp_path.glob("page*.png"))
    decoded = run("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)).strip()
    assert decoded == services.certificate_qr_url(certificate=rendered)
    assert qr_version(decoded) <= 17
    parts = urlsplit(decoded)
    response = Client().get(parts.path)
    assert response.status_code == 200
    assert "José Gregorio Hernández Núñez" in response.content.decode()
    # The fragment carries a signed copy the offline verifier accepts with Ruta's published keys.
    jwks = Client().get("/.well-known/jwks.json").json()
    revocations = Client().get("/certificados/revocados.json").json()
    assert offline_verify(decoded, jwks, revocations, timezone.localdate())["status"] == "valid"


def test_share_image_is_a_png_with_a_readable_qr(rendered, tmp_path):
    path = tmp_path / "c.png"
    path.write_bytes(rendered.image.read())
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    decoded = run("zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(path)).strip()
    assert decoded == services.certificate_qr_url(certificate=rendered)


def test_a_typical_course_certificate_keeps_the_qr_at_version_15_or_less():
    programme = ProgrammeFactory(title="Educación financiera para emprendedoras y emprendedores")
    certificate = issue(
        programme=programme,
        user=holder(first_name="Yolimar", last_name="Rodríguez Pérez"),
        trainer_name="Carmen Salazar Ríos",
    )
    assert qr_version(services.certificate_qr_url(certificate=certificate)) <= 15


def test_bilingual_programme_renders_with_day_first_dates(django_capture_on_commit_callbacks, tmp_path):
    programme = ProgrammeFactory(language="es-en")
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issue(programme=programme, issued_on=datetime.date(2026, 5, 4))
    certificate.refresh_from_db()
    path = tmp_path / "c.pdf"
    path.write_bytes(certificate.pdf.read())
    text = run("pdftotext", str(path), "-")
    assert "CERTIFICADO" in text and "04/05/2026" in text


def test_the_qr_uses_the_mask_qrcode_itself_would_choose():
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    from certification.rendering import qr_matrix

    base = "https://ruta.example.org/certificados/v/7K3MQ9XD2HBWR4TE#"
    for length in (10, 120, 250, 330, 400):
        url = base + "".join("abcdefghijklmnopqrstuvwxyz0123456789-_"[(i * 7 + length) % 38] for i in range(length))
        reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
        reference.add_data(url)
        reference.make(fit=True)
        assert qr_matrix(url).get_matrix() == reference.get_matrix(), length


def test_pdfs_rendered_one_after_another_each_print_their_own_name(tmp_path):
    """The fonts are parsed and subset once per process and glyph set: a later PDF (same glyphs, or letters
    never seen before) still embeds every glyph it prints, and a repeat renders the same document."""
    import re

    from certification import pdffonts
    from certification.rendering import certificate_pdf_bytes

    programme = ProgrammeFactory(title="Educación financiera para emprendedoras y emprendedores")
    first = issue(programme=programme, user=holder(first_name="Ñusta", last_name="Quispe Mamani"))
    unusual = issue(programme=programme, user=holder(first_name="Łucja", last_name="Þórsdóttir Çelik"))
    second = issue(programme=programme, user=holder(first_name="Begoña", last_name="Ibáñez Muñoz"))
    pdffonts._subsets.clear()
    documents = []
    for certificate in (first, unusual, second, first):
        qr_url = services.certificate_qr_url(certificate=certificate)
        pdf = certificate_pdf_bytes(certificate=certificate, qr_url=qr_url)
        path = tmp_path / f"{len(documents)}.pdf"
        path.write_bytes(pdf)
        assert certificate.holder_name in run("pdftotext", str(path), "-")
        run("pdftoppm", "-r", "60", "-png", "-singlefile", str(path), str(tmp_path / f"{len(documents)}"))
        documents.append(pdf)
    assert len(pdffonts._subsets) == 3  # one regular; bold for Spanish names and for the unusual one
    # Apart from the creation date and the file identifier (a hash of the file, date included):
    undated = [re.sub(rb"/CreationDate \(D:[^)]*\)|/ID \[<\w+><\w+>\]", b"", pdf) for pdf in documents]
    assert undated[0] == undated[3]
    assert (tmp_path / "0.png").read_bytes() == (tmp_path / "3.png").read_bytes()
