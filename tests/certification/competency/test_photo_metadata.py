"""Uploaded photos lose their metadata (GPS location, phone make and model) before they are stored, and still show
upright: a candidate's phone photo must not reveal where they live."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from certification.competency import services, uploads
from certification.competency.models import Application, ApplicationDocument, Evidence
from tests.lms.accounts.factories import UserFactory

from .factories import body_admin_of, evaluator_of, make_standard

pytestmark = pytest.mark.django_db

RED, BLUE = (220, 20, 20), (20, 20, 220)
#: Where the photo was taken (Lima, San Juan de Lurigancho) and with which phone.
GPS = {1: "S", 2: (11.0, 59.0, 12.5), 3: "W", 4: (77.0, 0.0, 33.2)}
MAKE, MODEL = "samsung", "Galaxy A15"


def phone_photo(fmt: str = "JPEG") -> bytes:
    """A landscape sensor image (left half red, right half blue) that the phone says to turn 90° clockwise
    (EXIF orientation 6), with the GPS position and the phone's make and model."""
    image = Image.new("RGB", (80, 40), BLUE)
    image.paste(RED, (0, 0, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = MAKE
    exif[0x0110] = MODEL
    exif[0x0112] = 6
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, fmt, exif=exif, **({"quality": 95} if fmt == "JPEG" else {}))
    data = out.getvalue()
    # The photo as it came from the phone does carry all of it.
    with Image.open(io.BytesIO(data)) as check:
        assert check.getexif().get_ifd(0x8825)
    return data


def assert_clean_and_upright(data: bytes) -> None:
    assert b"Galaxy A15" not in data and b"samsung" not in data
    with Image.open(io.BytesIO(data)) as stored:
        exif = stored.getexif()
        assert not exif.get_ifd(0x8825), "GPS position still in the photo"
        assert 0x010F not in exif and 0x0110 not in exif
        assert exif.get(0x0112, 1) == 1
        # Upright without any orientation tag: portrait, the red half on top.
        assert stored.size == (40, 80)
        rgb = stored.convert("RGB")
        top, bottom = rgb.getpixel((20, 10)), rgb.getpixel((20, 70))
    assert top[0] > 180 and top[2] < 80, top
    assert bottom[2] > 180 and bottom[0] < 80, bottom


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def standard():
    return make_standard(units=1, title="Limpieza y desinfección de ambientes")


@pytest.fixture
def candidate():
    return UserFactory(first_name="Yusleidy", last_name="Pérez Araújo", phone="+51987654321")


@pytest.fixture
def evaluator(standard):
    return evaluator_of(standard.certifying_body, first_name="Mónica", last_name="Huamán", phone="+51912345678")


@pytest.fixture
def application(standard, candidate, evaluator):
    application = services.application_create(
        candidate=candidate, standard=standard, experience="Limpio consultorios en San Juan de Lurigancho."
    )
    admin = body_admin_of(standard.certifying_body, first_name="Ángela", last_name="Quispe")
    services.evaluator_assign(application=application, evaluator=evaluator, actor=admin)
    services.assessment_schedule(
        application=application,
        evaluator=evaluator,
        scheduled_at=timezone.now() + timezone.timedelta(days=2),
        location="Jesús María",
    )
    return application


def _shown(client, evidence: Evidence) -> bytes:
    response = client.get(reverse("competency:evidence_download", args=[evidence.pk]) + "?ver=1")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("in_memory", [True, False], ids=["small-upload", "upload-in-a-temporary-file"])
def test_candidate_photo_evidence_is_stored_without_gps_and_upright(client, settings, application, in_memory):
    if not in_memory:
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # as for a photo over 2 MB: Django keeps it in a temporary file
    client.force_login(application.candidate)
    response = client.post(
        reverse("competency:candidate_evidence", args=[application.pk]),
        {
            "unit": application.units.get().pk,
            "title": "Baño desinfectado",
            "upload": SimpleUploadedFile("IMG_20261201.jpg", phone_photo(), content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get(application=application)
    assert evidence.kind == Evidence.Kind.PHOTO and evidence.content_type == "image/jpeg"
    shown = _shown(client, evidence)
    assert_clean_and_upright(shown)
    assert evidence.size == len(shown)


def test_evaluator_photo_evidence_is_stored_without_gps_and_upright(client, application, evaluator):
    client.force_login(evaluator)
    client.post(
        reverse("competency:evaluator_evidence", args=[application.pk]),
        {
            "unit": application.units.get().pk,
            "title": "Desinfección de superficies",
            "upload": SimpleUploadedFile("foto.jpg", phone_photo(), content_type="image/jpeg"),
        },
    )
    evidence = Evidence.objects.get(application=application, uploaded_by=evaluator)
    assert_clean_and_upright(_shown(client, evidence))
    # The candidate sees the same clean photo.
    client.force_login(application.candidate)
    assert_clean_and_upright(_shown(client, evidence))


def test_documents_sent_with_the_application_lose_their_metadata_too(client, standard, candidate):
    client.force_login(candidate)
    client.post(
        reverse("competency:apply", args=[standard.pk]),
        {
            "experience_years": 3,
            "experience": "Tres años limpiando oficinas en Miraflores.",
            "documents": [
                SimpleUploadedFile("constancia.jpg", phone_photo(), content_type="image/jpeg"),
                SimpleUploadedFile("carné.png", phone_photo("PNG"), content_type="image/png"),
                SimpleUploadedFile("carta.webp", phone_photo("WEBP"), content_type="image/webp"),
                SimpleUploadedFile("carta.pdf", b"%PDF-1.4 carta", content_type="application/pdf"),
            ],
        },
    )
    application = Application.objects.get(candidate=candidate)
    documents = {d.content_type: d for d in ApplicationDocument.objects.filter(application=application)}
    assert set(documents) == {"image/jpeg", "image/png", "image/webp", "application/pdf"}
    for content_type in ("image/jpeg", "image/png", "image/webp"):
        response = client.get(reverse("competency:document_download", args=[documents[content_type].pk]))
        data = b"".join(response.streaming_content) if response.streaming else response.content
        assert_clean_and_upright(data)
    # PDFs are stored as they came.
    with documents["application/pdf"].file.open("rb") as pdf:
        assert pdf.read() == b"%PDF-1.4 carta"


def test_a_jpeg_pillow_cannot_decode_still_loses_its_exif_segment():
    exif = Image.Exif()
    exif[0x0110] = MODEL
    exif[0x8825] = GPS
    segment = b"Exif\x00\x00" + exif.tobytes()
    broken = (
        b"\xff\xd8"
        + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\xff\xe1"
        + (len(segment) + 2).to_bytes(2, "big")
        + segment
        + b"\xff\xfe\x00\x0bCasa mia"
        + b"\x00" * 40
    )
    upload = SimpleUploadedFile("rota.jpg", broken, content_type="image/jpeg")
    uploads.validate_uploads([upload])
    upload.seek(0)
    kept = upload.read()
    assert kept.startswith(b"\xff\xd8\xff\xe0") and b"JFIF" in kept
    assert MODEL.encode() not in kept and b"Exif" not in kept and b"Casa mia" not in kept
    assert upload.size == len(kept)


def test_a_photo_too_large_to_decode_loses_its_gps_and_keeps_only_its_orientation(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_PIXELS_TO_REENCODE", 100)
    upload = SimpleUploadedFile("IMG_20261201.jpg", phone_photo(), content_type="image/jpeg")
    uploads.validate_uploads([upload])
    upload.seek(0)
    kept = upload.read()
    assert MODEL.encode() not in kept and MAKE.encode() not in kept
    with Image.open(io.BytesIO(kept)) as stored:
        assert dict(stored.getexif()) == {0x0112: 6}  # browsers still turn it upright
        assert stored.size == (80, 40)
        stored.load()
