"""The group «Administración de la institución» may adapt the courses its members import (DOMAIN.md story 31).

Wagtail page permissions add, change and publish on the catalogue's «Cursos importados» programme, where an import
without a target puts its draft course — nowhere else, and no bulk delete (a whole course goes with its learners'
enrolments). Which of the courses there a member may touch is Ruta's rule, not Wagtail's: only those of their own
institutions (``courses/page_permissions.py``, applied by ``courses/wagtail_hooks.py``); the programme page itself
and courses nobody owns are refused to people whose only page rights come from this group.

The programme is created on the first import (``courses.imports.services._imported_programme``, which grants the same
permissions then); here it is granted where the programme already exists. Running it again changes nothing.
"""

from django.db import migrations

GROUP = "Administración de la institución"
PROGRAMME_SLUG = "cursos-importados"
PAGE_PERMISSIONS = (
    ("add_page", "Can add a page"),
    ("change_page", "Can edit a page"),
    ("publish_page", "Can publish a page"),
)


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    group, _created = Group.objects.get_or_create(name=GROUP)
    page_type, _ct_created = ContentType.objects.get_or_create(app_label="wagtailcore", model="page")
    catalogue_type = ContentType.objects.filter(app_label="courses", model="cataloguepage").first()
    if catalogue_type is None:
        return
    catalogue_paths = set(Page.objects.filter(content_type=catalogue_type).values_list("path", flat=True))
    for programme in Page.objects.filter(slug=PROGRAMME_SLUG, content_type__app_label="courses"):
        if programme.path[:-4] not in catalogue_paths:
            continue
        for codename, name in PAGE_PERMISSIONS:
            permission, _p_created = Permission.objects.get_or_create(
                content_type=page_type, codename=codename, defaults={"name": name}
            )
            GroupPagePermission.objects.get_or_create(group=group, page=programme, permission=permission)


def revoke(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(group__name=GROUP, page__slug=PROGRAMME_SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0005_packageimport_institution"),
        ("courses", "0007_package_graded"),
        ("wagtailcore", "0090_remove_grouppagepermission_permission_type"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
