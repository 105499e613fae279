"""Offering a certificate's credential to the holder's wallet: a one-time VC-API exchange with DID authentication.

The holder asks for an offer in «Mis certificados» and scans its QR (or taps its link) with a wallet:

- **Learner Credential Wallet** (Digital Credentials Consortium) and wallets that follow its deep link: the link
  ``https://lcw.app/request.html?issuer=…&auth_type=bearer&challenge=…&vc_request_url=…`` makes the wallet sign a
  DID-authentication presentation carrying the challenge and POST it, bare, to ``vc_request_url``; the answer is
  the credential.
- **VC-API exchanges** (W3C CCG VC-API / VCALM): a POST of ``{}`` to the exchange URL answers a
  ``verifiablePresentationRequest`` (``DIDAuthentication``, challenge, domain); the wallet POSTs
  ``{"verifiablePresentation": …}`` and gets ``{"verifiablePresentation": {"verifiableCredential": [credential]}}``.

The presentation must be signed by the ``did:key`` it names (``Ed25519Signature2020``, as Learner Credential
Wallet signs, or ``DataIntegrityProof``/``eddsa-rdfc-2022``), for ``authentication``, with this offer's challenge
(and, if it names one, this site's domain). The DID is then bound to the certificate (``credentialSubject.id``)
and the offer is spent: a second presentation gets 410. Offers last 30 minutes and only while the certificate is
valid.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.accounts.models import User

from . import openbadges
from .models import Certificate, WalletOffer

OFFER_LIFETIME = datetime.timedelta(minutes=30)
LCW_REQUEST = "https://lcw.app/request.html"
SECURITY = "https://w3id.org/security#"
_DID_KEY_METHOD = re.compile(r"^did:key:(z[1-9A-HJ-NP-Za-km-z]{40,60})#(z[1-9A-HJ-NP-Za-km-z]{40,60})$")


_DID_KEY = re.compile(r"^did:key:(z[1-9A-HJ-NP-Za-km-z]{40,60})(?:#(z[1-9A-HJ-NP-Za-km-z]{40,60}))?$")


def ed25519_did_key(value: str) -> str:
    """The bare ``did:key`` of an Ed25519 key (multicodec 0xed01, 32 bytes) that ``value`` names, with or
    without its ``#<key>`` fragment; ValueError for anything else (other methods, other key types, bad bytes).

    Only its form is checked, not that whoever typed it holds the key: the exchange proves that.
    """
    match = _DID_KEY.match(value.strip())
    if match is None or (match.group(2) is not None and match.group(2) != match.group(1)):
        raise ValueError("not an Ed25519 did:key")
    openbadges.multikey_decode(match.group(1))  # ValueError unless 0xed01 + 32 bytes
    return f"did:key:{match.group(1)}"


class ExchangeError(Exception):
    """A refusal the wallet gets as JSON (``{"error": message}``) with ``status``."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class OfferRefused(Exception):
    pass


def site_domain() -> str:
    return urlsplit(settings.RUTA_BASE_URL).netloc


def exchange_url(offer: WalletOffer) -> str:
    return settings.RUTA_BASE_URL + reverse("certification:wallet_exchange", args=[offer.token])


def _request_query(offer: WalletOffer) -> str:
    query = {
        "issuer": site_domain(),
        "auth_type": "bearer",
        "challenge": offer.challenge,
        "vc_request_url": exchange_url(offer),
    }
    return urlencode(query)


def deep_link(offer: WalletOffer) -> str:
    """The link (and QR) a phone opens in Learner Credential Wallet: its web address, which a phone's camera opens
    and which hands over to the app where it is installed."""
    return f"{LCW_REQUEST}?{_request_query(offer)}"


def app_link(offer: WalletOffer) -> str:
    """The same request in the app's own scheme (``dccrequest://request``), for phones where the web address does
    not hand over to the app."""
    return f"dccrequest://request?{_request_query(offer)}"


def wallet_offer_create(*, certificate: Certificate, user: User) -> WalletOffer:
    """A fresh one-time offer of the holder's own, currently valid certificate."""
    if certificate.holder_id != user.pk:
        raise OfferRefused(_("Solo la persona titular puede guardar su credencial en una billetera."))
    if certificate.status_on() != Certificate.Status.VALID:
        raise OfferRefused(_("Solo un certificado válido se puede guardar en una billetera."))
    return WalletOffer.objects.create(
        certificate=certificate,
        token=secrets.token_urlsafe(32),
        challenge=str(uuid.uuid4()),
        expires_at=timezone.now() + OFFER_LIFETIME,
    )


def presentation_request(offer: WalletOffer) -> dict[str, Any]:
    return {
        "verifiablePresentationRequest": {
            "query": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}],
            "challenge": offer.challenge,
            "domain": site_domain(),
            "interact": {
                "service": [{"type": "UnmediatedHttpPresentationService2021", "serviceEndpoint": exchange_url(offer)}]
            },
        }
    }


def _single_proof(presentation: dict[str, Any]) -> dict[str, Any]:
    proof = presentation.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        raise ExchangeError(_("La presentación de la billetera no trae una firma."))
    return proof


def did_auth_verify(presentation: Any, *, challenge: str) -> str:
    """The ``did:key`` that signed this DID-authentication presentation for ``challenge``; ExchangeError if not."""
    if not isinstance(presentation, dict):
        raise ExchangeError(_("La billetera no envió una presentación."))
    types = presentation.get("type")
    if "VerifiablePresentation" not in (types if isinstance(types, list) else [types]):
        raise ExchangeError(_("La billetera no envió una presentación."))
    proof = _single_proof(presentation)
    if proof.get("proofPurpose") != "authentication":
        raise ExchangeError(_("La firma de la billetera no es de autenticación."))
    if not isinstance(proof.get("challenge"), str) or not hmac.compare_digest(proof["challenge"], challenge):
        raise ExchangeError(_("La firma de la billetera no corresponde a esta oferta."))
    domain = proof.get("domain")
    if domain is not None and domain not in (site_domain(), settings.RUTA_BASE_URL):
        raise ExchangeError(_("La firma de la billetera es para otro sitio."))
    suite = proof.get("type")
    if not (
        suite == "Ed25519Signature2020"
        or (suite == "DataIntegrityProof" and proof.get("cryptosuite") == "eddsa-rdfc-2022")
    ):
        raise ExchangeError(_("La billetera firmó con un método que Ruta no acepta (se aceptan claves Ed25519)."))
    match = _DID_KEY_METHOD.match(str(proof.get("verificationMethod", "")))
    if match is None or match.group(1) != match.group(2):
        raise ExchangeError(_("La billetera debe firmar con una clave did:key."))
    did = f"did:key:{match.group(1)}"
    holder = presentation.get("holder")
    holder_id = holder.get("id") if isinstance(holder, dict) else holder
    if holder_id is not None and holder_id != did:
        raise ExchangeError(_("La presentación nombra a otra persona titular que la clave que la firmó."))
    try:
        public_raw = openbadges.multikey_decode(match.group(1))
        proof_value = str(proof.get("proofValue", ""))
        signature = openbadges.base58btc_decode(proof_value[1:]) if proof_value.startswith("z") else b""
        config = {key: value for key, value in proof.items() if key != "proofValue"}
        config["@context"] = presentation.get("@context")
        canonical_config = openbadges.canonize(config)
        unsigned = {key: value for key, value in presentation.items() if key != "proof"}
        canonical_document = openbadges.canonize(unsigned)
    except (ValueError, openbadges.ContextNotAvailable) as error:
        raise ExchangeError(_("La presentación de la billetera no se puede leer.")) from error
    except Exception as error:  # PyLD raises its own errors for malformed JSON-LD
        raise ExchangeError(_("La presentación de la billetera no se puede leer.")) from error
    # What was signed must name the challenge and the purpose: a context that left them undefined would drop them.
    if f'<{SECURITY}challenge> "{challenge}"' not in canonical_config or "authenticationMethod>" not in (
        canonical_config
    ):
        raise ExchangeError(_("La firma de la billetera no cubre el desafío de esta oferta."))
    data = hashlib.sha256(canonical_config.encode()).digest() + hashlib.sha256(canonical_document.encode()).digest()
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, data)
    except (InvalidSignature, ValueError) as error:
        raise ExchangeError(_("La firma de la billetera no es válida.")) from error
    return did


def wallet_exchange_answer(*, token: str, body: Any) -> dict[str, Any]:
    """Answer one step of the exchange ``token``: a presentation request, or the credential for a valid
    DID authentication (VC-API wraps it in a presentation; Learner Credential Wallet's bare POST gets it bare)."""
    from .openbadges import credential_signed
    from .services import certificate_holder_did_set

    if not isinstance(body, dict):
        raise ExchangeError(_("La billetera no envió JSON."))
    with transaction.atomic():
        offer = WalletOffer.objects.select_for_update().select_related("certificate").filter(token=token).first()
        if offer is None:
            raise ExchangeError(_("Esta oferta no existe."), status=404)
        if offer.used_at is not None:
            raise ExchangeError(_("Esta oferta ya se usó. Pide otra en «Mis certificados»."), status=410)
        if offer.expires_at <= timezone.now():
            raise ExchangeError(_("Esta oferta venció. Pide otra en «Mis certificados»."), status=410)
        certificate = offer.certificate
        if certificate.status_on() != Certificate.Status.VALID:
            raise ExchangeError(_("Este certificado ya no es válido."), status=410)
        wrapped = "verifiablePresentation" in body
        presentation = body.get("verifiablePresentation") if wrapped else body
        if not wrapped and "proof" not in body:
            return presentation_request(offer)
        did = did_auth_verify(presentation, challenge=offer.challenge)
        certificate_holder_did_set(certificate=certificate, user=certificate.holder, did=did)
        offer.used_at = timezone.now()
        offer.holder_did = did
        offer.save(update_fields=["used_at", "holder_did"])
        credential = credential_signed(certificate=certificate)
    if not wrapped:
        return credential
    return {
        "verifiablePresentation": {
            "@context": [openbadges.VC_CONTEXT],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [credential],
        }
    }
