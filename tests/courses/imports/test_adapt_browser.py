"""An institution admin imports a real package in the Spanish Wagtail admin, renames a lesson, publishes the course and
finds it in the catalogue (DOMAIN.md story 31: «editable copy; provenance»); another institution's admin does not see
it in the explorer."""

from __future__ import annotations

import re

import pytest

from courses.imports.models import PackageImport
from courses.models import CoursePage, LessonPage
from lms.accounts.models import Role
from tests.corpus import CORPUS, corpus
from tests.courses.factories import catalogue
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), corpus]

# A small real package (pictures in imported text open in the editor too: test_edit_imported_images.py).
PACKAGE = "h5p/H5P.TrueFalse_h5p-standalone-test.h5p"


def sign_in(page, username: str) -> None:
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("clave-segura-123")
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))  # the dashboard, not the login page's ?next=/admin/


def test_an_institution_admin_imports_adapts_and_publishes_a_course(desktop_page, live_server, screenshot):
    catalogue().save_revision().publish()
    alternativa = InstitutionFactory(slug="alternativa-navegador", name="Asociación Alternativa", country="PE")
    fudela = InstitutionFactory(slug="fudela-navegador", name="Fundación FUDELA", country="EC")
    rocio = UserFactory(
        username="rocio-alternativa", first_name="Rocío", last_name="Huamán Ñahui", phone="+51987000331", email=""
    )
    MembershipFactory(user=rocio, institution=alternativa, role=Role.INSTITUTION_ADMIN)
    andres = UserFactory(
        username="andres-fudela", first_name="Andrés", last_name="Cevallos Núñez", phone="+593987000332", email=""
    )
    MembershipFactory(user=andres, institution=fudela, role=Role.INSTITUTION_ADMIN)
    page = desktop_page

    sign_in(page, "rocio-alternativa")
    page.get_by_role("link", name="Importar paquetes").first.click()
    page.locator("input[type=file]").set_input_files(str(CORPUS / PACKAGE))
    page.get_by_role("button", name="Revisar el paquete").click()
    page.get_by_role("button", name="Importar como borrador").click()
    page.get_by_role("link", name="Revisar y publicar el curso").click(timeout=60_000)
    record = PackageImport.objects.get()
    course = CoursePage.objects.get(pk=record.course_page_id)
    assert course.institution == alternativa and not course.live

    # The lesson, reached through the explorer, renamed and saved as a draft.
    lesson = LessonPage.objects.descendant_of(course).get()
    page.goto(f"/admin/pages/{lesson.get_parent().pk}/")
    page.locator(f"main table a[href$='/admin/pages/{lesson.pk}/edit/']", has_text=lesson.title).first.click()
    page.wait_for_url(f"**/admin/pages/{lesson.pk}/edit/")
    page.locator("#id_title").fill("Verdadero o falso: mi negocio en Lima")
    page.get_by_role("button", name="Guardar borrador").click()
    page.get_by_text("actualizada", exact=False).first.wait_for()

    # The course published from its own edit page: its modules and lessons go live with it.
    page.goto(f"/admin/pages/{course.pk}/edit/")
    page.locator("[data-w-dropdown-target='toggle']", has_text="").last.click()
    page.get_by_role("button", name="Publicar").click()
    page.get_by_text("publicada", exact=False).first.wait_for()
    screenshot(page, "import-adapted-published")
    course.refresh_from_db()
    lesson.refresh_from_db()
    assert course.live and lesson.live and lesson.title == "Verdadero o falso: mi negocio en Lima"

    page.context.clear_cookies()
    page.goto(catalogue().url)
    assert course.title in page.locator("main").inner_text()
    page.goto(lesson.url)
    assert page.locator("h1").first.inner_text().strip() == "Verdadero o falso: mi negocio en Lima"

    # Ecuador's admin: not in the explorer, and its edit page is refused.
    sign_in(page, "andres-fudela")
    page.goto(f"/admin/pages/{course.get_parent().pk}/")
    assert course.title not in page.locator("main").inner_text()
    page.goto(f"/admin/pages/{lesson.pk}/edit/")
    assert "/edit/" not in page.url or page.get_by_text("permiso", exact=False).count()
    assert LessonPage.objects.get(pk=lesson.pk).title == "Verdadero o falso: mi negocio en Lima"
