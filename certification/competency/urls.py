from django.urls import path

from . import views

app_name = "competency"

urlpatterns = [
    path("", views.home, name="home"),
    path("normas/<int:pk>/", views.standard_detail, name="standard_detail"),
    path("normas/<int:pk>/postular/", views.apply, name="apply"),
    path("mis-postulaciones/<int:pk>/", views.application_detail, name="application_detail"),
    path("mis-postulaciones/<int:pk>/prueba/<int:unit_pk>/", views.knowledge_test, name="knowledge_test"),
    path("mis-postulaciones/<int:pk>/evidencias/", views.candidate_evidence, name="candidate_evidence"),
    path("mis-postulaciones/<int:pk>/apelar/", views.appeal, name="appeal"),
    path("mis-postulaciones/<int:pk>/reevaluar/", views.reassess, name="reassess"),
    path("mis-postulaciones/<int:pk>/retirar/", views.withdraw, name="withdraw"),
    path("evidencias/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("documentos/<int:pk>/", views.document_download, name="document_download"),
    path("evaluacion/", views.evaluator_home, name="evaluator_home"),
    path("evaluacion/sw.js", views.evaluator_service_worker, name="evaluator_service_worker"),
    path("evaluacion/conflictos/", views.conflicts, name="conflicts"),
    path("evaluacion/<int:pk>/", views.assessment, name="assessment"),
    path("evaluacion/<int:pk>/programar/", views.schedule, name="schedule"),
    path("evaluacion/<int:pk>/unidad/<int:unit_pk>/observacion/", views.observation, name="observation"),
    path("evaluacion/<int:pk>/unidad/<int:unit_pk>/rubrica/", views.rubric, name="rubric"),
    path("evaluacion/<int:pk>/unidad/<int:unit_pk>/dictamen/", views.verdict, name="verdict"),
    path("evaluacion/<int:pk>/evidencias/", views.evaluator_evidence, name="evaluator_evidence"),
    path("evaluacion/<int:pk>/enviar/", views.submit, name="submit"),
    path("evaluacion/<int:pk>/auditoria/", views.audit_trail, name="audit_trail"),
    path("validar/<int:pk>/", views.validate, name="validate"),
    path("apelaciones/<int:pk>/", views.appeal_review, name="appeal_review"),
    path("entidad/<slug:slug>/", views.body_home, name="body_home"),
    path("entidad/<slug:slug>/asignar/<int:pk>/", views.body_assign, name="body_assign"),
    path("entidad/<slug:slug>/validador/<int:pk>/", views.body_assign_validator, name="body_assign_validator"),
    path("entidad/<slug:slug>/apelacion/<int:pk>/", views.body_assign_appeal, name="body_assign_appeal"),
    path("entidad/<slug:slug>/certificados/", views.body_certificates, name="body_certificates"),
    path(
        "entidad/<slug:slug>/certificados/<str:code>/revocar/",
        views.body_certificate_revoke,
        name="body_certificate_revoke",
    ),
    path(
        "entidad/<slug:slug>/certificados/<str:code>/reemitir/",
        views.body_certificate_reissue,
        name="body_certificate_reissue",
    ),
    path("entidad/<slug:slug>/informe/", views.body_report, name="body_report"),
    path("entidad/<slug:slug>/informe.csv", views.body_report_csv, name="body_report_csv"),
]
