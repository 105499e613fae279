"""locale_overrides/: the Wagtail admin speaks Spanish on its main screens (issue #13): no English string of
Wagtail's own catalogue is left untranslated on the dashboard, page explorer, search, page editor, image/document
choosers and imports.

Wagtail 8's ``es`` catalogue lacks a few strings; Ruta fills them in ``locale_overrides/`` (first in LOCALE_PATHS)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import wagtail
from django.urls import reverse
from django.utils import translation

from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

MSGID = re.compile(r'^msgid "(.+)"\n(?!msgid_plural)', re.M)


def wagtail_msgids() -> set[str]:
    """Single-line msgids of every Wagtail app's English catalogue (the strings Wagtail can show)."""
    ids: set[str] = set()
    for po in Path(wagtail.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"):
        ids |= {m.replace('\\"', '"') for m in MSGID.findall(po.read_text())}
    return {i for i in ids if re.search(r"[A-Za-z]{3}", i) and "%" not in i and "{" not in i}


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "aria-label", "title", "alt") and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def untranslated_on(html: str, candidates: set[str]) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return {t for t in parser.texts if t in candidates}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_main_admin_screens_show_no_english(admin_client):
    course = CoursePageFactory(code="SST-1", title="Seguridad en el trabajo")
    lesson = LessonPageFactory(parent=ModulePageFactory(parent=course), title="Riesgos")
    with translation.override("es"):
        english = {m for m in wagtail_msgids() if translation.gettext(m) == m}
    urls = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[course.pk]),
        reverse("wagtailadmin_pages:search") + "?q=riesgos",
        reverse("wagtailadmin_pages:edit", args=[course.pk]),
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
        reverse("wagtailimages:index"),
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs_chooser:choose"),
        reverse("wagtailadmin_choose_page"),
        reverse("imports_admin:list"),
    ]
    found = {}
    for url in urls:
        response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200, url
        html = response.content.decode()
        if response["Content-Type"].startswith("application/json"):
            html = response.json().get("html", "")
        if left := untranslated_on(html, english):
            found[url] = sorted(left)
    assert found == {}


def test_strings_reported_in_issue_13_are_spanish(admin_client):
    home = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'placeholder="Buscar en todas las páginas…"' in home and "Search all pages" not in home
    assert '"name": "explorer", "label": "P\\u00e1ginas"' in home  # the sidebar's page explorer
    with translation.override("es"):
        assert translation.gettext("Include descendants") == "Incluir subpáginas"
        assert translation.gettext("Pages") == "Páginas"


def test_a_learner_sent_to_the_admin_login_reads_spanish(client):
    """A signed-in participant who opens /admin/ is sent to Wagtail's login with a message Wagtail's Spanish lacks."""
    client.force_login(UserFactory(first_name="Yolimar", last_name="Rodríguez", phone="+51987654321"))
    response = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="es", follow=True)
    page = response.content.decode()
    assert response.redirect_chain and reverse("wagtailadmin_login") in response.redirect_chain[-1][0]
    assert "No tienes permiso para entrar a la administración de Ruta." in page
    assert "You do not have permission to access the admin." not in page


def test_strings_an_author_met_in_english_are_spanish(admin_client):
    """Audit 2026-12-07: the lesson editor, the page listing and the dashboard showed these in English."""
    with translation.override("es"):
        assert translation.gettext("Privacy and access") == "Privacidad y acceso"
        assert translation.gettext("Autosave is paused") == "El guardado automático está en pausa"
        assert translation.gettext("More options for '%(title)s'") == "Más opciones para «%(title)s»"
        assert translation.gettext("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s") == (
            "%(start_index)s-%(end_index)s de %(items_count)s %(model_name)s"
        )
    course = CoursePageFactory(code="SST-2", title="Salud en el trabajo")
    ModulePageFactory(parent=course, title="Riesgos")
    listing = admin_client.get(reverse("wagtailadmin_explore", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="es")
    assert " of 1 " not in listing.content.decode()
    # A lesson saved with a missing title: the error message is Spanish.
    module = ModulePageFactory(parent=course, title="Prevención")
    response = admin_client.post(
        reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", module.pk]),
        {"title": "", "slug": "", "body-count": "0"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    page = response.content.decode()
    assert "No se pudo crear la página porque hay errores de validación." in page
    assert "The page could not be created due to validation errors." not in page
    # The block chooser's search box is drawn by Wagtail's script, from its JavaScript catalogue.
    catalogue = admin_client.get(reverse("wagtailadmin_javascript_catalog"), HTTP_ACCEPT_LANGUAGE="es")
    assert "Buscar opciones\\u2026" in catalogue.content.decode() or "Buscar opciones…" in catalogue.content.decode()
