"""Content URLs under ``/actividades/``: answering activities, XBlock handlers and free-text review."""

from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("<int:page_id>/<slug:usage_id>/enviar/", views.activity_submit_view, name="activity_submit"),
    path("<int:page_id>/<slug:usage_id>/handler/<slug:handler>/", views.activity_handler_view, name="activity_handler"),
    path("revisar/", views.grading_queue_view, name="grading_queue"),
    path("revisar/<int:pk>/", views.submission_grade_view, name="submission_grade"),
]
