from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("datos/participantes/", views.participants, name="participants"),
    path("<slug:view>/", views.report, name="report"),
    path("<slug:view>/exportar.<str:file_format>", views.export, name="export"),
]
