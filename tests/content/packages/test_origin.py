"""The package origin (RUTA_PACKAGE_ORIGIN, content/packages/origin.py): routing by host, the system check, package
addresses on that origin, its worker and download helper, and the offline bundle with the package files."""

from __future__ import annotations

import os
import re
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from content.packages.archive import open_archive
from content.packages.origin import offline_key, package_origin_check, package_origin_deploy_check
from content.packages.services import content_package_store
from content.packages.views import SANDBOX_CSP, SANDBOX_CSP_PACKAGE_ORIGIN, file_token

pytestmark = pytest.mark.django_db

RUTA = "https://ruta.example.org"
PACKAGES = "https://paquetes.example.org"


@pytest.fixture
def package(tmp_path, private_root):
    path = tmp_path / "sco.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("index.html", "<html><head><title>SCO</title></head><body>hola</body></html>")
        zf.writestr("img/logo.png", b"\x89PNG" + b"0" * 300)
        zf.writestr("js/app.js", "var x = 1;" * 50)
    with open_archive(path) as archive:
        return content_package_store(archive=archive, engine="scorm12", title="SCO")


@pytest.fixture
def origin(settings):
    settings.RUTA_BASE_URL = RUTA
    settings.RUTA_PACKAGE_ORIGIN = PACKAGES
    settings.ALLOWED_HOSTS = ["ruta.example.org", "paquetes.example.org", "testserver"]
    return settings


def on(host: str) -> Client:
    return Client(HTTP_HOST=host)


def file_url(package, path: str = "index.html") -> str:
    return reverse("packages:package_file", args=[package.uuid, file_token(package), path])


# --- Routing by host


def test_the_package_host_answers_only_package_routes(origin, package, user):
    packages = on("paquetes.example.org")
    response = packages.get(file_url(package))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == SANDBOX_CSP_PACKAGE_ORIGIN
    assert "allow-same-origin" in SANDBOX_CSP_PACKAGE_ORIGIN
    assert "allow-top-navigation" not in SANDBOX_CSP_PACKAGE_ORIGIN
    assert "packages/sco-frame.js" in response.content.decode()
    assert packages.get(file_url(package, "img/logo.png")).status_code == 200
    # Ruta's pages, accounts, admin, commits and stable package links are not there, signed in or not.
    packages.force_login(user)
    for path in (
        "/",
        "/aprender/mis-cursos/",
        "/cuenta/mis-datos.json",
        "/admin/",
        "/django-admin/",
        "/accounts/login/",
        reverse("packages:scorm_commit", args=[package.uuid]),
        reverse("packages:package_open", args=[package.uuid]),
        "/paquetes/medios/x.mp4",
        "/healthz",
    ):
        response = packages.get(path)
        assert response.status_code == 404, path
        assert response.content == b"Not found" and "Set-Cookie" not in response, path
    assert packages.post(reverse("packages:scorm_commit", args=[package.uuid]) + "?usage=x").status_code == 404


def test_a_package_may_not_install_its_own_worker_on_the_package_origin(origin, package):
    response = on("paquetes.example.org").get(file_url(package, "js/app.js"), HTTP_SERVICE_WORKER="script")
    assert response.status_code == 404


def test_the_package_host_serves_its_worker_and_download_helper(origin):
    packages = on("paquetes.example.org")
    worker = packages.get("/paquetes/sw.js")
    assert worker.status_code == 200 and worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/paquetes/" and "no-cache" in worker["Cache-Control"]
    assert "caches.match" in worker.content.decode()
    helper = packages.get("/paquetes/ayudante/")
    assert helper.status_code == 200
    assert f"frame-ancestors {RUTA}" in helper["Content-Security-Policy"]
    assert "script-src 'self'" in helper["Content-Security-Policy"]
    html = helper.content.decode()
    assert f'data-ruta-origin="{RUTA}"' in html and "packages/origin-helper.js" in html
    assert "X-Frame-Options" not in helper


def test_rutas_host_hands_package_files_to_the_package_origin(origin, package):
    ruta = on("ruta.example.org")
    url = file_url(package)
    response = ruta.get(url + "?a=1")
    assert response.status_code == 302 and response["Location"] == f"{PACKAGES}{url}?a=1"
    h5p = reverse("packages:h5p_frame", args=[package.uuid, file_token(package)])
    assert ruta.get(h5p)["Location"] == PACKAGES + h5p
    assert ruta.post(url).status_code == 404  # never served on Ruta's host, whatever the method
    # Its worker and helper live only on the package host.
    assert ruta.get("/paquetes/sw.js").status_code == 404
    assert ruta.get("/paquetes/ayudante/").status_code == 404


def test_stable_package_links_open_on_the_package_origin(origin, package, user):
    ruta = on("ruta.example.org")
    ruta.force_login(user)
    user.is_superuser = True
    user.save()
    response = ruta.get(reverse("packages:open_file", args=[package.uuid, "index.html"]))
    assert response.status_code == 302 and response["Location"].startswith(PACKAGES + "/paquetes/")


def test_without_a_package_origin_nothing_changes(settings, package):
    settings.RUTA_PACKAGE_ORIGIN = ""
    client = Client()
    response = client.get(file_url(package))
    assert response.status_code == 200 and response["Content-Security-Policy"] == SANDBOX_CSP
    assert client.get("/paquetes/sw.js").status_code == 404
    assert client.get("/paquetes/ayudante/").status_code == 404
    assert "frame-src 'self';" in client.get("/")["Content-Security-Policy"] + ";"


def test_rutas_pages_may_frame_the_package_origin(origin):
    policy = on("ruta.example.org").get("/")["Content-Security-Policy"]
    frame_src = re.search(r"frame-src ([^;]+)", policy).group(1).split()
    assert frame_src == ["'self'", PACKAGES]


def test_the_h5p_frame_on_the_package_origin_sends_results_to_ruta_only(origin, tmp_path, private_root):
    from tests.fixtures.packages import h5p_true_false

    with open_archive(h5p_true_false(tmp_path / "vf.h5p")) as archive:
        h5p = content_package_store(archive=archive, engine="h5p", title="Verdadero o falso")
    response = on("paquetes.example.org").get(reverse("packages:h5p_frame", args=[h5p.uuid, file_token(h5p)]))
    assert response.status_code == 200 and response["Content-Security-Policy"] == SANDBOX_CSP_PACKAGE_ORIGIN
    html = response.content.decode()
    assert f'statement: event.data.statement}}, "{RUTA}")' in html
    assert '"*")' not in html


# --- System check


def test_the_check_accepts_a_separate_package_host(origin):
    assert package_origin_check() == []
    assert package_origin_deploy_check() == []


def test_the_check_refuses_rutas_own_host_or_a_path(origin):
    origin.RUTA_PACKAGE_ORIGIN = "https://ruta.example.org"
    assert [e.id for e in package_origin_check()] == ["packages.E002"]
    origin.RUTA_PACKAGE_ORIGIN = "https://paquetes.example.org/paquetes"
    assert [e.id for e in package_origin_check()] == ["packages.E001"]


@pytest.mark.parametrize("name", ["SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN"])
def test_the_check_refuses_cookies_that_would_reach_the_package_host(origin, name):
    setattr(origin, name, ".example.org")
    assert [e.id for e in package_origin_check()] == ["packages.E003"]
    setattr(origin, name, "ruta.example.org")
    assert package_origin_check() == []


def test_the_check_wants_the_package_host_allowed_and_https_in_production(origin):
    origin.ALLOWED_HOSTS = ["ruta.example.org"]
    assert [e.id for e in package_origin_check()] == ["packages.E004"]
    origin.RUTA_PACKAGE_ORIGIN = "http://paquetes.example.org"
    assert [w.id for w in package_origin_deploy_check()] == ["packages.W001"]


def test_settings_add_the_package_host_to_allowed_hosts():
    import subprocess
    import sys

    code = (
        "from django.conf import settings; print(settings.ALLOWED_HOSTS, settings.LANGUAGE_COOKIE_NAME, "
        "settings.LANGUAGE_COOKIE_SECURE, settings.SESSION_COOKIE_NAME)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lms.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "ruta.example.org",
        "RUTA_BASE_URL": RUTA,
        "DJANGO_PACKAGE_ORIGIN": PACKAGES,
        "RUTA_SIGNING_KEY_PEM": "",
    }
    shown = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", f"import django; django.setup(); {code}"], env=env, capture_output=True, text=True
    )
    assert "'paquetes.example.org'" in shown.stdout, shown.stderr
    # A package script on a host of the same site cannot toss a session or language cookie Ruta would read.
    assert shown.stdout.strip().endswith("__Host-ruta_language True __Host-ruta_session"), shown.stdout
    call_command("check")  # the test settings (no package origin) stay clean


# --- Lesson block and offline bundle


def test_the_lesson_plays_the_package_on_the_package_origin(origin, package, user):
    from courses.services import enrollment_create
    from tests.courses.factories import build_course
    from tests.courses.test_offline import lessons_of, publish
    from tests.courses.test_package_progress import package_block

    course = build_course(modules=1, lessons_per_module=1)
    (lesson,) = lessons_of(course)
    publish(lesson, [package_block(package)])
    enrollment_create(user=user, course=course)
    ruta = on("ruta.example.org")
    ruta.force_login(user)
    html = ruta.get(lesson.url).content.decode()
    frame = re.search(r"<iframe class=\"package-activity__frame\"[^>]*>", html, re.S).group(0)
    assert 'sandbox="allow-scripts allow-same-origin ' in frame
    src = re.search(r'data-src="([^"]+)"', frame).group(1)
    assert src.startswith(f"{PACKAGES}/paquetes/{package.uuid}/") and src.endswith("/archivos/index.html")
    assert f'data-offline-key="{PACKAGES}/paquetes/{package.uuid}/archivos/index.html"' in frame
    assert 'data-commit-url="/paquetes/' in frame  # progress is still stored on Ruta's own host
    # Without the package origin: the opaque sandbox, relative addresses, no offline key.
    origin.RUTA_PACKAGE_ORIGIN = ""
    html = ruta.get(lesson.url).content.decode()
    frame = re.search(r"<iframe class=\"package-activity__frame\"[^>]*>", html, re.S).group(0)
    assert "allow-same-origin" not in frame and 'data-src="/paquetes/' in frame and "data-offline-key" not in frame


def test_offline_keys_drop_the_expiring_token():
    uuid = "3f2c66cb-326d-4c67-91dd-8b3a72103f93"
    assert (
        offline_key(f"{PACKAGES}/paquetes/{uuid}/1:abc:def/archivos/a/b.html?x=1")
        == f"{PACKAGES}/paquetes/{uuid}/archivos/a/b.html"
    )
    assert offline_key(f"{PACKAGES}/paquetes/{uuid}/1:abc:def/h5p/") == f"{PACKAGES}/paquetes/{uuid}/h5p/"


def test_the_offline_bundle_includes_the_package_files_on_the_package_origin(origin, package, user):
    from content.packages.selectors import package_runtime_static
    from courses.selectors import _static_size
    from courses.services import enrollment_create
    from tests.courses.factories import build_course
    from tests.courses.test_offline import lessons_of, publish
    from tests.courses.test_package_progress import package_block

    course = build_course(modules=1, lessons_per_module=2)
    first, second = lessons_of(course)
    publish(first, [package_block(package)])
    publish(second, [package_block(package)])  # the same package twice: its files once
    enrollment_create(user=user, course=course)
    ruta = on("ruta.example.org")
    ruta.force_login(user)
    data = ruta.get(reverse("courses:offline_bundle", args=[course.pk])).json()
    items = [i for i in data["items"] if i["kind"] == "package"]
    files = [i for i in items if "/archivos/" in i["url"]]
    prefix = f"{PACKAGES}/paquetes/{package.uuid}/"
    assert sorted(i["url"].rsplit("/archivos/", 1)[1] for i in files) == ["img/logo.png", "index.html", "js/app.js"]
    assert all(i["url"].startswith(prefix) and i["v"] for i in files)
    assert sum(i["size"] for i in files) == package.total_size
    runtime = {i["url"]: i["size"] for i in items if "/static/" in i["url"]}
    assert runtime == {
        f"{PACKAGES}/static/{name}": _static_size(name) for name in package_runtime_static(package.engine)
    }
    # The size shown before downloading counts them; the lesson side of the player is still one of Ruta's assets.
    base = sum(i["size"] for i in data["items"] if i["kind"] in ("page", "asset", "image", "package"))
    assert data["sizes"]["base"] == base
    assert "/static/packages/player.js" in [i["url"] for i in data["items"] if i["kind"] == "asset"]
    # The addresses carry a token for this learner, which the package host accepts.
    path = files[0]["url"][len(PACKAGES) :]
    assert on("paquetes.example.org").get(path).status_code == 200


def test_the_offline_bundle_sizes_an_h5p_package_with_its_frame_and_runtime(origin, user, tmp_path, private_root):
    import uuid as uuid_module

    from courses.models import LessonPage
    from courses.services import enrollment_create
    from tests.courses.factories import build_course
    from tests.fixtures.packages import h5p_true_false

    with open_archive(h5p_true_false(tmp_path / "vf.h5p")) as archive:
        h5p = content_package_store(archive=archive, engine="h5p", title="Verdadero o falso")
    course = build_course(modules=1, lessons_per_module=1)
    lesson = LessonPage.objects.descendant_of(course).get()
    value = {"package": str(h5p.uuid), "engine": "h5p", "title": "VF", "launch": "h5p.json", "parameters": ""}
    lesson.body = [{"type": "package", "id": str(uuid_module.uuid4()), "value": {**value, "tracked": True}}]
    lesson.save_revision().publish()
    enrollment_create(user=user, course=course)
    ruta = on("ruta.example.org")
    ruta.force_login(user)
    items = [i for i in ruta.get(reverse("courses:offline_bundle", args=[course.pk])).json()["items"]]
    urls = [i["url"] for i in items if i["kind"] == "package"]
    assert any(re.fullmatch(rf"{PACKAGES}/paquetes/{h5p.uuid}/[^/]+/h5p/", url) for url in urls)
    assert f"{PACKAGES}/static/vendor/h5p-standalone/main.bundle.js" in urls
    assert f"{PACKAGES}/static/vendor/h5p-standalone/frame.bundle.js" in urls
    assert sum(i["size"] for i in items if "/archivos/" in i["url"]) == h5p.total_size


def test_without_a_package_origin_the_bundle_has_no_package_files(settings, package, user):
    from courses.selectors import offline_bundle_for_learner
    from tests.courses.factories import build_course
    from tests.courses.test_offline import lessons_of, publish
    from tests.courses.test_package_progress import package_block

    settings.RUTA_PACKAGE_ORIGIN = ""
    course = build_course(modules=1, lessons_per_module=1)
    (lesson,) = lessons_of(course)
    publish(lesson, [package_block(package)])
    bundle = offline_bundle_for_learner(course=course, user=user)
    assert not [i for i in bundle.items if i.kind == "package"]
