"""Root URL configuration: Ruta's apps, allauth, Wagtail admin, then Wagtail's page tree."""

from pathlib import Path

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from certification import views as certification_views
from lms import admin_login, routing
from lms.csp import csp_report
from lms.health import healthz
from themes import views as theme_views

handler400 = "themes.views.bad_request"
handler403 = "themes.views.permission_denied"
handler404 = "themes.views.page_not_found"

urlpatterns = [
    path("", theme_views.home, name="home"),
    path("favicon.ico", theme_views.favicon, name="favicon"),
    path("idioma/", theme_views.language, name="language"),
    path("tema/colores.css", theme_views.theme_colours, name="theme_colours"),
    path("healthz", healthz, name="healthz"),
    path("csp-report/", csp_report, name="csp_report"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript_catalog"),
    path("cuenta/", include("lms.accounts.urls")),
    path("aprender/", include("courses.urls")),
    path("grupos/", include("courses.cohorts.urls")),
    path("actividades/", include("content.urls")),
    path("paquetes/", include("content.packages.urls")),
    path("certificados/texto/", include("certification.textverify.urls")),
    path("certificados/", include("certification.urls")),
    path(".well-known/jwks.json", certification_views.jwks, name="jwks"),
    path("api/v1/certificates/<str:code>", certification_views.api_certificate, name="api_certificate"),
    path("facilitadores/", include("certification.trainers.urls")),
    path("competencias/", include("certification.competency.urls")),
    path("informes/", include("lms.reports.urls")),
    path("accounts/", include("allauth.urls")),
    # One admin login, under the site's login limits (lms/admin_login.py).
    path("django-admin/login/", admin_login.django_admin_login, name="django_admin_login"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    # Development only, and only the public image renditions: nothing uploaded is ever served from MEDIA_ROOT
    # (uploads live in the private storage and are handed out by permission-checked views).
    urlpatterns += static(f"{settings.MEDIA_URL}images/", document_root=Path(settings.MEDIA_ROOT) / "images")

# Wagtail's page tree comes last: it catches every remaining path.
# Pages: Wagtail's serve, with the page found by its url_path in one lookup (lms/routing.py), then Wagtail's own
# URLs (its _util/ views, and the wagtail_serve name for reverse()).
urlpatterns += [
    re_path(r"^(?!_util/)((?:[\w\-]+/)*)$", routing.serve, name="ruta_serve"),
    path("", include(wagtail_urls)),
]
