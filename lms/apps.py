"""App configs that belong to no Ruta app (the project itself)."""

from django.contrib.admin.apps import AdminConfig


class SuperuserAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``lms.admin_site.SuperuserAdminSite`` as its default site."""

    default_site = "lms.admin_site.SuperuserAdminSite"
