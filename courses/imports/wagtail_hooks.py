"""Wagtail admin: "Importar paquetes" (upload, report, confirm, progress, result)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

admin_urls = [
    path("", admin_views.import_list, name="list"),
    path("<int:pk>/", admin_views.import_detail, name="detail"),
    path("<int:pk>/importar/", admin_views.import_confirm, name="confirm"),
    path("<int:pk>/estado/", admin_views.import_status, name="status"),
]


@hooks.register("register_admin_urls")
def register_import_admin_urls():
    return [path("importar-paquetes/", include((admin_urls, "imports_admin"), namespace="imports_admin"))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("imports.add_packageimport")


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(_("Importar paquetes"), reverse("imports_admin:list"), icon_name="upload", order=420)
