"""Verification by SMS/WhatsApp: recorded Twilio and WhatsApp Cloud payloads through the real webhooks.

Only the outbound HTTP call to the Graph API is replaced (it leaves the process); signatures are computed here
from the providers' documented recipes, independently of the code under test.
"""

import base64
import datetime
import hashlib
import hmac
import json
import logging
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlencode

import pytest
from defusedxml import ElementTree
from django.utils import timezone

from certification.codes import code_display, code_generate
from certification.models import Certificate, CertificateProgramme
from certification.services import certificate_reissue, certificate_revoke, certificate_suspend
from certification.textverify import services
from certification.textverify.models import TextVerificationMessage
from tests.certification.factories import ProgrammeFactory, holder, issue
from tests.lms.accounts.factories import ProfileFactory

pytestmark = pytest.mark.django_db

PAYLOADS = Path(__file__).parent / "payloads"
TWILIO_PATH = "/certificados/texto/twilio/"
WHATSAPP_PATH = "/certificados/texto/whatsapp/"
TWILIO_TOKEN = "twilio-auth-token-de-prueba"
APP_SECRET = "whatsapp-app-secret-de-prueba"
VERIFY_TOKEN = "ruta-verificar-2026"


@pytest.fixture(autouse=True)
def gateways(settings):
    settings.RUTA_BASE_URL = "https://ruta.example.org"
    settings.RUTA_TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.RUTA_WHATSAPP_APP_SECRET = APP_SECRET
    settings.RUTA_WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    settings.RUTA_WHATSAPP_ACCESS_TOKEN = "EAAG-token-de-prueba"
    settings.RUTA_WHATSAPP_GRAPH_URL = "https://graph.facebook.com/v21.0"
    settings.RUTA_TEXT_VERIFY_RATE = "10/h"
    return settings


class FakeGraph:
    """Stands in for urlopen: records each request to the Graph API and answers with a chosen status."""

    def __init__(self):
        self.requests = []
        self.status = 200

    def __call__(self, request, timeout=None):
        self.requests.append(request)
        if self.status >= 400:
            raise HTTPError(request.full_url, self.status, "error", {}, None)
        graph = self

        class Response:
            status = graph.status

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

        return Response()

    @property
    def sent(self):
        return [json.loads(request.data) for request in self.requests]


@pytest.fixture
def graph(monkeypatch):
    fake = FakeGraph()
    monkeypatch.setattr(services, "urlopen", fake)
    return fake


# --- Helpers: the providers' signing recipes ------------------------------------------------------------------


def twilio_fields(name, code="", **changes):
    fields = dict(parse_qsl((PAYLOADS / name).read_text().strip(), keep_blank_values=True))
    fields["Body"] = fields["Body"].replace("__CODE__", code)
    fields.update(changes)
    return fields


def twilio_post(client, fields, *, url="https://ruta.example.org" + TWILIO_PATH, token=TWILIO_TOKEN, **extra):
    signed = url + "".join(key + fields[key] for key in sorted(fields))
    signature = base64.b64encode(hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()).decode()
    return client.post(
        TWILIO_PATH,
        data=urlencode(fields),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
        **extra,
    )


def twiml_message(response):
    """The text of the TwiML <Message>, or None for an empty <Response/>."""
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Response"
    message = root.find("Message")
    return None if message is None else message.text


def whatsapp_body(name, code=""):
    return (PAYLOADS / name).read_text().replace("__CODE__", code).encode()


def whatsapp_post(client, body, *, secret=APP_SECRET):
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(WHATSAPP_PATH, data=body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature)


def _private_person():
    person = holder(first_name="Yolimar", last_name="Rodríguez Pérez", email="yoli@example.org", phone="+51987111222")
    ProfileFactory(user=person, nationality="VE", migratory_status="in_process", id_document_type="cpp", city="Lima")
    return person


# --- Twilio (SMS, and WhatsApp through Twilio) ----------------------------------------------------------------


def test_twilio_signature_matches_twilios_documented_example():
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Caller": ["+14158675309"],
        "Digits": ["1234"],
        "From": ["+14158675309"],
        "To": ["+18005551212"],
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert (
        services.twilio_signature(url=url, params=params.items(), auth_token="12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )


def test_sms_from_peru_gets_valid_and_only_the_pages_public_fields(client):
    certificate = issue(user=_private_person(), trainer_name="Carmen Salazar Ríos", issued_on=datetime.date(2026, 3, 2))
    text = twiml_message(twilio_post(client, twilio_fields("twilio_sms_pe.txt", certificate.display_code)))
    assert text.splitlines() == [
        "Ruta: VÁLIDO. Certificado auténtico y vigente.",
        "Yolimar Rodríguez Pérez",
        "Gestión de negocios — IMESUN GIN",
        "Emisor: Organización Internacional del Trabajo",
        "Emitido: 02/03/2026",
        f"Código: {certificate.display_code}",
    ]
    for private in ("VE", "Venezuela", "trámite", "cpp", "yoli@", "987111222", "Lima", "987654321"):
        # (the random code itself may contain "VE")
        assert private not in text.replace("VÁLIDO", "").replace("vigente", "").replace(certificate.display_code, "")
    row = TextVerificationMessage.objects.get()
    assert row.outcome == "valid" and row.reply_to == "" and "SM4f8b" not in row.message_key


def test_whatsapp_through_twilio_from_ecuador_gets_expired_with_the_date(client):
    certificate = issue(programme=ProgrammeFactory(validity_months=12), issued_on=datetime.date(2020, 3, 2))
    text = twiml_message(twilio_post(client, twilio_fields("twilio_whatsapp_ec.txt", certificate.code.lower())))
    assert text.startswith("Ruta: VENCIDO el 02/03/2021.")
    assert "María José Muñoz Peña" in text and "Emitido: 02/03/2020 · Vence: 02/03/2021" in text


def test_revoked_and_replaced_say_so_and_never_valid(client, user):
    revoked = issue()
    certificate_revoke(certificate=revoked, actor=user, reason="Documento adulterado")
    text = twiml_message(twilio_post(client, twilio_fields("twilio_sms_pe.txt", revoked.display_code)))
    assert text.startswith("Ruta: REVOCADO el ") and "Ya no es válido" in text and "VÁLIDO" not in text
    assert "adulterado" not in text  # the reason stays in the audit log, as on the page

    old = issue(user=holder(first_name="Andrés", last_name="Quishpe Tituaña"))
    new = certificate_reissue(certificate=old, actor=user, reason="Corrección", holder_name="Andrés Quishpe Tituaña")
    fields = twilio_fields("twilio_sms_pe.txt", old.display_code, MessageSid="SM" + "1" * 32)
    text = twiml_message(twilio_post(client, fields))
    assert text.startswith(f"Ruta: REEMPLAZADO por el certificado {new.display_code}.")


def test_suspended_says_so_with_its_date_in_spanish_and_never_valid(client, user):
    programme = ProgrammeFactory(kind=CertificateProgramme.Kind.TRAINER_QUALIFICATION)
    certificate = issue(programme=programme, user=holder(first_name="Percy", last_name="Escobar Gamarra"))
    certificate_suspend(certificate=certificate, actor=user, reason="Queja en revisión")
    text = twiml_message(twilio_post(client, twilio_fields("twilio_whatsapp_ec.txt", certificate.display_code)))
    day = timezone.localdate(Certificate.objects.get(pk=certificate.pk).suspended_at).strftime("%d/%m/%Y")
    assert text.startswith(f"Ruta: SUSPENDIDO el {day} por la institución emisora.")
    assert "no es válido" in text and "VÁLIDO" not in text and "suspended" not in text
    assert "Queja" not in text  # the reason stays in the audit log, as on the page


def test_unknown_code_is_not_found_with_the_code_read(client):
    code = code_generate()
    text = twiml_message(twilio_post(client, twilio_fields("twilio_sms_pe.txt", code_display(code))))
    assert text == (
        f"Ruta: NO ENCONTRADO. No existe ningún certificado con el código {code_display(code)}. "
        "Revisa que esté bien escrito."
    )


@pytest.mark.parametrize(
    "typed",
    [
        "{lower}",
        "verificar {display}",
        "VERIFICAR: {spaced}",
        "Verificación {display}",
        "código:{display}",
        "Hola, quiero verificar el certificado {spaced} gracias",
        "verificar{bare}",
        "https://ruta.example.org/certificados/v/{bare}",
        "{fullwidth}",
        "{lookalike}",
    ],
)
def test_messy_codes_are_read(client, typed):
    certificate = issue()
    display = certificate.display_code
    body = typed.format(
        lower=display.lower(),
        display=display,
        spaced=display.replace("-", " "),
        bare=certificate.code,
        fullwidth="".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in display),
        lookalike=display.replace("1", "l").replace("0", "O"),
    )
    text = twiml_message(
        twilio_post(client, twilio_fields("twilio_sms_pe.txt", MessageSid="SM" + "2" * 32) | {"Body": body})
    )
    assert text.startswith("Ruta: VÁLIDO."), body


def test_text_without_a_code_gets_help_and_a_mistyped_code_a_hint(client):
    certificate = issue()
    help_text = twiml_message(
        twilio_post(client, twilio_fields("twilio_sms_pe.txt") | {"Body": "Hola, ¿cómo funciona?"})
    )
    assert "Envía el código impreso en el certificado" in help_text
    wrong_check = certificate.display_code[:-1] + ("A" if certificate.display_code[-1] != "A" else "B")
    fields = twilio_fields("twilio_sms_pe.txt", MessageSid="SM" + "3" * 32) | {"Body": wrong_check}
    hint = twiml_message(twilio_post(client, fields))
    assert hint.startswith("Ruta: no encontramos un código válido") and "Revisa cada carácter" in hint


def test_twiml_escapes_what_the_certificate_says(client):
    programme = ProgrammeFactory(title="Ventas & marketing <digital>")
    certificate = issue(programme=programme, user=holder(first_name="Ana", last_name="D'Ángelo"))
    response = twilio_post(client, twilio_fields("twilio_sms_pe.txt", certificate.display_code))
    assert b"Ventas &amp; marketing &lt;digital&gt;" in response.content
    assert "Ventas & marketing <digital>" in twiml_message(response)


def test_twilio_bad_signature_is_refused_and_logged_without_the_message(client, caplog):
    certificate = issue()
    fields = twilio_fields("twilio_sms_pe.txt", certificate.display_code)
    with caplog.at_level(logging.WARNING, logger="ruta.textverify"):
        response = twilio_post(client, fields, token="otro-token")
        unsigned = client.post(TWILIO_PATH, data=urlencode(fields), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 403 and unsigned.status_code == 403
    assert certificate.holder_name.encode() not in response.content and b"<Message>" not in response.content
    assert not TextVerificationMessage.objects.exists()
    assert "bad signature" in caplog.text
    for secret in (certificate.code, certificate.display_code, "987654321", "VERIFICAR"):
        assert secret not in caplog.text


def test_twilio_signature_covers_the_public_url_not_the_proxied_one(client, settings):
    settings.RUTA_BASE_URL = "https://verifica.ruta.example.org"
    certificate = issue()
    fields = twilio_fields("twilio_sms_pe.txt", certificate.display_code)
    # Behind a TLS proxy Django sees http://testserver; Twilio signed the https URL it was configured with.
    proxied = twilio_post(client, fields, url="http://testserver" + TWILIO_PATH)
    assert proxied.status_code == 403
    public = twilio_post(client, fields, url="https://verifica.ruta.example.org" + TWILIO_PATH)
    assert twiml_message(public).startswith("Ruta: VÁLIDO.")


def test_a_retried_twilio_message_is_answered_once(client):
    certificate = issue()
    fields = twilio_fields("twilio_sms_pe.txt", certificate.display_code)
    assert twiml_message(twilio_post(client, fields)).startswith("Ruta: VÁLIDO.")
    assert twiml_message(twilio_post(client, fields)) is None
    assert TextVerificationMessage.objects.count() == 1


def test_a_twilio_status_callback_is_acknowledged_without_an_answer(client):
    fields = {
        "MessageSid": "SM" + "4" * 32,
        "MessageStatus": "delivered",
        "AccountSid": "AC" + "0" * 32,
        "From": "+5117001234",
        "To": "+51987654321",
        "ApiVersion": "2010-04-01",
    }
    assert twiml_message(twilio_post(client, fields)) is None
    assert not TextVerificationMessage.objects.exists()


def test_gateways_are_off_until_configured(client, settings):
    settings.RUTA_TWILIO_AUTH_TOKEN = ""
    settings.RUTA_WHATSAPP_APP_SECRET = ""
    fields = twilio_fields("twilio_sms_pe.txt", issue().display_code)
    assert twilio_post(client, fields, token="").status_code == 404
    assert whatsapp_post(client, whatsapp_body("whatsapp_text_ec.json"), secret="").status_code == 404
    handshake = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    assert client.get(WHATSAPP_PATH, handshake).status_code == 404


# --- Rate limit -----------------------------------------------------------------------------------------------


def test_each_sender_is_limited_with_one_polite_notice(client, settings):
    settings.RUTA_TEXT_VERIFY_RATE = "3/h"
    certificate = issue()

    def send(n, name="twilio_sms_pe.txt", **changes):
        fields = twilio_fields(name, certificate.display_code, MessageSid=f"SM{n:032d}", **changes)
        return twiml_message(twilio_post(client, fields))

    answers = [send(n) for n in range(3)]
    assert all(answer.startswith("Ruta: VÁLIDO.") for answer in answers)
    notice = send(3)
    assert notice.startswith("Ruta: recibimos muchas consultas desde tu número.") and "minutos" in notice
    assert send(4) is None and send(5) is None  # silence: every answer costs an SMS
    # The same Peruvian number writing on WhatsApp through Twilio is the same sender.
    assert send(6, From="whatsapp:+51987654321") is None
    # Someone else (Ecuador) is not affected.
    assert send(7, From="+593991234567").startswith("Ruta: VÁLIDO.")
    assert list(TextVerificationMessage.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "valid",
        "valid",
        "valid",
        "limited",
        "silent",
        "silent",
        "silent",
        "valid",
    ]


# --- WhatsApp Cloud API ---------------------------------------------------------------------------------------


def test_whatsapp_handshake_echoes_the_challenge_only_for_our_token(client):
    ok = client.get(
        WHATSAPP_PATH, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    )
    assert ok.status_code == 200 and ok.content == b"1158201444" and ok["Content-Type"].startswith("text/plain")
    wrong = client.get(
        WHATSAPP_PATH, {"hub.mode": "subscribe", "hub.verify_token": "otro", "hub.challenge": "1158201444"}
    )
    assert wrong.status_code == 403 and b"1158201444" not in wrong.content
    script = client.get(
        WHATSAPP_PATH, {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "<script>"}
    )
    assert script.status_code == 403


def test_whatsapp_message_from_ecuador_is_answered_through_the_graph_api(
    client, graph, django_capture_on_commit_callbacks
):
    certificate = issue(user=_private_person())
    with django_capture_on_commit_callbacks(execute=True):
        response = whatsapp_post(client, whatsapp_body("whatsapp_text_ec.json", certificate.display_code))
    assert response.status_code == 200
    [request] = graph.requests
    assert request.full_url == "https://graph.facebook.com/v21.0/106540352242922/messages"
    assert request.get_header("Authorization") == "Bearer EAAG-token-de-prueba"
    [sent] = graph.sent
    assert sent["messaging_product"] == "whatsapp" and sent["to"] == "593991234567" and sent["type"] == "text"
    body = sent["text"]["body"]
    assert body.startswith("Ruta: VÁLIDO.") and "Yolimar Rodríguez Pérez" in body and "987111222" not in body
    row = TextVerificationMessage.objects.get()
    # Sent: the number and the text are forgotten; the WhatsApp id (which embeds the number) was never kept.
    assert row.replied_at is not None and row.reply_to == "" and row.reply_text == ""
    assert "wamid" not in row.message_key and row.outcome == "valid"


def test_whatsapp_retry_of_the_same_message_id_is_answered_once(client, graph, django_capture_on_commit_callbacks):
    certificate = issue()
    body = whatsapp_body("whatsapp_text_ec.json", certificate.display_code)
    for _attempt in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert whatsapp_post(client, body).status_code == 200
    assert len(graph.requests) == 1


def test_whatsapp_batch_answers_each_message_and_a_photo_gets_help(
    client, graph, user, django_capture_on_commit_callbacks
):
    certificate = issue()
    certificate_revoke(certificate=certificate, actor=user, reason="x")
    with django_capture_on_commit_callbacks(execute=True):
        whatsapp_post(client, whatsapp_body("whatsapp_text_pe_two.json", certificate.display_code))
    first, second = graph.sent
    assert first["to"] == "51987654321" and first["text"]["body"].startswith("Ruta: REVOCADO el ")
    assert second["to"] == "51912345678" and "Envía el código impreso" in second["text"]["body"]


def test_whatsapp_statuses_only_payload_is_acknowledged_and_ignored(client, graph, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = whatsapp_post(client, whatsapp_body("whatsapp_statuses_pe.json"))
    assert response.status_code == 200
    assert graph.requests == [] and not TextVerificationMessage.objects.exists()


def test_whatsapp_bad_signature_is_refused_and_nothing_is_sent(
    client, graph, caplog, django_capture_on_commit_callbacks
):
    certificate = issue()
    body = whatsapp_body("whatsapp_text_ec.json", certificate.display_code)
    with caplog.at_level(logging.WARNING, logger="ruta.textverify"), django_capture_on_commit_callbacks(execute=True):
        forged = whatsapp_post(client, body, secret="otro-secreto")
        tampered_body = body.replace(b"593991234567", b"593990000000")
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        tampered = client.post(
            WHATSAPP_PATH, data=tampered_body, content_type="application/json", HTTP_X_HUB_SIGNATURE_256=signature
        )
        unsigned = client.post(WHATSAPP_PATH, data=body, content_type="application/json")
    assert [forged.status_code, tampered.status_code, unsigned.status_code] == [403, 403, 403]
    assert graph.requests == [] and not TextVerificationMessage.objects.exists()
    assert "bad signature" in caplog.text
    for secret in (certificate.code, certificate.display_code, "593991234567", "Verificación"):
        assert secret not in caplog.text


def test_whatsapp_signed_but_deeply_nested_body_is_a_bad_request(client, graph):
    """Signed by Meta's secret (or by whoever holds it) but nested thousands deep: a 400, never a 500."""
    response = whatsapp_post(client, b"[" * 5000 + b"]" * 5000)
    assert response.status_code == 400 and graph.requests == []


def test_whatsapp_rate_limit_answers_the_limit_once(client, graph, settings, django_capture_on_commit_callbacks):
    settings.RUTA_TEXT_VERIFY_RATE = "1/h"
    certificate = issue()
    template = json.loads(whatsapp_body("whatsapp_text_ec.json", certificate.display_code))
    for n in range(3):
        template["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.prueba{n}"
        with django_capture_on_commit_callbacks(execute=True):
            whatsapp_post(client, json.dumps(template).encode())
    bodies = [sent["text"]["body"] for sent in graph.sent]
    assert len(bodies) == 2
    assert bodies[0].startswith("Ruta: VÁLIDO.") and bodies[1].startswith("Ruta: recibimos muchas consultas")


def test_a_refused_reply_is_forgotten_and_an_unavailable_api_is_retried_later(graph):
    answer = services.text_message_answer(
        provider="whatsapp", message_id="wamid.prueba-refusal", sender="51987654321", body="hola"
    )
    message = answer.message
    message.reply_to, message.reply_text, message.phone_number_id = "51987654321", answer.text, "106540352242922"
    message.save()
    graph.status = 503
    with pytest.raises(services.GraphUnavailable):
        services.whatsapp_reply_send(message=message)
    message.refresh_from_db()
    assert message.reply_to == "51987654321"  # kept for the retry
    graph.status = 400
    assert services.whatsapp_reply_send(message=message) is False
    message.refresh_from_db()
    assert message.reply_to == "" and message.reply_text == "" and message.replied_at is None
    assert services.whatsapp_reply_send(message=message) is False and len(graph.requests) == 2


def test_prune_forgets_old_messages_and_stale_pending_replies(settings):
    from django.utils import timezone

    settings.RUTA_TEXT_VERIFY_KEEP_DAYS = 30
    now = timezone.now()
    old = TextVerificationMessage.objects.create(
        provider="twilio", message_key="a" * 64, received_at=now - datetime.timedelta(days=31)
    )
    stale = TextVerificationMessage.objects.create(
        provider="whatsapp",
        message_key="b" * 64,
        received_at=now - datetime.timedelta(days=2),
        reply_to="593991234567",
        reply_text="Ruta: VÁLIDO.",
    )
    fresh = TextVerificationMessage.objects.create(
        provider="whatsapp", message_key="c" * 64, reply_to="51987654321", reply_text="Ruta: VÁLIDO."
    )
    assert services.text_messages_prune(now=now) == 1
    assert not TextVerificationMessage.objects.filter(pk=old.pk).exists()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.reply_to == "" and stale.reply_text == "" and fresh.reply_to == "51987654321"


def test_answers_are_spanish_by_default_and_translatable():
    from django.utils import translation

    from certification.selectors import certificate_verification_get

    certificate = issue(issued_on=datetime.date(2026, 3, 2))
    verification = certificate_verification_get(code=certificate.code)
    with translation.override("en"):
        english = services.verification_answer_text(verification=verification)
    assert english.startswith("Ruta: VALID. Genuine and current certificate.") and "Issuer: " in english
    # The webhook answers in the site's language whatever the gateway's Accept-Language says.
    answer = services.text_message_answer(
        provider="twilio", message_id="SMes", sender="+51987654321", body=certificate.code
    )
    assert answer.text.startswith("Ruta: VÁLIDO.") and len(answer.text) <= 2 * 160
