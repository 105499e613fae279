"""Wagtail admin: certificate programmes as snippets, and the staff pages for certificates."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import CertificateProgramme


class CertificateProgrammeViewSet(SnippetViewSet):
    model = CertificateProgramme
    icon = "doc-full"
    menu_label = _("Programas de certificación")
    menu_order = 400
    add_to_admin_menu = True
    list_display = ["name", "kind", "issuer", "validity_months", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "title", "reference"]


register_snippet(CertificateProgrammeViewSet)

admin_urls = [
    path("", admin_views.certificate_list, name="list"),
    path("emitir/", admin_views.certificate_issue_view, name="issue"),
    path("<int:pk>/", admin_views.certificate_detail_view, name="detail"),
    path("<int:pk>/revocar/", admin_views.certificate_revoke_view, name="revoke"),
    path("<int:pk>/reemitir/", admin_views.certificate_reissue_view, name="reissue"),
    path("masivo/", admin_views.bulk_issue_view, name="bulk"),
    path("masivo/<int:pk>/", admin_views.bulk_job_view, name="bulk_job"),
]


@hooks.register("register_admin_urls")
def register_certificate_admin_urls():
    return [path("certificados/", include((admin_urls, "certification_admin"), namespace="certification_admin"))]


class CertificatesMenuItem(MenuItem):
    def is_shown(self, request):
        from .selectors import can_issue_certificates

        return can_issue_certificates(user=request.user)


@hooks.register("register_admin_menu_item")
def register_certificates_menu_item():
    return CertificatesMenuItem(
        _("Certificados"), reverse("certification_admin:list"), icon_name="tick-inverse", order=410
    )
