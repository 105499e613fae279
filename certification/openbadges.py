"""Open Badges 3.0 export: a certificate as a W3C Verifiable Credential (VCDM 2.0, ``OpenBadgeCredential``)
signed with a ``DataIntegrityProof`` using the ``eddsa-rdfc-2022`` cryptosuite.

Canonicalisation is RDFC-1.0 (URDNA2015) by PyLD with an offline document loader: JSON-LD contexts are served
from ``certification/contexts/`` (copied from the 1EdTech validator, Apache-2.0) and never fetched at run time.
The verification method is a ``did:key`` whose key must also appear in Ruta's JWKS.
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from pyld import jsonld

from . import signing
from .models import Certificate

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXT_FILES = {
    VC_CONTEXT: "credentials-v2.jsonld",
    OB_CONTEXT: "ob-v3p0-3.0.3.json",
}
_ALPHABET58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ED25519_MULTICODEC = b"\xed\x01"


class ContextNotAvailable(Exception):
    pass


@cache
def _context_document(url: str) -> dict[str, Any]:
    name = CONTEXT_FILES.get(url.split("#")[0])
    if name is None:
        raise ContextNotAvailable(url)
    return json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))


def offline_document_loader(url: str, options: dict | None = None) -> dict[str, Any]:
    """A PyLD document loader that serves the bundled contexts and refuses every other URL."""
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_context_document(url))}


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    encoded = ""
    while number:
        number, remainder = divmod(number, 58)
        encoded = _ALPHABET58[remainder] + encoded
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + encoded


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def multikey(public_raw: bytes) -> str:
    """The Multikey form of an Ed25519 public key: 'z' + base58btc(0xed01 || key)."""
    return "z" + base58btc_encode(_ED25519_MULTICODEC + public_raw)


def multikey_decode(value: str) -> bytes:
    data = base58btc_decode(value[1:]) if value.startswith("z") else b""
    if not data.startswith(_ED25519_MULTICODEC) or len(data) != 34:
        raise ValueError("not an Ed25519 multikey")
    return data[2:]


def canonize(document: dict[str, Any]) -> str:
    return jsonld.normalize(
        document,
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": offline_document_loader},
    )


def proof_hash(document: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    """The eddsa-rdfc-2022 hash: sha256(canon(proof config with the document's context)) || sha256(canon(doc))."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = document["@context"]
    return hashlib.sha256(canonize(config).encode()).digest() + hashlib.sha256(canonize(unsigned).encode()).digest()


def _iso(date) -> str:
    return f"{date.isoformat()}T00:00:00Z"


def credential_build(*, certificate: Certificate) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential: only the printed public fields of the certificate."""
    base = settings.RUTA_BASE_URL
    verify_url = base + reverse("certification:verify", args=[certificate.code])
    programme = certificate.programme
    narrative_parts = [programme.description or certificate.achievement]
    if certificate.hours:
        narrative_parts.append(f"{certificate.hours} h")
    if certificate.competency_units:
        narrative_parts.append("; ".join(certificate.competency_units))
    if certificate.trainer_name:
        narrative_parts.append(certificate.trainer_name)
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": f"{base}/certificados/emisores/{certificate.issuer.slug}",
            "type": ["Profile"],
            "name": certificate.issuer_name,
        },
        "validFrom": _iso(certificate.issued_on),
        "name": certificate.achievement,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": certificate.holder_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": f"{base}/certificados/programas/{programme.slug}",
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": certificate.achievement,
                "description": programme.description or certificate.achievement,
                "criteria": {"narrative": " · ".join(narrative_parts)},
            },
        },
    }
    if certificate.expires_on:
        credential["validUntil"] = _iso(certificate.expires_on)
    return credential


def credential_signed(*, certificate: Certificate) -> dict[str, Any]:
    """The credential with an eddsa-rdfc-2022 DataIntegrityProof by the key that signed the certificate.

    Falls back to the active key when the certificate's key has no private part here (e.g. after rotation).
    """
    ring = signing.keyring()
    pair = ring.keys.get(certificate.kid)
    if pair is None or pair.private_key is None:
        pair = ring.active
    document = credential_build(certificate=certificate)
    key = multikey(signing.raw_public_bytes(pair.public_key))
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": f"{certificate.issued_on.isoformat()}T00:00:00Z",
        "verificationMethod": f"did:key:{key}#{key}",
        "proofPurpose": "assertionMethod",
    }
    signature = signing.sign(proof_hash(document, proof), pair)
    proof["proofValue"] = "z" + base58btc_encode(signature)
    document["proof"] = proof
    return document
