"""Offline study and packages that need the Internet: a lesson whose SCORM/H5P activity loads files from other sites
(a script on a CDN, a video on h5p.org) cannot be studied without signal. The download says which lessons need signal
and leaves those packages out (not counted, not downloaded); the rest of the course still downloads; the lesson says
so on its activity, and offline it never starts the package (no blank or broken frame)."""

from __future__ import annotations

import re
import uuid
import zipfile
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from content.packages.archive import open_archive
from content.packages.models import ContentPackage
from content.packages.services import content_package_store
from courses.models import LessonPage
from courses.services import enrollment_create
from tests.courses.factories import build_course, text_block
from tests.fixtures.packages import scorm12_zip, write_zip
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTE = "Esta actividad necesita Internet: no funcionará sin conexión."
PACKAGES = "https://paquetes.example.org"


def scorm_package(tmp_path: Path, name: str, title: str, head: str = "") -> ContentPackage:
    """The fixture SCORM 1.2 package, its launch page loading ``head``, stored."""
    base = scorm12_zip(tmp_path / f"{name}-base.zip", title=title)
    with zipfile.ZipFile(base) as zf:
        entries: dict[str, bytes | str] = {n: zf.read(n) for n in zf.namelist()}
    entries["shared/launchpage.html"] = (
        f'<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f'<body><h1>{title}</h1><script src="sco.js"></script></body></html>'
    )
    with open_archive(write_zip(tmp_path / f"{name}.zip", entries)) as archive:
        return content_package_store(archive=archive, engine="scorm12", title=title)


def block(package: ContentPackage, title: str) -> dict:
    value = {"package": str(package.uuid), "engine": "scorm12", "title": title, "launch": "shared/launchpage.html"}
    return {"type": "package", "id": str(uuid.uuid4()), "value": {**value, "parameters": "", "tracked": True}}


@pytest.fixture
def course_with_packages(tmp_path, private_root):
    """A three-lesson course: a self-contained SCORM activity, one that loads jQuery from a CDN, and plain text."""
    course = build_course(modules=1, lessons_per_module=3, title="Vende más en tu bodega")
    first, second, third = LessonPage.objects.live().descendant_of(course).order_by("path")
    own = scorm_package(tmp_path, "costos", "Calcula tus costos")
    cdn = scorm_package(
        tmp_path, "ventas", "Simulador de ventas", '<script src="https://ajax.googleapis.com/jquery.min.js"></script>'
    )
    for lesson, body in (
        (first, [text_block("Anota cada gasto del día."), block(own, "Calcula tus costos")]),
        (second, [text_block("Practica con clientes."), block(cdn, "Simulador de ventas")]),
        (third, [text_block("Cierra la caja con calma.")]),
    ):
        lesson.body = body
        lesson.save_revision().publish()
    learner = UserFactory(first_name="María José", last_name="Guamán Quishpe", phone="+593991234567", email="")
    enrollment_create(user=learner, course=course)
    return course, [LessonPage.objects.get(pk=p.pk) for p in (first, second, third)], own, cdn, learner


@pytest.fixture
def package_origin(settings):
    settings.RUTA_PACKAGE_ORIGIN = PACKAGES
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "paquetes.example.org", "testserver"]


def test_the_download_names_the_lesson_that_needs_signal_and_leaves_its_package_out(
    client, course_with_packages, package_origin
):
    course, (first, second, third), own, cdn, learner = course_with_packages
    client.force_login(learner)
    data = client.get(reverse("courses:offline_bundle", args=[course.pk])).json()

    assert data["needs_internet"] == [{"lesson": second.title, "url": second.url, "activity": "Simulador de ventas"}]
    package_urls = [i["url"] for i in data["items"] if i["kind"] == "package"]
    assert any(f"/paquetes/{own.uuid}/" in url for url in package_urls)  # the self-contained one plays offline
    assert not any(str(cdn.uuid) in url for url in package_urls)  # the other is neither downloaded nor counted
    own_bytes = sum(i["size"] for i in data["items"] if str(own.uuid) in i["url"])
    assert own_bytes == own.total_size
    assert data["sizes"]["base"] == sum(
        i["size"] for i in data["items"] if i["kind"] in ("page", "asset", "image", "package")
    )
    # The rest of the course still downloads: every lesson page, the one that needs signal too (its text).
    pages = {i["url"] for i in data["items"] if i["kind"] == "page"}
    assert {first.url, second.url, third.url} <= pages


def test_without_a_package_origin_the_lesson_that_needs_signal_is_named_too(client, course_with_packages):
    course, (_first, second, _third), _own, _cdn, learner = course_with_packages
    client.force_login(learner)
    data = client.get(reverse("courses:offline_bundle", args=[course.pk])).json()
    assert [a["lesson"] for a in data["needs_internet"]] == [second.title]


def test_a_module_download_names_only_its_own_lessons(client, course_with_packages):
    from tests.courses.factories import LessonPageFactory, ModulePageFactory

    course, (_first, second, _third), own, _cdn, learner = course_with_packages
    other = ModulePageFactory(parent=course, title="Módulo 2")
    repaso = LessonPageFactory(parent=other, title="Repaso de costos")
    repaso.body = [block(own, "Calcula tus costos")]
    repaso.save_revision().publish()
    client.force_login(learner)
    url = reverse("courses:offline_bundle", args=[course.pk])
    assert client.get(url, {"modulo": other.pk}).json()["needs_internet"] == []
    first_module = second.get_parent()
    assert [a["lesson"] for a in client.get(url, {"modulo": first_module.pk}).json()["needs_internet"]] == [
        second.title
    ]


def test_the_lesson_says_its_activity_needs_internet_and_never_marks_it_downloaded(
    client, course_with_packages, package_origin
):
    course, (first, second, _third), _own, _cdn, learner = course_with_packages
    client.force_login(learner)

    html = unescape(client.get(second.url).content.decode())
    assert NOTE in html
    frame = re.search(r"<iframe[^>]*package-activity__frame[^>]*>", html, re.S)
    assert frame and "data-offline-key" not in frame.group(0)  # offline, player.js waits for the signal
    assert 'data-msg-offline="Sin conexión: esta actividad se abrirá cuando vuelva la señal."' in html

    html = unescape(client.get(first.url).content.decode())
    assert NOTE not in html
    frame = re.search(r"<iframe[^>]*package-activity__frame[^>]*>", html, re.S)
    assert frame and "data-offline-key" in frame.group(0)  # downloaded with the course, it plays offline


def test_the_course_page_download_panel_can_list_lessons_that_need_signal(client, course_with_packages):
    course, _lessons, _own, _cdn, learner = course_with_packages
    client.force_login(learner)
    html = unescape(client.get(course.url).content.decode())
    assert "data-offline-online-list" in html
    assert "«{activity}» necesita Internet: no funcionará sin conexión." in html
