"""Gateway webhooks: check the provider's signature, hand the message to the services, shape the reply.

A gateway whose secrets are not configured answers 404 (off by default). A bad signature answers 403 with
nothing else, and is logged without the message's content or sender.
"""

from __future__ import annotations

import json
import logging
from xml.etree import ElementTree

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from . import services
from .models import TextVerificationMessage

logger = logging.getLogger("ruta.textverify")


def _twiml(text: str) -> HttpResponse:
    response = ElementTree.Element("Response")
    if text:
        ElementTree.SubElement(response, "Message").text = text
    xml = ElementTree.tostring(response, encoding="unicode", xml_declaration=False)
    return HttpResponse('<?xml version="1.0" encoding="UTF-8"?>' + xml, content_type="text/xml; charset=utf-8")


def _forbidden(provider: str) -> HttpResponse:
    logger.warning("textverify: %s webhook with a bad signature refused", provider)
    return HttpResponseForbidden()


@csrf_exempt
def twilio_inbound(request):
    """Twilio's «A message comes in» webhook (SMS or WhatsApp through Twilio): the answer travels in the TwiML."""
    if not services.twilio_enabled():
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    # Twilio signs the URL it called: rebuild it from the public base URL, not from what a proxy passed on.
    url = settings.RUTA_BASE_URL + request.get_full_path()
    signature = request.headers.get("X-Twilio-Signature", "")
    if not services.twilio_request_valid(url=url, params=request.POST.lists(), signature=signature):
        return _forbidden("Twilio")
    if "Body" not in request.POST:  # a delivery status callback pointed here: nothing to answer
        return _twiml("")
    message_id = request.POST.get("MessageSid") or request.POST.get("SmsSid", "")
    if not message_id:
        return HttpResponseBadRequest()
    answer = services.text_message_answer(
        provider=TextVerificationMessage.Provider.TWILIO,
        message_id=message_id,
        sender=request.POST.get("From", ""),
        body=request.POST.get("Body", ""),
    )
    return _twiml(answer.text if answer is not None else "")


@csrf_exempt
def whatsapp_webhook(request):
    """WhatsApp Cloud API webhook: the GET subscription handshake and the signed POST notifications."""
    if not services.whatsapp_enabled():
        raise Http404
    if request.method == "GET":
        challenge = services.whatsapp_challenge_answer(
            mode=request.GET.get("hub.mode", ""),
            token=request.GET.get("hub.verify_token", ""),
            challenge=request.GET.get("hub.challenge", ""),
        )
        if challenge is None:
            return HttpResponseForbidden()
        response = HttpResponse(challenge, content_type="text/plain; charset=utf-8")
        response["X-Content-Type-Options"] = "nosniff"
        return response
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    body = request.body
    if not services.whatsapp_request_valid(body=body, signature=request.headers.get("X-Hub-Signature-256", "")):
        return _forbidden("WhatsApp")
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return HttpResponseBadRequest()
    if isinstance(payload, dict):
        services.whatsapp_payload_receive(payload=payload)
    return HttpResponse(status=200)  # Meta retries anything else: acknowledge even what we ignore
