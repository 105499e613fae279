"""Who may import packages: the institution-admin role does (DOMAIN.md story 31) through its group; learners and
trainers do not; an institution admin sees only their institution's imports."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.color import no_style
from django.urls import reverse

from courses.imports.models import PackageImport
from courses.models import CoursePage
from lms.accounts.models import Institution, Membership, Role, User
from lms.accounts.services import INSTITUTION_ADMIN_GROUP
from lms.demo import people
from lms.demo.context import DemoContext
from tests.courses.factories import catalogue
from tests.fixtures import packages
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _person(role: str, institution: Institution, first: str, last: str, phone: str):
    user = UserFactory(first_name=first, last_name=last, phone=phone, email="")
    MembershipFactory(user=user, institution=institution, role=role)
    return user


@pytest.fixture
def alternativa() -> Institution:
    return InstitutionFactory(slug="alternativa-prueba", name="Asociación Alternativa", country="PE")


@pytest.fixture
def fudela() -> Institution:
    return InstitutionFactory(slug="fudela-prueba", name="Fundación FUDELA", country="EC")


def _upload(client, path: Path):
    data = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("imports_admin:list"), {"file": data}, follow=True)


def test_the_group_grants_admin_access_and_importing_only():
    group = Group.objects.get(name=INSTITUTION_ADMIN_GROUP)
    granted = {(p.content_type.app_label, p.codename) for p in group.permissions.all()}
    assert granted == {("wagtailadmin", "access_admin"), ("imports", "add_packageimport")}


def test_a_missing_group_is_made_again_when_someone_gets_the_role(fudela):
    """Should the group be gone (deleted by hand, a database flushed without its migrations), giving the role makes
    it again with the same two rights, so the new institution admin can still open the admin and import."""
    Group.objects.filter(name=INSTITUTION_ADMIN_GROUP).delete()
    andrea = _person(Role.INSTITUTION_ADMIN, fudela, "Andrea", "Guamán Ñauta", "+593987000341")
    group = Group.objects.get(name=INSTITUTION_ADMIN_GROUP)
    granted = {(p.content_type.app_label, p.codename) for p in group.permissions.all()}
    assert granted == {("wagtailadmin", "access_admin"), ("imports", "add_packageimport")}
    assert andrea.has_perm("wagtailadmin.access_admin") and andrea.has_perm("imports.add_packageimport")


def test_institution_admin_imports_a_scorm_package_as_a_draft_course(
    client, alternativa, tmp_path, django_capture_on_commit_callbacks
):
    catalogue()
    jorge = _person(Role.INSTITUTION_ADMIN, alternativa, "Jorge", "Mendoza Castillo", "+51987000311")
    client.force_login(jorge)

    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    page = client.get(reverse("imports_admin:list"))
    assert page.status_code == 200 and "Importar paquetes" in page.content.decode()

    response = _upload(client, packages.scorm12_zip(tmp_path / "costos.zip", title="Costos de mi negocio"))
    assert response.status_code == 200 and "Importar como borrador" in response.content.decode()
    record = PackageImport.objects.get()
    assert record.uploaded_by == jorge and record.status == PackageImport.Status.INSPECTED

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports_admin:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == PackageImport.Status.DONE, record.error
    course = CoursePage.objects.get(pk=record.course_page_id)
    assert course.title == "Costos de mi negocio" and not course.live


def test_the_role_removed_takes_the_import_away(client, alternativa):
    maria = _person(Role.INSTITUTION_ADMIN, alternativa, "María José", "Quispe Huamán", "+51987000312")
    Membership.objects.filter(user=maria).delete()
    client.force_login(maria)
    assert client.get(reverse("imports_admin:list")).status_code != 200

    nuria = _person(Role.INSTITUTION_ADMIN, alternativa, "Nuria", "Ñahui Ccori", "+51987000313")
    alternativa.is_active = False
    alternativa.save()
    client.force_login(nuria)
    assert client.get(reverse("imports_admin:list")).status_code != 200


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.TRAINER])
def test_learners_and_trainers_are_refused(client, fudela, tmp_path, role):
    person = _person(role, fudela, "Yolimar", "Pérez Briceño", "+593987000314")
    client.force_login(person)
    assert client.get(reverse("imports_admin:list")).status_code != 200
    response = client.post(
        reverse("imports_admin:list"),
        {"file": SimpleUploadedFile("costos.zip", packages.scorm12_zip(tmp_path / "costos.zip").read_bytes())},
    )
    assert response.status_code != 200
    assert not PackageImport.objects.exists()


def test_another_institutions_import_is_not_visible(client, alternativa, fudela, tmp_path):
    catalogue()
    andres = _person(Role.INSTITUTION_ADMIN, fudela, "Andrés", "Cevallos Núñez", "+593987000315")
    client.force_login(andres)
    _upload(client, packages.scorm12_zip(tmp_path / "ventas.zip", title="Ventas en Guayaquil"))
    theirs = PackageImport.objects.get()

    jorge = _person(Role.INSTITUTION_ADMIN, alternativa, "Jorge", "Mendoza Castillo", "+51987000316")
    client.force_login(jorge)
    listing = client.get(reverse("imports_admin:list"))
    assert listing.status_code == 200 and "Ventas en Guayaquil" not in listing.content.decode()
    assert client.get(reverse("imports_admin:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("imports_admin:status", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("imports_admin:confirm", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == PackageImport.Status.INSPECTED

    client.force_login(andres)  # their own admin still sees it
    assert "Ventas en Guayaquil" in client.get(reverse("imports_admin:list")).content.decode()
    assert client.get(reverse("imports_admin:detail", args=[theirs.pk])).status_code == 200


def test_another_institutions_earlier_import_of_the_same_package_is_not_named(
    client, alternativa, fudela, tmp_path, django_capture_on_commit_callbacks
):
    """«Este paquete ya se importó» listed every earlier import of the same package, so one institution's admin
    read the name of another's course; now only imports they may see are listed."""
    catalogue()
    andres = _person(Role.INSTITUTION_ADMIN, fudela, "Andrés", "Cevallos Núñez", "+593987000317")
    client.force_login(andres)
    _upload(client, packages.scorm12_zip(tmp_path / "ventas.zip", title="Ventas en Guayaquil"))
    theirs = PackageImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports_admin:confirm", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.status == PackageImport.Status.DONE, theirs.error

    jorge = _person(Role.INSTITUTION_ADMIN, alternativa, "Jorge", "Mendoza Castillo", "+51987000318")
    client.force_login(jorge)
    detail = _upload(client, packages.scorm12_zip(tmp_path / "ventas.zip", title="Ventas en Guayaquil"))
    html = detail.content.decode()
    assert "Importar como borrador" in html
    their_course = reverse("wagtailadmin_pages:edit", args=[theirs.course_page_id])
    assert "Este paquete ya se importó" not in html and their_course not in html

    client.force_login(andres)  # the first institution's admin, importing it again, is told
    again = _upload(client, packages.scorm12_zip(tmp_path / "ventas.zip", title="Ventas en Guayaquil")).content.decode()
    assert "Este paquete ya se importó" in again and their_course in again


def test_the_demo_institution_admin_opens_the_import_page(client):
    people.seed(DemoContext(stdout=io.StringIO(), style=no_style()))
    client.force_login(User.objects.get(username="admin-alternativa"))
    assert client.get(reverse("imports_admin:list")).status_code == 200
    client.force_login(User.objects.get(username="facilitadora"))
    assert client.get(reverse("imports_admin:list")).status_code != 200


# --- Adapting the import (DOMAIN.md story 31: «editable copy; provenance») ------------------------------------

# A small real package (packages with pictures open in the editor too: test_edit_imported_images.py).
CORPUS_PACKAGE = "h5p/H5P.TrueFalse_h5p-standalone-test.h5p"


def _import_for(client, person, django_capture_on_commit_callbacks, data=None) -> PackageImport:
    """``person`` uploads a real corpus package through «Importar paquetes» and confirms it."""
    from tests.corpus import CORPUS

    client.force_login(person)
    upload = SimpleUploadedFile("pregunta.h5p", (CORPUS / CORPUS_PACKAGE).read_bytes())
    response = client.post(reverse("imports_admin:list"), {"file": upload, **(data or {})}, follow=True)
    assert response.status_code == 200 and "Importar como borrador" in response.content.decode()
    record = PackageImport.objects.filter(uploaded_by=person).latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports_admin:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == PackageImport.Status.DONE, record.error
    return record


def refused(response) -> bool:
    """Wagtail answers a refused admin page with 403, or a redirect to the dashboard with a message."""
    return response.status_code in (403, 404) or (
        response.status_code == 302 and response["Location"].split("?")[0] in ("/admin/", "/admin/login/")
    )


def _course_form(course: CoursePage, **changes) -> dict:
    """What the Wagtail edit form of ``course`` posts when nothing is changed but ``changes``."""
    from wagtail.test.utils.form_data import rich_text

    data = {
        "title": course.title, "slug": course.slug, "code": course.code, "summary": course.summary,
        "objectives": rich_text(course.objectives or ""), "level": course.level, "language": course.language,
        "delivery_mode": course.delivery_mode, "institution": course.institution_id or "",
        "pass_mark": course.pass_mark, "open_enrollment": "on", "methodology": "", "sub_module": "",
        "comments-TOTAL_FORMS": 0, "comments-INITIAL_FORMS": 0, "comments-MIN_NUM_FORMS": 0,
        "comments-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def peruvian_import(client, alternativa, django_capture_on_commit_callbacks):
    """Asociación Alternativa's admin imports a real H5P package (no target: into «Cursos importados»)."""
    catalogue().save_revision().publish()
    rocio = _person(Role.INSTITUTION_ADMIN, alternativa, "Rocío", "Huamán Ñahui", "+51987000321")
    record = _import_for(client, rocio, django_capture_on_commit_callbacks)
    return rocio, record, CoursePage.objects.get(pk=record.course_page_id)


@pytest.mark.corpus
def test_the_imported_course_belongs_to_the_institution_and_its_admin_publishes_it(
    client, alternativa, peruvian_import
):
    from courses.models import LessonPage

    rocio, record, course = peruvian_import
    assert course.institution == alternativa and not course.live
    assert record.provenance == {} or record.provenance  # provenance is the import's, untouched
    programme = course.get_parent()

    explorer = client.get(reverse("wagtailadmin_explore", args=[programme.pk]))
    assert explorer.status_code == 200 and course.title in explorer.content.decode()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).status_code == 200
    lesson = LessonPage.objects.descendant_of(course).first()
    assert client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])).status_code == 200
    assert client.get(reverse("wagtailadmin_pages:preview_on_edit", args=[lesson.pk])).status_code == 200
    module = lesson.get_parent()
    assert client.get(reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", module.pk])).status_code == 200
    export = client.get(reverse("imports_admin:export", args=[course.pk]))
    assert export.status_code == 200

    published = client.post(
        reverse("wagtailadmin_pages:edit", args=[course.pk]),
        _course_form(course, title="Decisiones para mi negocio (Lima)", **{"action-publish": "publish"}),
    )
    assert published.status_code == 302, published.content.decode()[:2000]
    course.refresh_from_db()
    lesson.refresh_from_db()
    assert course.live and course.title == "Decisiones para mi negocio (Lima)" and lesson.live
    assert course.institution == alternativa  # the edit form kept the owner
    client.logout()
    listing = client.get(catalogue().url)
    assert "Decisiones para mi negocio (Lima)" in listing.content.decode()

    client.force_login(rocio)
    assert client.post(reverse("wagtailadmin_pages:unpublish", args=[lesson.pk])).status_code == 302
    lesson.refresh_from_db()
    assert not lesson.live


@pytest.mark.corpus
def test_another_institutions_admin_has_no_way_into_the_imported_course(
    client, fudela, peruvian_import, django_capture_on_commit_callbacks
):
    from courses.models import LessonPage

    _rocio, _record, course = peruvian_import
    CoursePage.objects.filter(pk=course.pk).update(title="Hola Mundo en Lima")  # the same package, told apart
    course.refresh_from_db()
    andres = _person(Role.INSTITUTION_ADMIN, fudela, "Andrés", "Cevallos Núñez", "+593987000322")
    own = CoursePage.objects.get(pk=_import_for(client, andres, django_capture_on_commit_callbacks).course_page_id)
    assert own.institution == fudela
    assert client.get(reverse("wagtailadmin_pages:edit", args=[own.pk])).status_code == 200  # their own: yes

    lesson = LessonPage.objects.descendant_of(course).first()
    module = lesson.get_parent()
    programme = course.get_parent()
    revision = lesson.get_latest_revision()

    pages = reverse("wagtailadmin_pages:edit", args=[0]).rsplit("/0/", 1)[0]
    for page in (course, module, lesson):
        urls = [
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            reverse("wagtailadmin_pages:delete", args=[page.pk]),
            reverse("wagtailadmin_pages:unpublish", args=[page.pk]),
            reverse("wagtailadmin_pages:move", args=[page.pk]),
            reverse("wagtailadmin_pages:copy", args=[page.pk]),
            reverse("wagtailadmin_pages:add_subpage", args=[page.pk]),
            reverse("wagtailadmin_pages:history", args=[page.pk]),
            reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk]),
            reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
            reverse("wagtailadmin_pages:set_privacy", args=[page.pk]),
            reverse("wagtailadmin_pages:usage", args=[page.pk]),
            f"{pages}/{page.pk}/lock/",
            reverse("wagtailadmin_explore", args=[page.pk]),
        ]
        for url in urls:
            assert refused(client.get(url)), url
        revisions = client.get(reverse("wagtailadmin_pages:revisions_index", args=[page.pk]))
        assert revisions["Location"] == reverse("wagtailadmin_pages:history", args=[page.pk])  # refused above
    for url in (
        reverse("wagtailadmin_pages:revisions_view", args=[lesson.pk, revision.pk]),
        reverse("wagtailadmin_pages:revisions_revert", args=[lesson.pk, revision.pk]),
        reverse("wagtailadmin_pages:revisions_compare", args=[lesson.pk, "earliest", "latest"]),
        reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", module.pk]),
        reverse("imports_admin:export", args=[course.pk]),
    ):
        assert refused(client.get(url)), url

    posts = [
        (reverse("wagtailadmin_pages:edit", args=[course.pk]),
         _course_form(course, title="Curso tomado", **{"action-publish": "publish"})),
        (reverse("wagtailadmin_pages:preview_on_edit", args=[course.pk]), _course_form(course, title="Vista")),
        (reverse("wagtailadmin_pages:delete", args=[lesson.pk]), {}),
        (reverse("wagtailadmin_pages:unpublish", args=[course.pk]), {}),
        (reverse("wagtailadmin_pages:move_confirm", args=[lesson.pk, own.get_children().first().pk]), {}),
        (reverse("wagtailadmin_pages:copy", args=[lesson.pk]),
         {"new_title": "Copia", "new_slug": "copia", "new_parent_page": own.get_children().first().pk}),
        (reverse("wagtailadmin_pages:set_page_position", args=[course.pk]) + "?position=0", {}),
    ]  # fmt: skip
    for url, data in posts:
        assert refused(client.post(url, data)), url
    # Their own lesson may not be copied or moved into the other institution's course either.
    own_lesson = LessonPage.objects.descendant_of(own).first()
    copy = client.post(
        reverse("wagtailadmin_pages:copy", args=[own_lesson.pk]),
        {"new_title": "Copia", "new_slug": "copia-ajena", "new_parent_page": module.pk},
    )
    assert refused(copy)
    assert refused(client.post(reverse("wagtailadmin_pages:move_confirm", args=[own_lesson.pk, module.pk])))
    course.refresh_from_db()
    assert not course.live and course.title != "Curso tomado" and LessonPage.objects.filter(pk=lesson.pk).exists()
    assert module.get_children().count() == 1

    # Nowhere listed: the explorer, its side menu, the admin search, the page chooser, «choose a parent».
    explorer = client.get(reverse("wagtailadmin_explore", args=[programme.pk])).content.decode()
    assert own.title in explorer and course.title not in explorer
    menu = client.get("/admin/api/main/pages/", {"child_of": programme.pk, "for_explorer": 1}).json()
    assert [item["id"] for item in menu["items"]] == [own.pk]
    history = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert own.title in history and course.title not in history
    search = client.get(reverse("wagtailadmin_pages:search"), {"q": "Lima"}).content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[course.pk]) not in search
    chooser = client.get(reverse("wagtailadmin_choose_page_child", args=[programme.pk])).content.decode()
    assert course.title not in chooser
    parents = client.get(reverse("wagtailadmin_pages:choose_parent", args=["courses", "lessonpage"]))
    assert module.title not in parents.content.decode() or str(module.pk) not in parents.content.decode()


@pytest.mark.corpus
def test_the_programme_and_unowned_courses_stay_out_of_an_institution_admins_reach(client, peruvian_import):
    from tests.courses.factories import CoursePageFactory

    rocio, _record, course = peruvian_import
    programme = course.get_parent()
    nobodys = CoursePageFactory(parent=programme, title="Curso de la OIT sin dueño", institution=None)
    client.force_login(rocio)
    for page in (programme, nobodys):
        assert refused(client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))), page.title
        assert refused(client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))), page.title
    assert refused(client.get(reverse("wagtailadmin_pages:add", args=["courses", "coursepage", programme.pk])))
    assert refused(client.post(reverse("wagtailadmin_pages:move_confirm", args=[course.pk, nobodys.pk])))
    assert CoursePage.objects.filter(pk=nobodys.pk).exists()
    explorer = client.get(reverse("wagtailadmin_explore", args=[programme.pk])).content.decode()
    assert course.title in explorer and "Curso de la OIT sin dueño" not in explorer


def test_an_admin_of_two_institutions_chooses_which_one_owns_the_import(
    client, alternativa, fudela, tmp_path, django_capture_on_commit_callbacks
):
    catalogue()
    other = InstitutionFactory(slug="otra-prueba", name="Instituto Ajeno", country="PE")
    lucia = _person(Role.INSTITUTION_ADMIN, alternativa, "Lucía", "Ñique Paredes", "+51987000323")
    MembershipFactory(user=lucia, institution=fudela, role=Role.INSTITUTION_ADMIN)
    client.force_login(lucia)
    page = client.get(reverse("imports_admin:list")).content.decode()
    assert "Asociación Alternativa" in page and "Fundación FUDELA" in page and "Instituto Ajeno" not in page

    package = packages.scorm12_zip(tmp_path / "costos.zip", title="Costos de mi negocio")
    refused = client.post(
        reverse("imports_admin:list"),
        {"file": SimpleUploadedFile("costos.zip", package.read_bytes()), "institution": other.pk},
    )
    assert refused.status_code == 200 and not PackageImport.objects.exists()
    client.post(
        reverse("imports_admin:list"),
        {"file": SimpleUploadedFile("costos.zip", package.read_bytes()), "institution": fudela.pk},
    )
    record = PackageImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports_admin:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert CoursePage.objects.get(pk=record.course_page_id).institution == fudela


def test_staff_may_import_for_no_institution(client, alternativa, tmp_path, django_capture_on_commit_callbacks):
    catalogue()
    admin = UserFactory(first_name="Óscar", last_name="Ruiz", is_staff=True, is_superuser=True, email="")
    client.force_login(admin)
    assert "Asociación Alternativa" in client.get(reverse("imports_admin:list")).content.decode()
    package = packages.scorm12_zip(tmp_path / "costos.zip", title="Costos de mi negocio")
    client.post(reverse("imports_admin:list"), {"file": SimpleUploadedFile("costos.zip", package.read_bytes())})
    record = PackageImport.objects.get()
    assert record.institution is None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports_admin:confirm", args=[record.pk]))
    record.refresh_from_db()
    assert CoursePage.objects.get(pk=record.course_page_id).institution is None


@pytest.mark.corpus
def test_the_institution_admin_cannot_hand_the_course_to_another_institution(client, fudela, peruvian_import):
    rocio, _record, course = peruvian_import
    for institution in (fudela.pk, ""):
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[course.pk]),
            _course_form(course, institution=institution, **{"action-publish": "publish"}),
            follow=True,
        )
        assert "tiene que seguir perteneciendo a una de sus instituciones" in response.content.decode()
        course.refresh_from_db()
        assert course.institution.slug == "alternativa-prueba" and not course.live
