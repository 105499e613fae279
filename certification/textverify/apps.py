from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextVerifyConfig(AppConfig):
    name = "certification.textverify"
    label = "textverify"
    verbose_name = _("Verificación por SMS y WhatsApp")
