"""In headless Chromium: a package's HTML opened directly (its signed URL, not inside the lesson's sandboxed
iframe) runs in an opaque origin, so its scripts can neither read Ruta's cookies nor fetch a learner's data."""

from __future__ import annotations

import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from content.packages.archive import open_archive
from content.packages.services import content_package_store
from content.packages.views import file_token
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROBE = """async () => {
  let cookie, data;
  try { cookie = "read:" + document.cookie; } catch (e) { cookie = "threw:" + e.name; }
  try {
    const r = await fetch("/cuenta/mis-datos.json", {credentials: "include"});
    data = "status:" + r.status + ":" + (await r.text()).slice(0, 2000);
  } catch (e) { data = "failed:" + e.name; }
  return {origin: window.origin, cookie: cookie, data: data};
}"""


def test_package_html_opened_directly_cannot_act_as_the_learner(phone_page, live_server, tmp_path, private_root):
    path = tmp_path / "sco.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "index.html", "<!doctype html><html><head><title>SCO</title></head><body><h1>Hola</h1></body></html>"
        )
    with open_archive(path) as archive:
        package = content_package_store(archive=archive, engine="scorm12", title="SCO")
    learner = UserFactory(first_name="Yolimar", last_name="Rodríguez", phone="+51987000401")
    client = Client()
    client.force_login(learner)
    page = phone_page
    page.context.add_cookies(
        [
            {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url},
            {"name": "csrftoken", "value": "k" * 32, "url": live_server.url},
        ]
    )

    # On a Ruta page the same script reads the CSRF cookie and the learner's data: the probe can tell.
    page.goto("/cuenta/")
    on_ruta = page.evaluate(PROBE)
    assert "csrftoken=" in on_ruta["cookie"]
    assert on_ruta["data"].startswith("status:200") and "Yolimar" in on_ruta["data"]

    page.goto(reverse("packages:package_file", args=[package.uuid, file_token(package), "index.html"]))
    page.get_by_role("heading", name="Hola").wait_for()
    in_package = page.evaluate(PROBE)
    assert in_package["origin"] == "null"  # opaque origin
    assert in_package["cookie"] == "threw:SecurityError"
    assert in_package["data"] == "failed:TypeError"  # the credentialed request is refused, nothing is read
