from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("datos/participantes/", views.participants, name="participants"),
    path("datos/solicitudes/", views.row_requests, name="row_requests"),
    path("datos/solicitudes/<int:pk>/descargar/", views.row_request_download, name="row_request_download"),
    path("<slug:view>/", views.report, name="report"),
    path("<slug:view>/exportar.<str:file_format>", views.export, name="export"),
]
