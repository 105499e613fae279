"""The import admin pages fit a 360 px phone: nothing wider than the screen (issue #13)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from courses.imports.models import PackageImport
from courses.imports.services import package_import_create, package_import_run
from tests.courses.factories import catalogue
from tests.fixtures import packages
from tests.lms.accounts.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_pages_fit_a_360px_phone(phone_page, live_server, tmp_path):
    catalogue()
    title = "Administración financiera para emprendedoras y emprendedores migrantes en Lima y Quito"
    content = {"question": "<p>¿El alquiler es fijo?</p>", "correct": "true"}
    path = packages._h5p(tmp_path / f"{'paquete-con-un-nombre-muy-largo-' * 3}.h5p", title, "H5P.TrueFalse", content)
    record = package_import_run(package_import=package_import_create(file=path))
    assert record.status == PackageImport.Status.DONE, record.error
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, first_name="María José"))
    phone_page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for url in (reverse("imports_admin:list"), reverse("imports_admin:detail", args=[record.pk])):
        phone_page.goto(url)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        # Wagtail's main area clips sideways, so also look at every element: none may stick out of the screen.
        wide = phone_page.evaluate(
            """[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 361)
                 .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
        )
        assert width <= 360 and wide == [], (url, width, wide)
    phone_page.goto(reverse("imports_admin:list"))
    phone_page.get_by_role("link", name=title).click()
    status = phone_page.locator(".ruta-imports p", has_text="Estado:").first
    status.wait_for()
    assert status.inner_text() == "Estado: Importado"
    assert phone_page.get_by_text("Importación en marcha").count() == 0
