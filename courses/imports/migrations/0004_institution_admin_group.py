"""The group «Administración de la institución»: what the institution-admin role does in the Wagtail admin.

Exactly two permissions: opening the Wagtail admin (``wagtailadmin.access_admin``) and importing packages
(``imports.add_packageimport``). No page, user, group, document or image permission: importing without a target
needs none (the service puts the draft course in the catalogue's «Cursos importados»). Membership in the group
follows the role (``lms.accounts.services.institution_admin_group_sync``); the people who already hold the role
join it here.
"""

from django.db import migrations

GROUP = "Administración de la institución"
PERMISSIONS = (
    ("wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"),
    ("imports", "packageimport", "add_packageimport", "Can add importación de paquete"),
)


def group_create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("accounts", "Membership")
    group, _created = Group.objects.get_or_create(name=GROUP)
    permissions = []
    for app_label, model, codename, name in PERMISSIONS:
        content_type, _ct_created = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _p_created = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        permissions.append(permission)
    group.permissions.set(permissions)
    holders = Membership.objects.filter(
        role="institution_admin", institution__is_active=True, user__is_active=True
    ).values_list("user_id", flat=True)
    group.user_set.add(*set(holders))


def group_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_packageimport_progress_at"),
        ("accounts", "0005_user_language"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        # After Wagtail's migrations that hand «choose» permissions to every group with admin access: the set below
        # is the whole of this group's rights.
        ("wagtaildocs", "0011_add_choose_permissions"),
        ("wagtailimages", "0023_add_choose_permissions"),
    ]

    operations = [migrations.RunPython(group_create, group_delete)]
