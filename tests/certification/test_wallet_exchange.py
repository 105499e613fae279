"""Offering a credential to a wallet: the holder's QR/link, the wallet's DID authentication, the credential.

The wallet side is ``tests/certification/node/wallet.mjs``: Digital Bazaar's ``@digitalbazaar/vc`` with
``Ed25519Signature2020`` (what Learner Credential Wallet signs with) or ``eddsa-rdfc-2022``, a fresh ``did:key``.
It reads the link the page shows, signs, and the test POSTs what it signed where the link says, as the app would.
The credential received is then checked by Digital Bazaar's verifier (``verify_vc.mjs``).
"""

import datetime
import html
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from certification.models import WalletOffer
from certification.services import certificate_revoke
from tests.certification.factories import holder, issue
from tests.certification.test_vc_interop import REPOSITORY, documents_for, node_run, node_verify

WALLET = REPOSITORY / "tests" / "certification" / "node" / "wallet.mjs"

pytestmark = pytest.mark.django_db


def wallet(**request) -> dict:
    return node_run(WALLET, request)


def post_json(client, url: str, body):
    assert url.startswith(settings.RUTA_BASE_URL), url
    return client.post(url.removeprefix(settings.RUTA_BASE_URL), data=json.dumps(body), content_type="application/json")


@pytest.fixture
def owner():
    return holder(first_name="Dayana", last_name="Peña Cedeño", phone="+593991234567")


@pytest.fixture
def certificate(owner):
    return issue(user=owner)


def offer_page(client, owner, certificate):
    """The holder asks for an offer in «Mis certificados» and gets the page with the QR and the link."""
    client.force_login(owner)
    listing = client.get(reverse("certification:my_certificates")).content.decode()
    assert reverse("certification:wallet_offer_new", args=[certificate.code]) in listing
    response = client.post(reverse("certification:wallet_offer_new", args=[certificate.code]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and 'data-offer="open"' in page
    link = html.unescape(re.search(r'href="([^"]+)" data-deep-link', page).group(1))
    client.logout()  # the wallet is another app: it has no session
    return page, link


def test_learner_credential_wallet_link_gives_the_credential_bound_to_the_wallet(client, owner, certificate):
    _, link = offer_page(client, owner, certificate)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://lcw.app/request.html"
    query = parse_qs(parts.query)
    assert query["auth_type"] == ["bearer"] and query["issuer"] == [urlsplit(settings.RUTA_BASE_URL).netloc]
    client.force_login(owner)
    offer = WalletOffer.objects.get(certificate=certificate)
    page = client.get(reverse("certification:wallet_offer", args=[certificate.code, offer.pk])).content.decode()
    app = html.unescape(re.search(r'href="([^"]+)" data-app-link', page).group(1))
    assert app == "dccrequest://request?" + parts.query  # the app's own scheme, the same request
    client.logout()
    signed = wallet(deepLink=link, suite="Ed25519Signature2020")
    assert signed["presentation"]["proof"]["type"] == "Ed25519Signature2020"
    response = post_json(client, signed["postTo"], signed["presentation"])  # LCW posts the presentation bare
    assert response.status_code == 200, response.content
    credential = response.json()
    assert credential["credentialSubject"]["id"] == signed["did"]
    assert credential["id"].endswith(certificate.code)
    result = node_verify(credential, documents_for(client, credential))
    assert result["verified"] is True, result["errors"]
    certificate.refresh_from_db()
    assert certificate.holder_did == signed["did"]
    # Spent: the same presentation again, or another wallet, gets nothing.
    assert post_json(client, signed["postTo"], signed["presentation"]).status_code == 410
    other = wallet(deepLink=link, suite="Ed25519Signature2020")
    again = post_json(client, other["postTo"], other["presentation"])
    assert again.status_code == 410 and "ya se usó" in again.json()["error"]
    client.force_login(owner)
    page = client.get(reverse("certification:wallet_offer", args=[certificate.code, offer.pk])).content.decode()
    assert 'data-offer="used"' in page


def test_vc_api_exchange_with_a_data_integrity_presentation(client, owner, certificate):
    page, _ = offer_page(client, owner, certificate)
    exchange = html.unescape(re.search(r'readonly value="([^"]+)"', page).group(1))
    request = post_json(client, exchange, {})
    assert request.status_code == 200
    vpr = request.json()
    assert vpr["verifiablePresentationRequest"]["query"][0]["type"] == "DIDAuthentication"
    assert vpr["verifiablePresentationRequest"]["domain"] == urlsplit(settings.RUTA_BASE_URL).netloc
    signed = wallet(request=vpr, suite="eddsa-rdfc-2022")
    response = post_json(client, signed["postTo"], {"verifiablePresentation": signed["presentation"]})
    assert response.status_code == 200, response.content
    [credential] = response.json()["verifiablePresentation"]["verifiableCredential"]
    assert credential["credentialSubject"]["id"] == signed["did"]
    assert node_verify(credential, documents_for(client, credential))["verified"] is True


def test_forged_or_foreign_presentations_are_refused_and_spend_nothing(client, owner, certificate):
    _, link = offer_page(client, owner, certificate)
    signed = wallet(deepLink=link, suite="Ed25519Signature2020")
    url = signed["postTo"]

    def refused(presentation, words):
        response = post_json(client, url, presentation)
        assert response.status_code == 400, response.content
        assert words in response.json()["error"]

    # Another offer's challenge (a presentation captured elsewhere).
    elsewhere = wallet(deepLink=link.replace("challenge=", "challenge=x"), suite="Ed25519Signature2020")
    refused(elsewhere["presentation"], "no corresponde")
    # The holder swapped for someone else's DID after signing.
    forged = json.loads(json.dumps(signed["presentation"]))
    forged["holder"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    refused(forged, "otra persona")
    # Signed by one key, claiming another did:key as the signer.
    forged = json.loads(json.dumps(signed["presentation"]))
    other = wallet(deepLink=link, suite="Ed25519Signature2020")
    forged["proof"]["verificationMethod"] = other["presentation"]["proof"]["verificationMethod"]
    forged["holder"] = other["did"]
    refused(forged, "no es válida")
    # For another purpose, or with the signature cut.
    forged = json.loads(json.dumps(signed["presentation"]))
    forged["proof"]["proofPurpose"] = "assertionMethod"
    refused(forged, "autenticación")
    forged = json.loads(json.dumps(signed["presentation"]))
    forged["proof"]["proofValue"] = "z" + "1" * 10
    refused(forged, "no es válida")
    # A context Ruta does not have offline is refused, never fetched.
    forged = json.loads(json.dumps(signed["presentation"]))
    forged["@context"] = [*forged["@context"], "https://example.org/ataque.jsonld"]
    refused(forged, "no se puede leer")
    assert post_json(client, url, "texto").status_code == 400
    nested = client.post(url, data="[" * 5000 + "]" * 5000, content_type="application/json")  # built to break parsers
    assert nested.status_code == 400 and "no envió JSON" in nested.json()["error"]
    bloated = json.loads(json.dumps(signed["presentation"]))
    bloated["relleno"] = "x" * 70_000  # canonicalising is costly: a DID authentication is a few kilobytes
    response = post_json(client, url, bloated)
    assert response.status_code == 413 and "demasiados datos" in response.json()["error"]
    # None of it spent the offer: the real presentation still works.
    assert post_json(client, url, signed["presentation"]).status_code == 200


def test_offers_are_only_for_the_holder_and_only_while_valid(client, owner, certificate, django_user_model):
    stranger = holder(first_name="José", last_name="Huamán Ríos", phone="+51987654321")
    client.force_login(stranger)
    assert client.post(reverse("certification:wallet_offer_new", args=[certificate.code])).status_code == 404
    client.logout()
    login = client.post(reverse("certification:wallet_offer_new", args=[certificate.code]))
    assert login.status_code == 302 and "next=" in login["Location"]
    assert not WalletOffer.objects.exists()
    # Expired offer.
    _, link = offer_page(client, owner, certificate)
    WalletOffer.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    signed = wallet(deepLink=link, suite="Ed25519Signature2020")
    response = post_json(client, signed["postTo"], signed["presentation"])
    assert response.status_code == 410 and "venció" in response.json()["error"]
    # Revoked after the offer was made.
    _, link = offer_page(client, owner, certificate)
    certificate_revoke(certificate=certificate, actor=owner, reason="Error en la nota")
    signed = wallet(deepLink=link, suite="Ed25519Signature2020")
    assert post_json(client, signed["postTo"], signed["presentation"]).status_code == 410
    client.force_login(owner)
    page = client.get(reverse("certification:my_certificates")).content.decode()
    assert reverse("certification:wallet_offer_new", args=[certificate.code]) not in page
    refused = client.post(reverse("certification:wallet_offer_new", args=[certificate.code]), follow=True)
    assert "Solo un certificado válido" in refused.content.decode()
    # Unknown exchanges.
    assert post_json(client, settings.RUTA_BASE_URL + "/certificados/intercambios/nada", {}).status_code == 404
