"""A sandboxed (opaque-origin) package frame may ask for package files with ``X-Requested-With`` (H5P does for its
sounds): Chrome first sends a CORS preflight, which must say yes, carry no file, and keep the token check."""

from __future__ import annotations

import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from content.packages.archive import open_archive
from content.packages.services import content_package_store
from content.packages.views import file_token
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

SOUND = b"OggS" + b"\x01" * 200


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "set.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("index.html", "<html><head><title>Conjunto de preguntas</title></head><body>Hola</body></html>")
        zf.writestr("H5P.SingleChoiceSet-1.11/sounds/positive-short.ogg", SOUND)
    with open_archive(path) as archive:
        return content_package_store(archive=archive, engine="scorm12", title="Preguntas de Ñuñoa")


def sound_url(package) -> str:
    learner = UserFactory(first_name="José", last_name="Quispe Ñahui", phone="+51987654321", email="")
    token = file_token(package, user_id=learner.pk)
    path = "H5P.SingleChoiceSet-1.11/sounds/positive-short.ogg"
    return reverse("packages:package_file", args=[package.uuid, token, path])


def test_a_preflight_from_the_sandboxed_frame_is_allowed_without_the_file(package):
    response = Client().options(
        sound_url(package),
        headers={
            "Origin": "null",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-Requested-With, Authorization, Cookie, Range",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Headers"] == "x-requested-with, range"  # never credentials
    assert "Access-Control-Allow-Credentials" not in response
    assert int(response["Access-Control-Max-Age"]) > 0


def test_a_preflight_with_a_forged_token_is_refused(package):
    url = reverse("packages:package_file", args=[package.uuid, "1:abc:forjado", "index.html"])
    response = Client().options(url, headers={"Origin": "null", "Access-Control-Request-Headers": "x-requested-with"})
    assert response.status_code == 404
    assert "Access-Control-Allow-Headers" not in response


def test_the_file_itself_is_served_as_before(package):
    response = Client().get(sound_url(package), headers={"Origin": "null", "X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SOUND
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "sandbox" in response["Content-Security-Policy"]
