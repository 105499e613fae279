"""Trainer certification pages, under /facilitadores/. Every route taking an id is in the permission matrix test."""

from django.urls import path

from . import views

app_name = "trainers"

urlpatterns = [
    path("", views.home, name="home"),
    path("registro/", views.registry, name="registry"),
    path("postular/", views.nominate, name="nominate"),
    path("<int:pk>/", views.path_detail, name="path_detail"),
    path("<int:pk>/formacion/", views.cohort_step, {"step": "training"}, name="training_start"),
    path("<int:pk>/formacion-completada/", views.training_complete, name="training_complete"),
    path("<int:pk>/practica/", views.cohort_step, {"step": "practice"}, name="practice_link"),
    path("<int:pk>/observacion/", views.observe, name="observe"),
    path("<int:pk>/aprobar/", views.approve, name="approve"),
    path("<int:pk>/retirar/", views.withdraw, name="withdraw"),
    path("<int:pk>/restablecer/", views.reinstate, name="reinstate"),
    path("<int:pk>/supervisor/", views.supervisor_change, name="supervisor_change"),
]
