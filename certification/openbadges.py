"""Open Badges 3.0 export: a certificate as a W3C Verifiable Credential (VCDM 2.0, ``OpenBadgeCredential``)
signed with a ``DataIntegrityProof`` using the ``eddsa-rdfc-2022`` cryptosuite.

Canonicalisation is RDFC-1.0 (URDNA2015) by PyLD with an offline document loader: JSON-LD contexts are served
from ``certification/contexts/`` (copied from the 1EdTech validator, Apache-2.0) and never fetched at run time.
Key provenance: the proof's verification method is ``<issuer id>#<kid>``, a ``Multikey`` listed (with every
older key, so rotation keeps old credentials verifiable) in the issuer profile served at the issuer id, whose
``controller`` is the issuer: a standard verifier checks that the issuer lists the key. The keys are the same as
the JWKS (``services.public_keys_list``). Status: every credential carries a ``BitstringStatusListEntry``
(``revocation``; trainer certificates also ``suspension``) pointing at a signed status-list credential.
"""

from __future__ import annotations

import base64
import copy
import datetime
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pyld import jsonld

from lms.accounts.models import Institution

from . import signing, statuslist
from .models import Certificate, CertificateProgramme

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
#: Terms of a controller document that the VC and OB contexts leave undefined (their IRIs in the security
#: vocabulary, as the DID and security contexts define them), inline so nothing has to be fetched.
CONTROLLER_TERMS = {
    "verificationMethod": {"@id": "https://w3id.org/security#verificationMethod", "@type": "@id"},
    "assertionMethod": {"@id": "https://w3id.org/security#assertionMethod", "@type": "@id", "@container": "@set"},
}
ISSUER_CONTEXT: list[Any] = [VC_CONTEXT, OB_CONTEXT, MULTIKEY_CONTEXT, CONTROLLER_TERMS]
CONTEXT_FILES = {
    # The two a wallet's DID authentication uses (Learner Credential Wallet signs with Ed25519Signature2020).
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-signature-2020-v1.jsonld",
    MULTIKEY_CONTEXT: "multikey-v1.jsonld",
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


def _end_of_day_iso(date) -> str:
    """The instant a certificate valid through ``date`` stops being valid: the next midnight in Ruta's time zone
    (the page, API and PDF call it current all of that day), in UTC."""
    midnight = datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time())
    instant = timezone.make_aware(midnight, timezone.get_default_timezone()).astimezone(datetime.UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_url(*, institution: Institution) -> str:
    return settings.RUTA_BASE_URL + reverse("certification:issuer", args=[institution.slug])


def achievement_variant(*, programme: CertificateProgramme, name: str = "", units: Any = ()) -> str:
    """ "" for the programme's own Achievement (its title, no units); otherwise a digest naming this claim.

    One id must always mean one claim: a competency standard's partial certificate («Competente en 3 de 4
    unidades…», with the units reached) and its complete one are different Achievements, or a wallet or a verifier
    keying achievements by id would merge partial and full competence.
    """
    units = [str(unit) for unit in units or ()]
    if (not name or name == programme.title) and not units:
        return ""
    digest = hashlib.sha256(json.dumps([name, units], ensure_ascii=False).encode("utf-8")).digest()
    return base64.b32encode(digest[:10]).decode("ascii").lower()


def achievement_url(*, programme: CertificateProgramme, variant: str = "") -> str:
    if variant:
        return settings.RUTA_BASE_URL + reverse("certification:achievement_variant", args=[programme.slug, variant])
    return settings.RUTA_BASE_URL + reverse("certification:achievement", args=[programme.slug])


def status_list_url(*, institution: Institution, purpose: str, number: int) -> str:
    return settings.RUTA_BASE_URL + reverse("certification:status_list", args=[institution.slug, purpose, number])


def verification_method_id(*, institution: Institution, kid: str) -> str:
    return f"{issuer_url(institution=institution)}#{kid}"


def issuer_profile_build(*, institution: Institution, keys: list[tuple[str, Ed25519PublicKey]]) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile, also a controller document: its Multikeys (active first, then every older
    one) with the issuer as controller, each authorised for ``assertionMethod`` (issuing credentials)."""
    issuer_id = issuer_url(institution=institution)
    methods = [
        {
            "id": f"{issuer_id}#{kid}",
            "type": "Multikey",
            "controller": issuer_id,
            "publicKeyMultibase": multikey(signing.raw_public_bytes(public_key)),
        }
        for kid, public_key in keys
    ]
    return {
        "@context": ISSUER_CONTEXT,
        "id": issuer_id,
        "type": ["Profile"],
        "name": institution.name,
        "url": issuer_id,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def achievement_build(*, programme: CertificateProgramme, name: str = "", units: Any = ()) -> dict[str, Any]:
    """The OB 3.0 Achievement a certificate attests: the programme's own, or the claim ``name`` with ``units``.

    Only what every holder of the same claim shares (never a holder's hours, trainer or image): the document at its
    ``id`` is this same Achievement (``/certificados/programas/<slug>[/<variant>]``).
    """
    units = [str(unit) for unit in units or ()]
    variant = achievement_variant(programme=programme, name=name, units=units)
    name = name or programme.title
    certifies = programme.kind in (
        CertificateProgramme.Kind.COMPETENCY_STANDARD,
        CertificateProgramme.Kind.TRAINER_QUALIFICATION,
    )
    achievement_type = "Certification" if certifies else "Certificate"
    narrative = programme.description or name
    if units:
        narrative = f"{narrative} · " + "; ".join(units)
    return {
        "id": achievement_url(programme=programme, variant=variant),
        "type": ["Achievement"],
        "achievementType": achievement_type,
        "name": name,
        "description": programme.description or name,
        "criteria": {"narrative": narrative},
    }


def holder_identity_hash(name: str, salt: str) -> str:
    """OB 3.0 salted identity hash: ``sha256$`` + hex(sha256(value ‖ salt))."""
    return "sha256$" + hashlib.sha256((name + salt).encode("utf-8")).hexdigest()


def status_purpose(*, certificate: Certificate) -> str:
    """The one status purpose a certificate's credential carries.

    Open Badges 3.0 allows a single ``credentialStatus`` (``[0..1]``; 1EdTech's schema rejects an array), so each
    credential gets exactly one entry. Participant certificates: ``revocation``. Trainer certificates:
    ``suspension``, because a master trainer suspends them while a complaint is reviewed and a standard verifier
    must then say "suspended", not "revoked"; a revoked or replaced trainer certificate keeps its suspension bit
    for good (it never becomes valid again: lifting a suspension issues a new certificate), so every verifier
    refuses it, and Ruta's own page, API and offline verifier say "revoked".
    """
    if certificate.programme.kind == CertificateProgramme.Kind.TRAINER_QUALIFICATION:
        return "suspension"
    return "revocation"


def status_entry(*, certificate: Certificate) -> dict[str, str] | None:
    """The certificate's BitstringStatusListEntry, or None for a certificate without a status index."""
    if certificate.status_index is None:
        return None
    number, bit = statuslist.list_position(certificate.status_index)
    purpose = status_purpose(certificate=certificate)
    list_url = status_list_url(institution=certificate.issuer, purpose=purpose, number=number)
    return {
        "id": f"{list_url}#{bit}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(bit),
        "statusListCredential": list_url,
    }


def _bindable_did(did: str) -> str:
    """The holder's DID as the credential may carry it: an Ed25519 ``did:key`` only (as the exchange and the
    «Mis certificados» form accept). A DID of any other kind bound before that rule is left out, never signed."""
    from .exchange import ed25519_did_key  # exchange imports this module

    try:
        return ed25519_did_key(did) if did else ""
    except ValueError:
        return ""


def credential_build(*, certificate: Certificate) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential: only the printed public fields, the holder as a salted hash of the name
    (and the wallet DID the holder gave, if any), the certificate image and the status entries."""
    base = settings.RUTA_BASE_URL
    verify_url = base + reverse("certification:verify", args=[certificate.code])
    image_url = base + reverse("certification:image", args=[certificate.code])
    image = {"id": image_url, "type": "Image", "caption": certificate.achievement}
    achievement = achievement_build(
        programme=certificate.programme, name=certificate.achievement, units=certificate.competency_units
    )
    # What is this holder's own (hours, trainer, the certificate's picture) belongs to the subject, not to the
    # Achievement every holder of the same claim shares.
    subject: dict[str, Any] = {"type": ["AchievementSubject"], "image": image}
    own = [f"{certificate.hours} h" if certificate.hours else "", certificate.trainer_name]
    if any(own):
        subject["narrative"] = " · ".join(part for part in own if part)
    if holder_did := _bindable_did(certificate.holder_did):
        subject["id"] = holder_did
    if certificate.holder_salt:
        identity = {
            "type": "IdentityObject",
            "identityHash": holder_identity_hash(certificate.holder_name, certificate.holder_salt),
            "identityType": "name",
            "hashed": True,
            "salt": certificate.holder_salt,
        }
    else:  # a certificate from before salts (none after migration 0004): the printed name, as the PDF shows it
        identity = {
            "type": "IdentityObject",
            "identityHash": certificate.holder_name,
            "identityType": "name",
            "hashed": False,
        }
    subject["identifier"] = [identity]
    subject["achievement"] = achievement
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": verify_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer_url(institution=certificate.issuer),
            "type": ["Profile"],
            "name": certificate.issuer_name,
        },
        "validFrom": _iso(certificate.issued_on),
        "name": certificate.achievement,
        "image": image,
        "credentialSubject": subject,
    }
    if certificate.expires_on:
        credential["validUntil"] = _end_of_day_iso(certificate.expires_on)
    entry = status_entry(certificate=certificate)
    if entry:
        credential["credentialStatus"] = entry
    return credential


def document_sign(
    document: dict[str, Any], *, pair: signing.SigningKeyPair, verification_method: str, created: str
) -> dict[str, Any]:
    """Add an eddsa-rdfc-2022 DataIntegrityProof (as a one-item array, the form 1EdTech's schema validates)."""
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = signing.sign(proof_hash(document, proof), pair)
    proof["proofValue"] = "z" + base58btc_encode(signature)
    return {**document, "proof": [proof]}


def credential_signed(*, certificate: Certificate) -> dict[str, Any]:
    """The credential with a DataIntegrityProof by the key that signed the certificate, named under its issuer.

    Falls back to the active key when the certificate's key has no private part here (e.g. after rotation).
    """
    ring = signing.keyring()
    pair = ring.keys.get(certificate.kid)
    if pair is None or pair.private_key is None:
        pair = ring.active
    return document_sign(
        credential_build(certificate=certificate),
        pair=pair,
        verification_method=verification_method_id(institution=certificate.issuer, kid=pair.kid),
        created=_iso(certificate.issued_on),
    )


def status_list_credential_signed(
    *, institution: Institution, purpose: str, number: int, set_bits: list[int], generated_at: str
) -> dict[str, Any]:
    """The issuer's signed BitstringStatusListCredential for one purpose and list number."""
    url = status_list_url(institution=institution, purpose=purpose, number=number)
    pair = signing.keyring().active
    document = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(institution=institution),
        "validFrom": generated_at,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": statuslist.encode(set_bits),
        },
    }
    return document_sign(
        document,
        pair=pair,
        verification_method=verification_method_id(institution=institution, kid=pair.kid),
        created=generated_at,
    )
