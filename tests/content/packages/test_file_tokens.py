"""Package file addresses stay the same for a learner within a token window, so a phone does not pay twice for a
package; they still belong to one person and still expire (content/packages/views.py, README «Residual risks»)."""

from __future__ import annotations

import re
import time
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from content.packages import views
from content.packages.archive import open_archive
from content.packages.services import content_package_store
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.content.packages.player_urls")]

# 10:00:20 on some day, UTC: 20 s into a token window.
WINDOW_START = 1_760_000_400 - 1_760_000_400 % views.TOKEN_WINDOW
MORNING = WINDOW_START + 20


@pytest.fixture
def package(tmp_path):
    path = tmp_path / "plan.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("index.html", "<html><head><title>Plan de negocio</title></head><body>Hola</body></html>")
        zf.writestr("img/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    with open_archive(path) as archive:
        return content_package_store(archive=archive, engine="scorm12", title="Plan de negocio")


@pytest.fixture
def clock(monkeypatch):
    """``clock(t)`` sets the time every signature and expiry check reads."""

    def set_to(moment: float) -> None:
        monkeypatch.setattr(time, "time", lambda: float(moment))

    return set_to


def learner(first: str, last: str, phone: str):
    person = UserFactory(first_name=first, last_name=last, phone=phone, email="")
    client = Client()
    client.force_login(person)
    return person, client


def frame(client: Client, package) -> tuple[str, int]:
    """The package address the lesson shows this learner, and when the page will refresh its links."""
    html = client.get(f"/prueba-paquete/{package.uuid}/?launch=index.html").content.decode()
    src = re.search(r'data-src="([^"]+)"', html).group(1)
    expires = int(re.search(r'data-links-expire="(\d+)"', html).group(1))
    return src, expires


def test_a_second_visit_shows_the_same_package_addresses_and_another_person_gets_others(clock, package):
    rosa, rosa_client = learner("Rosa Elvira", "Quispe Huamán", "+51987654321")
    _jose, jose_client = learner("José Andrés", "Guzmán Peña", "+593991234567")

    clock(MORNING)
    first, expires = frame(rosa_client, package)
    clock(MORNING + 65)  # Rosa comes back to the lesson a minute later
    second, _ = frame(rosa_client, package)
    assert first == second, "the same address: the phone's cache serves the package's files again"
    assert f"/{rosa.pk}:" in first
    # The page reloads itself for fresh links before the token's window has run out, not 2 h after this render.
    assert expires == WINDOW_START + views.TOKEN_MAX_AGE

    jose_address, _ = frame(jose_client, package)
    assert jose_address != first, "another learner on the same package gets an address of their own"

    clock(WINDOW_START + views.TOKEN_WINDOW + 5)  # the next window: the address rotates
    rotated, rotated_expires = frame(rosa_client, package)
    assert rotated != first and rotated_expires == WINDOW_START + views.TOKEN_WINDOW + views.TOKEN_MAX_AGE


def test_an_address_from_an_expired_window_is_refused(client, clock, package):
    rosa = UserFactory(first_name="Rosa Elvira", last_name="Quispe Huamán", phone="+51987654321", email="")
    clock(MORNING)
    token = views.file_token(package, user_id=rosa.pk)
    url = reverse("packages:package_file", args=[package.uuid, token, "img/logo.png"])
    assert views.TOKEN_MAX_AGE <= 2 * 3600  # a leaked link never lives longer than before

    clock(WINDOW_START + views.TOKEN_MAX_AGE - 1)  # the last second of its life
    assert client.get(url).status_code == 200
    clock(WINDOW_START + views.TOKEN_MAX_AGE + 1)
    assert client.get(url).status_code == 404
    # Someone else's id in a copied link still breaks the signature.
    forged = token.replace(f"{rosa.pk}:", f"{rosa.pk + 1}:", 1)
    clock(MORNING)
    assert client.get(reverse("packages:package_file", args=[package.uuid, forged, "img/logo.png"])).status_code == 404


def test_the_phone_keeps_a_file_privately_and_never_past_its_address(client, clock, package):
    clock(MORNING)
    token = views.file_token(package, user_id=7)
    url = reverse("packages:package_file", args=[package.uuid, token, "img/logo.png"])
    clock(WINDOW_START + 1800)  # half an hour into the window: 90 minutes of validity left
    response = client.get(url)
    control = response["Cache-Control"]
    assert "private" in control and "public" not in control
    assert f"max-age={views.TOKEN_MAX_AGE - 1800}" in control  # the cache forgets it when the server would refuse it
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_html_ruta_writes_into_is_revalidated_and_comes_back_empty(client, clock, package):
    """SCORM HTML carries Ruta's runtime (static addresses change with each release): asked again each time, a 304
    without a body while unchanged."""
    clock(MORNING)
    url = reverse("packages:package_file", args=[package.uuid, views.file_token(package, user_id=7), "index.html"])
    response = client.get(url)
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again["Content-Security-Policy"].startswith("sandbox")
