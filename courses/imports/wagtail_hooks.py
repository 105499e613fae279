"""Wagtail admin: "Importar paquetes" (upload, report, confirm, progress, result) and "Exportar como paquete
Ruta" on every course (its page menu and header)."""

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
    path("exportar/<int:course_id>/", admin_views.course_export_view, name="export"),
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


def _export_button(page, user, priority):
    from wagtail.admin.widgets import Button

    from courses.models import CoursePage
    from courses.page_permissions import may_change_course_page

    if (
        page.specific_class is CoursePage
        and page.permissions_for_user(user).can_edit()
        and may_change_course_page(user, page)
    ):
        yield Button(
            _("Exportar como paquete Ruta"),
            reverse("imports_admin:export", args=[page.pk]),
            icon_name="download",
            priority=priority,
        )


@hooks.register("register_page_listing_more_buttons")
def course_export_listing_button(page, user, next_url=None):
    yield from _export_button(page, user, 55)


@hooks.register("register_page_header_buttons")
def course_export_header_button(page, user, view_name=None, next_url=None):
    yield from _export_button(page, user, 55)
