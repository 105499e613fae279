"""A course that belongs to an institution is changed in the Wagtail admin only by that institution's staff.

Wagtail's stock «Editors» group (the one ready-made group a superuser would hand an institution admin) may edit
every page of the tree; an institution admin of Alternativa (Peru) in it must still not edit, publish, delete,
add to, move or export FUDELA's (Ecuador) course — reproduced by an audit on production settings.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from courses.models import LessonPage
from lms.accounts.models import Role
from tests.courses.factories import CoursePageFactory, LessonPageFactory, ModulePageFactory
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    alternativa = InstitutionFactory(name="Alternativa", slug="alternativa", country="PE")
    fudela = InstitutionFactory(name="FUDELA", slug="fudela", country="EC")
    ours = CoursePageFactory(title="Gestión de negocios (Lima)", institution=alternativa)
    theirs = CoursePageFactory(title="Bootcamp digital (Guayaquil)", institution=fudela)
    our_module = ModulePageFactory(parent=ours, title="Mi negocio")
    their_module = ModulePageFactory(parent=theirs, title="Primeros pasos")
    return {
        "ours": ours,
        "theirs": theirs,
        "our_lesson": LessonPageFactory(parent=our_module, title="Costos"),
        "their_module": their_module,
        "their_lesson": LessonPageFactory(parent=their_module, title="Correo electrónico"),
    }


@pytest.fixture
def editor(client):
    """Alternativa's institution admin, given Wagtail's stock «Editors» group."""
    person = UserFactory(first_name="Rocío", last_name="Huamán Ñahui", email="")
    MembershipFactory(user=person, institution=InstitutionFactory._meta.model.objects.get(slug="alternativa"),
                      role=Role.INSTITUTION_ADMIN)  # fmt: skip
    person.groups.add(Group.objects.get(name="Editors"))
    client.force_login(person)
    return person


def refused(response) -> bool:
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"].split("?")[0] in ("/admin/", "/admin/login/")
    )


def test_an_institution_admin_edits_her_own_course_but_not_another_institutions(client, world, editor):
    assert client.get(reverse("wagtailadmin_pages:edit", args=[world["our_lesson"].pk])).status_code == 200
    for page in (world["theirs"], world["their_module"], world["their_lesson"]):
        assert refused(client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))), page.title
    lesson = world["their_lesson"]
    publish = client.post(
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
        {"title": "Lección cambiada por otra institución", "slug": lesson.slug, "action-publish": "publish"},
    )
    assert refused(publish)
    lesson.refresh_from_db()
    assert lesson.title == "Correo electrónico" and lesson.live


def test_nor_deletes_unpublishes_adds_to_moves_or_exports_it(client, world, editor):
    theirs, module, lesson = world["theirs"], world["their_module"], world["their_lesson"]
    assert refused(client.post(reverse("wagtailadmin_pages:delete", args=[module.pk])))
    assert refused(client.post(reverse("wagtailadmin_pages:unpublish", args=[lesson.pk])))
    add = reverse("wagtailadmin_pages:add", args=["courses", "lessonpage", module.pk])
    assert refused(client.get(add))
    move = reverse("wagtailadmin_pages:move_confirm", args=[lesson.pk, world["our_lesson"].get_parent().pk])
    assert refused(client.post(move))
    export = client.post(reverse("imports_admin:export", args=[theirs.pk]), {"version": "1"})
    assert refused(export) and "Content-Disposition" not in export
    lesson.refresh_from_db()
    assert lesson.live and lesson.get_parent().pk == module.pk
    assert LessonPage.objects.filter(pk=lesson.pk).exists() and module.get_children().count() == 1
    # Her own course: the export is offered and works.
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[world["ours"].pk])).content.decode()
    assert reverse("imports_admin:export", args=[world["ours"].pk]) in edit
    assert (
        reverse("imports_admin:export", args=[theirs.pk])
        not in client.get(reverse("wagtailadmin_explore", args=[theirs.get_parent().pk])).content.decode()
    )


def test_a_superuser_and_a_course_without_an_institution_keep_wagtails_rules(client, world):
    loose = LessonPageFactory(title="Sin institución")
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[loose.pk])).status_code == 200
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("wagtailadmin_pages:edit", args=[world["their_lesson"].pk])).status_code == 200
