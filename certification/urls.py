"""Certification URLs under /certificados/ (JWKS and the JSON API are wired in lms/urls.py)."""

from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    path("verificar/", views.verify_form, name="verify_form"),
    path("v/<str:code>", views.verify, name="verify"),
    path("v/<str:code>/pdf", views.pdf, name="pdf"),
    path("v/<str:code>/imagen.png", views.image, name="image"),
    path("v/<str:code>/credencial.json", views.credential, name="credential"),
    path("emisores/<slug:slug>", views.issuer, name="issuer"),
    path("emisores/<slug:slug>/estado/<str:purpose>/<int:number>", views.status_list, name="status_list"),
    path("programas/<slug:slug>", views.achievement, name="achievement"),
    path("programas/<slug:slug>/<str:variant>", views.achievement, name="achievement_variant"),
    path("mis-certificados/", views.my_certificates, name="my_certificates"),
    path("mis-certificados/<str:code>/billetera", views.holder_did, name="holder_did"),
    path("mis-certificados/<str:code>/billetera/oferta", views.wallet_offer_new, name="wallet_offer_new"),
    path("mis-certificados/<str:code>/billetera/oferta/<int:pk>", views.wallet_offer, name="wallet_offer"),
    path("intercambios/<str:token>", views.wallet_exchange, name="wallet_exchange"),
    path("revocados.json", views.revocations, name="revocations"),
    path("registro.json", views.verification_index, name="verification_index"),
    path("verificador/", views.offline_verifier, name="offline_verifier"),
    path("verificador/manifest.webmanifest", views.offline_manifest, name="offline_manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
