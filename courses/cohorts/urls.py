"""Cohort pages, under /grupos/. Every route taking an id is in the permission matrix test."""

from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("", views.home, name="home"),
    path("nuevo/", views.create, name="create"),
    path("unirse/", views.join, name="join"),
    path("unirse/<str:code>/", views.join_link, name="join_link"),
    path("asistencia/", views.check_in, name="check_in"),
    path("notificaciones/", views.notifications, name="notifications"),
    path("estudio-autonomo/", views.self_paced_list, name="self_paced_list"),
    path("estudio-autonomo/<int:submission_id>/", views.self_paced_grade, name="self_paced_grade"),
    path("invitaciones/", views.invitations, name="invitations"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/editar/", views.edit, name="edit"),
    path("<int:pk>/eliminar/", views.delete, name="delete"),
    path("<int:pk>/participantes/nuevo/", views.member_add, name="member_add"),
    path("<int:pk>/participantes/<int:user_id>/", views.member_detail, name="member_detail"),
    path("<int:pk>/notas/", views.grades, name="grades"),
    path("<int:pk>/importar/", views.import_upload, name="import_upload"),
    path("<int:pk>/importar/plantilla.csv", views.import_template, name="import_template"),
    path("<int:pk>/importar/<int:import_id>/", views.import_preview, name="import_preview"),
    path("<int:pk>/importar/<int:import_id>/errores.csv", views.import_errors, name="import_errors"),
    path("<int:pk>/importar/<int:import_id>/accesos/", views.import_first_logins, name="import_first_logins"),
    path("<int:pk>/sesiones/nueva/", views.session_create, name="session_create"),
    path("<int:pk>/sesiones/<int:session_id>/", views.session_attendance, name="session_attendance"),
    path("<int:pk>/calificar/", views.grading_list, name="grading_list"),
    path("<int:pk>/calificar/<int:submission_id>/", views.grade, name="grade"),
    path("<int:pk>/avisos/", views.announcements, name="announcements"),
    path("<int:pk>/exportar/<str:kind>.<str:fmt>", views.export, name="export"),
]
