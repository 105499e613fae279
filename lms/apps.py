"""App configs that belong to no Ruta app (the project itself)."""

from django.contrib.admin.apps import AdminConfig
from wagtail.users.apps import WagtailUsersAppConfig


class SuperuserAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``lms.admin_site.SuperuserAdminSite`` as its default site."""

    default_site = "lms.admin_site.SuperuserAdminSite"


class RutaWagtailUsersConfig(WagtailUsersAppConfig):
    """``wagtail.users`` with Ruta's accounts admin (optional e-mail and names, no self-granted rights, deletion
    through the service): ``lms.accounts.wagtail_hooks.StaffUserViewSet``."""

    user_viewset = "lms.accounts.wagtail_hooks.StaffUserViewSet"
