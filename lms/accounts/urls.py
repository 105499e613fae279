from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # "Mi cuenta": ``profile`` is the name the site menu uses.
    path("", views.account_home, name="account_home"),
    path("perfil/", views.profile_edit, name="profile_edit"),
    path("celular/", views.phone_edit, name="phone_edit"),
    path("consentimientos/", views.consent, name="consent"),
    path("mis-datos.json", views.data_export, name="data_export"),
    path("eliminar/", views.account_delete, name="account_delete"),
    path("eliminada/", views.account_deleted, name="account_deleted"),
    path("ayudar/", views.helper_search, name="helper_search"),
    path("ayudar/<int:user_id>/", views.helper_reset, name="helper_reset"),
    path("privacidad/", views.privacy, name="privacy"),
]
