"""Webhooks for verification by text message, under /certificados/texto/ (wired in lms/urls.py)."""

from django.urls import path

from . import views

app_name = "textverify"

urlpatterns = [
    path("twilio/", views.twilio_inbound, name="twilio"),
    path("whatsapp/", views.whatsapp_webhook, name="whatsapp"),
]
