from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mis-cursos/", views.dashboard, name="dashboard"),
    path("inscribirme/<int:course_id>/", views.enroll, name="enroll"),
    path("sin-conexion/sw.js", views.offline_service_worker, name="offline_service_worker"),
    path("sin-conexion/<int:course_id>/", views.offline_bundle, name="offline_bundle"),
]
