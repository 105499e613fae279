"""Verification by text message: an employer sends a certificate's code by SMS or WhatsApp and gets its status
and the same public fields the verification page shows, in a message short enough for one or two SMS.

Two gateways, each off until its secrets are configured: Twilio (SMS and WhatsApp through Twilio; the answer
goes back in the webhook's TwiML response) and the WhatsApp Cloud API (the answer is a separate call to the
Graph API, made by ``whatsapp_reply_send_task``). Both check the provider's signature, answer a message id
once (gateways retry) and limit each sender (``RUTA_TEXT_VERIFY_RATE``, django-ratelimit on the cache, keyed by
a keyed hash of the number). No message text or code is stored; the sender's number only until the reply is out.

Reads certificates only through ``certification.selectors.certificate_verification_get``, like the page and API.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from ..codes import code_display
from ..selectors import Verification, certificate_verification_get
from .models import TextVerificationMessage
from .parsing import code_candidates, looks_like_a_code

logger = logging.getLogger("ruta.textverify")

MAX_LOOKUPS = 3  # candidates looked up per message (a real message holds one code)
GRAPH_TIMEOUT = 10  # seconds
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CHALLENGE = re.compile(r"[A-Za-z0-9_.\-]{1,128}")


class GraphUnavailable(OSError):
    """The Graph API did not take the reply now (5xx, 429): worth another try later."""


@dataclass(frozen=True)
class TextAnswer:
    message: TextVerificationMessage
    text: str  # empty: answer nothing (the sender already got the limit notice)


# --- Gateways and signatures ----------------------------------------------------------------------------------


def twilio_enabled() -> bool:
    return bool(settings.RUTA_TWILIO_AUTH_TOKEN)


def whatsapp_enabled() -> bool:
    return bool(
        settings.RUTA_WHATSAPP_APP_SECRET
        and settings.RUTA_WHATSAPP_VERIFY_TOKEN
        and settings.RUTA_WHATSAPP_ACCESS_TOKEN
    )


def twilio_signature(*, url: str, params: Iterable[tuple[str, list[str]]], auth_token: str) -> str:
    """Twilio's X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by every POST name and value, sorted."""
    signed = url + "".join(name + value for name, values in sorted(params) for value in sorted(values))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def twilio_request_valid(*, url: str, params: Iterable[tuple[str, list[str]]], signature: str) -> bool:
    """The request is Twilio's: its signature matches the public URL Twilio called and the form it sent."""
    if not signature:
        return False
    expected = twilio_signature(url=url, params=params, auth_token=settings.RUTA_TWILIO_AUTH_TOKEN)
    return hmac.compare_digest(expected.encode(), signature.encode())


def whatsapp_request_valid(*, body: bytes, signature: str) -> bool:
    """The request is Meta's: ``X-Hub-Signature-256`` is ``sha256=`` + hex HMAC-SHA256 of the raw body."""
    if not signature.startswith("sha256="):
        return False
    key = settings.RUTA_WHATSAPP_APP_SECRET.encode()
    expected = hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.removeprefix("sha256=").strip().lower().encode())


def whatsapp_challenge_answer(*, mode: str, token: str, challenge: str) -> str | None:
    """The subscription handshake: echo the challenge only for our verify token (None: refuse)."""
    if mode != "subscribe" or not _CHALLENGE.fullmatch(challenge):
        return None
    if not hmac.compare_digest(token.encode(), settings.RUTA_WHATSAPP_VERIFY_TOKEN.encode()):
        return None
    return challenge


# --- The answer -----------------------------------------------------------------------------------------------


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def verification_answer_text(*, verification: Verification) -> str:
    """The status and the verification page's public fields (name, achievement, issuer, dates, code), nothing more."""
    certificate = verification.certificate
    status = verification.status
    if certificate is None:
        return _(
            "Ruta: NO ENCONTRADO. No existe ningún certificado con el código %(code)s. Revisa que esté bien escrito."
        ) % {"code": code_display(verification.code)}
    if status == "invalid":
        return _(
            "Ruta: NO VÁLIDO. La firma digital del certificado %(code)s no coincide con sus datos. No lo aceptes "
            "y contacta a la institución emisora."
        ) % {"code": certificate.display_code}
    if verification.holder_erased and certificate.revoked_at:
        # The holder deleted her account: as on the page, only the withdrawal, the issuer and the code (no name,
        # achievement or dates of issue), short enough for one SMS.
        day = _date(timezone.localdate(certificate.revoked_at))
        if verification.withdrawn_by_holder:
            head = _("Ruta: RETIRADO el %(date)s a pedido de su titular. Ya no es válido.") % {"date": day}
        else:
            head = _("Ruta: REVOCADO el %(date)s por la institución emisora. Ya no es válido.") % {"date": day}
        lines = [
            head,
            _("Emisor: %(issuer)s") % {"issuer": certificate.issuer_name},
            _("Código: %(code)s") % {"code": certificate.display_code},
        ]
        return _CONTROL.sub("", "\n".join(lines))
    if status == "valid":
        head = _("Ruta: VÁLIDO. Certificado auténtico y vigente.")
    elif status == "expired" and certificate.expires_on:
        head = _("Ruta: VENCIDO el %(date)s. Es auténtico, pero ya no está vigente.") % {
            "date": _date(certificate.expires_on)
        }
    elif status == "revoked" and certificate.revoked_at:
        head = _("Ruta: REVOCADO el %(date)s por la institución emisora. Ya no es válido.") % {
            "date": _date(timezone.localdate(certificate.revoked_at))
        }
    elif status == "suspended" and certificate.suspended_at:
        head = _(
            "Ruta: SUSPENDIDO el %(date)s por la institución emisora. Mientras dure la suspensión no es válido."
        ) % {"date": _date(timezone.localdate(certificate.suspended_at))}
    elif status == "replaced" and verification.replacement is not None:
        head = _("Ruta: REEMPLAZADO por el certificado %(code)s. Envía ese código para verificarlo.") % {
            "code": verification.replacement.display_code
        }
    else:  # pragma: no cover - every status is handled above
        head = str(status)
    dates = _("Emitido: %(date)s") % {"date": _date(certificate.issued_on)}
    if certificate.expires_on:
        dates += " · " + _("Vence: %(date)s") % {"date": _date(certificate.expires_on)}
    lines = [
        head,
        certificate.holder_name,
        certificate.achievement,
        _("Emisor: %(issuer)s") % {"issuer": certificate.issuer_name},
        dates,
        _("Código: %(code)s") % {"code": certificate.display_code},
    ]
    return _CONTROL.sub("", "\n".join(lines))


def help_text() -> str:
    return _(
        "Ruta verifica certificados. Envía el código impreso en el certificado, por ejemplo: 7K3M-Q9XD-2HBW-R4TE-J"
    )


def bad_code_text() -> str:
    return _(
        "Ruta: no encontramos un código válido en tu mensaje. Tiene 16 letras y números más uno de control, por "
        "ejemplo 7K3M-Q9XD-2HBW-R4TE-J. Revisa cada carácter."
    )


def limit_text(*, minutes: int) -> str:
    return _("Ruta: recibimos muchas consultas desde tu número. Vuelve a intentarlo en %(minutes)d minutos.") % {
        "minutes": max(minutes, 1)
    }


def _answer_body(body: str) -> tuple[str, str]:
    """(outcome, text) for a message's text: the first candidate code that exists, else the first one's «not found»."""
    candidates = code_candidates(body)[:MAX_LOOKUPS]
    if not candidates:
        return ("bad_code", bad_code_text()) if looks_like_a_code(body) else ("help", help_text())
    verifications = []
    for code in candidates:
        verification = certificate_verification_get(code=code)
        if verification.found:
            break
        verifications.append(verification)
    else:
        verification = verifications[0]
    return verification.status, verification_answer_text(verification=verification)


# --- Receiving ------------------------------------------------------------------------------------------------


def sender_key(sender: str) -> str:
    """A keyed hash of the sender's number (``+51…``, ``whatsapp:+593…`` and ``593…`` alike): never the number."""
    digits = re.sub(r"\D", "", sender)
    return salted_hmac("ruta.textverify.sender", digits, algorithm="sha256").hexdigest()


def _message_key(provider: str, message_id: str) -> str:
    return salted_hmac("ruta.textverify.message", f"{provider}:{message_id}", algorithm="sha256").hexdigest()


def _rate_limited(key: str) -> tuple[bool, int]:
    """(over the limit, seconds until the window ends), counting this message."""
    usage = get_usage(
        None,
        group="certification-textverify",
        key=lambda _group, _request: key,
        rate=settings.RUTA_TEXT_VERIFY_RATE,
        increment=True,
    )
    if usage is None:
        return False, 0
    return bool(usage["should_limit"]), max(int(usage["time_left"]), 0)


@transaction.atomic  # a failure while answering forgets the message, so the gateway's retry is answered
def text_message_answer(*, provider: str, message_id: str, sender: str, body: str) -> TextAnswer | None:
    """Answer a message once per provider message id (None for a retry), within the sender's rate limit.

    Past the limit the sender gets one polite notice per window, then silence (each answer costs an SMS).
    """
    try:
        with transaction.atomic():
            message = TextVerificationMessage.objects.create(
                provider=provider, message_key=_message_key(provider, message_id)
            )
    except IntegrityError:
        logger.info("textverify: %s message answered already (a retry)", provider)
        return None
    key = sender_key(sender)
    limited, seconds_left = _rate_limited(key)
    with translation.override(settings.LANGUAGE_CODE):
        if limited:
            # The notice key lives as long as the sender's window, so the next window may get one notice again.
            first_notice = cache.add(f"textverify-limit:{key}", 1, max(seconds_left, 1))
            outcome, text = ("limited", limit_text(minutes=-(-seconds_left // 60))) if first_notice else ("silent", "")
        else:
            outcome, text = _answer_body(body)
    message.outcome = outcome
    message.save(update_fields=["outcome"])
    return TextAnswer(message=message, text=text)


def whatsapp_payload_receive(*, payload: dict[str, Any]) -> int:
    """Answer each message of a (signature-checked) WhatsApp Cloud webhook; statuses and other events are ignored.

    Returns how many replies were queued. A text message is answered from its text; a photo, voice note or
    sticker gets the help text; reactions and system notices get nothing.
    """
    from .tasks import whatsapp_reply_send_task

    if payload.get("object") != "whatsapp_business_account":
        return 0
    queued = 0
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            metadata = value.get("metadata")
            if not isinstance(metadata, dict):
                continue
            phone_number_id = str(metadata.get("phone_number_id", ""))
            for item in _dicts(value.get("messages")):
                sender, message_id, kind = str(item.get("from", "")), str(item.get("id", "")), item.get("type")
                if not (phone_number_id.isdigit() and sender.isdigit() and message_id) or kind in _SILENT_TYPES:
                    continue
                text = item.get("text") if kind == "text" else None
                body = str(text.get("body", "")) if isinstance(text, dict) else ""
                with transaction.atomic():
                    answer = text_message_answer(
                        provider=TextVerificationMessage.Provider.WHATSAPP,
                        message_id=message_id,
                        sender=sender,
                        body=body,
                    )
                    if answer is None or not answer.text:
                        continue
                    message = answer.message
                    message.reply_to, message.reply_text, message.phone_number_id = sender, answer.text, phone_number_id
                    message.save(update_fields=["reply_to", "reply_text", "phone_number_id"])
                    whatsapp_reply_send_task.delay_on_commit(message.pk)
                    queued += 1
    return queued


_SILENT_TYPES = {"reaction", "system", "unsupported", "request_welcome", "ephemeral"}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# --- Sending (WhatsApp Cloud API) -----------------------------------------------------------------------------


def _graph_post(url: str, payload: dict[str, Any]) -> int:
    """POST JSON to the Graph API; the HTTP status (2xx/4xx), or GraphUnavailable for 429 and 5xx."""
    request = Request(  # noqa: S310 - the URL is our configured https Graph API base
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={
            "Authorization": f"Bearer {settings.RUTA_WHATSAPP_ACCESS_TOKEN}",
            "Content-Type": "application/json",
        },
        method="POST",
    )
    try:
        with urlopen(request, timeout=GRAPH_TIMEOUT) as response:  # noqa: S310
            return int(response.status)
    except HTTPError as error:
        if error.code == 429 or error.code >= 500:
            raise GraphUnavailable(f"Graph API answered {error.code}") from error
        return int(error.code)


def whatsapp_reply_send(*, message: TextVerificationMessage) -> bool:
    """Send a pending WhatsApp reply once, then forget the number and the text (also when Meta refuses it)."""
    if message.replied_at is not None or not (message.reply_to and message.reply_text):
        return False
    url = f"{settings.RUTA_WHATSAPP_GRAPH_URL.rstrip('/')}/{message.phone_number_id}/messages"
    status = _graph_post(
        url,
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.reply_to,
            "type": "text",
            "text": {"preview_url": False, "body": message.reply_text},
        },
    )
    sent = 200 <= status < 300
    if not sent:
        logger.warning("textverify: the Graph API refused a WhatsApp reply (HTTP %s)", status)
    message.reply_to, message.reply_text = "", ""
    message.replied_at = timezone.now() if sent else None
    message.save(update_fields=["reply_to", "reply_text", "replied_at"])
    return sent


def text_messages_prune(*, now: datetime.datetime | None = None) -> int:
    """Forget message rows past ``RUTA_TEXT_VERIFY_KEEP_DAYS`` and unsent replies older than a day."""
    now = now or timezone.now()
    TextVerificationMessage.objects.filter(received_at__lt=now - datetime.timedelta(days=1)).exclude(
        reply_to=""
    ).update(reply_to="", reply_text="")
    cutoff = now - datetime.timedelta(days=settings.RUTA_TEXT_VERIFY_KEEP_DAYS)
    deleted, _by_model = TextVerificationMessage.objects.filter(received_at__lt=cutoff).delete()
    return deleted
