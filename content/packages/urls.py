"""Package URLs under ``/paquetes/``: isolated package files, the H5P frame, SCORM commits, lesson media."""

from django.urls import path

from . import media, views

app_name = "packages"

urlpatterns = [
    # Only on the package host (origin.py): its service worker and the download helper page.
    path("sw.js", views.package_worker, name="package_worker"),
    path("ayudante/", views.package_helper, name="package_helper"),
    path("<uuid:package_uuid>/<str:token>/archivos/<path:path>", views.package_file, name="package_file"),
    path("<uuid:package_uuid>/<str:token>/h5p/", views.h5p_frame, name="h5p_frame"),
    path("<uuid:package_uuid>/abrir/", views.package_open, name="package_open"),
    path("<uuid:package_uuid>/abrir/<path:path>", views.package_open, name="open_file"),
    path("<uuid:package_uuid>/scorm/guardar/", views.scorm_commit_view, name="scorm_commit"),
    path("medios/<path:path>", media.lesson_media, name="lesson_media"),
]
