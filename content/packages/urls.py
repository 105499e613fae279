"""Package URLs under ``/paquetes/``: isolated package files, the H5P frame and SCORM commits."""

from django.urls import path

from . import views

app_name = "packages"

urlpatterns = [
    path("<uuid:package_uuid>/<str:token>/archivos/<path:path>", views.package_file, name="file"),
    path("<uuid:package_uuid>/<str:token>/h5p/", views.h5p_frame, name="h5p"),
    path("<uuid:package_uuid>/abrir/", views.package_open, name="open"),
    path("<uuid:package_uuid>/abrir/<path:path>", views.package_open, name="open_file"),
    path("<uuid:package_uuid>/scorm/guardar/", views.scorm_commit_view, name="scorm_commit"),
]
