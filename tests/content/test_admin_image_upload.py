"""A damaged photo uploaded in the Wagtail admin is refused with a message, never an error page.

Staff add images one at a time (/admin/images/add/), several at once (/admin/images/multiple/add/, which answers
JSON) and through the image chooser (the branding logo, page images); a truncated JPEG or another file renamed to
.jpg used to end in «Algo salió mal» (PIL.UnidentifiedImageError inside Wagtail's own checks).
"""

from __future__ import annotations

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Collection

from content.image_forms import RutaImageForm
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

UNREADABLE = "No pudimos leer la imagen: puede estar dañada o incompleta."


def real_jpeg() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (320, 240), (200, 120, 40)).save(out, "JPEG", quality=90)
    return out.getvalue()


def truncated_jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile("plaza-de-armas.jpg", real_jpeg()[:200], content_type="image/jpeg")


def html_as_jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.jpg", b"<!doctype html><title>hola</title><p>no soy una foto</p>", "image/jpeg")


@pytest.fixture
def staff(client, settings, tmp_path, private_root):
    settings.MEDIA_ROOT = tmp_path / "media"
    user = UserFactory(first_name="Maribel", last_name="Ñahui Cárdenas", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def collection():
    return Collection.get_first_root_node() or Collection.add_root(name="Root")


def test_setting_uses_rutas_form():
    from wagtail.images.forms import get_image_base_form

    assert get_image_base_form() is RutaImageForm


@pytest.mark.parametrize("make_upload", [truncated_jpeg, html_as_jpeg], ids=["truncated", "html"])
def test_single_add_refuses_an_unreadable_image(staff, collection, make_upload):
    response = staff.post(
        reverse("wagtailimages:add"),
        {"title": "Plaza de Armas", "file": make_upload(), "collection": collection.pk},
    )
    assert response.status_code == 200
    assert UNREADABLE in html.unescape(response.content.decode())
    assert not Image.objects.exists()


@pytest.mark.parametrize("make_upload", [truncated_jpeg, html_as_jpeg], ids=["truncated", "html"])
def test_multiple_add_refuses_an_unreadable_image(staff, collection, make_upload):
    response = staff.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": make_upload(), "collection": collection.pk},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["success"] is False
    assert UNREADABLE in html.unescape(data.get("error_message", "") + data.get("form", ""))
    assert not Image.objects.exists()


def test_chooser_upload_refuses_an_unreadable_image(staff, collection):
    """The chooser (the branding logo's «Elegir imagen» › «Subir») shows the message again instead of failing."""
    response = staff.post(
        reverse("wagtailimages_chooser:create") + "?select_format=false",
        {
            "image-chooser-upload-title": "Logo",
            "image-chooser-upload-file": truncated_jpeg(),
            "image-chooser-upload-collection": collection.pk,
        },
    )
    assert response.status_code == 200
    assert UNREADABLE in html.unescape(response.json()["htmlFragment"])
    assert not Image.objects.exists()


def test_a_good_photo_is_still_added(staff, collection):
    response = staff.post(
        reverse("wagtailimages:add"),
        {
            "title": "Plaza de Armas",
            "file": SimpleUploadedFile("plaza.jpg", real_jpeg(), "image/jpeg"),
            "collection": collection.pk,
        },
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (320, 240)
