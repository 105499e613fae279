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
