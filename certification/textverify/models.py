"""One row per inbound text message, kept only to answer it once (gateways retry) and to send the reply.

No message text, no sender number once the reply is out, no certificate code: the provider's message id is kept
as a keyed hash (a WhatsApp id embeds the sender's number), the outcome as a word for counts.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TextVerificationMessage(models.Model):
    class Provider(models.TextChoices):
        TWILIO = "twilio", "Twilio (SMS / WhatsApp)"
        WHATSAPP = "whatsapp", "WhatsApp Cloud API"

    provider = models.CharField(_("pasarela"), max_length=16, choices=Provider.choices)
    message_key = models.CharField(_("huella del mensaje"), max_length=64, unique=True)
    received_at = models.DateTimeField(_("recibido"), default=timezone.now, db_index=True)
    # valid | expired | revoked | replaced | invalid | not_found | help | bad_code | limited | silent
    outcome = models.CharField(_("respuesta"), max_length=16, blank=True)
    # A WhatsApp reply waiting for the outbound task; emptied as soon as it is sent (or given up).
    reply_to = models.CharField(_("responder a"), max_length=32, blank=True)
    reply_text = models.TextField(_("texto de la respuesta"), blank=True)
    phone_number_id = models.CharField(_("número de WhatsApp Business"), max_length=32, blank=True)
    replied_at = models.DateTimeField(_("respondido"), null=True, blank=True)

    class Meta:
        verbose_name = _("mensaje de verificación")
        verbose_name_plural = _("mensajes de verificación")

    def __str__(self) -> str:
        return f"{self.provider} {self.received_at:%Y-%m-%d %H:%M} {self.outcome}"
