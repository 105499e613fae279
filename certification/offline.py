"""The offline verifier's logic in Python: the same rules as ``static/certification/verifier.js``, checked
against the same test vectors (``tests/certification/vectors/offline.json``).

Given a scanned URL, the cached JWKS and the cached revocation list, decide without network whether the
certificate is genuine and current; build and read the signed, encrypted index that lets a typed short code
be verified offline. Pure functions; no database.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from . import signing
from .codes import code_normalize

STATUSES = ("valid", "expired", "revoked", "suspended", "replaced", "invalid", "unknown_key", "malformed")


#: What the published revocation list is keyed by: a hash of each code, never the code itself. A code is the key
#: to a public record with a name, so the list must not hand out codes (80 random bits: the hash can't be reversed
#: by guessing); a verifier holding a code hashes it and looks it up.
REVOCATION_KEY_PREFIX = b"ruta-revocation\x00"


def revocation_key(code: str) -> str:
    """The revocation list's key for ``code`` (base64url of the first 12 bytes of SHA-256 over prefix + code)."""
    return signing.b64url_encode(hashlib.sha256(REVOCATION_KEY_PREFIX + code.encode("ascii")).digest()[:12])


def revocation_status(code: str, revocations: dict[str, Any]) -> tuple[str, str] | None:
    """(status, date) when the list names ``code`` as replaced, revoked or suspended (a list saved before the
    lists were hashed still names codes: both are read)."""
    key = revocation_key(code)
    for status in ("replaced", "revoked", "suspended"):
        entries = revocations.get(status) or {}
        for candidate in (key, code):
            if candidate in entries:
                return status, entries[candidate]
    return None


def offline_verify(url: str, jwks: dict[str, Any], revocations: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """Verify a QR URL: the signature over the canonical fields, the key among the cached keys, then status.

    A link signed with a key the verifier does not hold gets ``unknown_key`` and none of its fields: they are
    whatever the link's author wrote, and showing them would dress a forgery as a certificate."""
    parts = urlsplit(url.strip())
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) < 2 or segments[-2] != "v" or not parts.fragment:
        return {"status": "malformed"}
    code = code_normalize(segments[-1])
    if code is None or code != segments[-1]:
        return {"status": "malformed"}
    parsed = signing.qr_fragment_parse(code, parts.fragment)
    if parsed is None:
        return {"status": "malformed"}
    fields, signature = parsed
    key = next((k for k in jwks.get("keys", []) if k.get("kid") == fields.get("k")), None)
    if key is None or key.get("kty") != "OKP" or key.get("crv") != "Ed25519":
        return {"status": "unknown_key"}
    try:
        public_key = signing.public_key_from_raw(signing.b64url_decode(key["x"]))
        payload = signing.canonical_json(fields)
    except (ValueError, TypeError):
        return {"status": "malformed"}
    if not signing.verify(payload, signature, public_key):
        return {"status": "invalid"}
    listed = revocation_status(code, revocations)
    if listed is not None:
        status, date = listed
        return {"status": status, "fields": fields, f"{status}_on": date}
    if fields.get("e") and fields["e"] < today.isoformat():
        return {"status": "expired", "fields": fields}
    return {"status": "valid", "fields": fields}


# --- The signed index of issued certificates: verify a short code with no network ---------------------------
#
# Public-record fields only (name, achievement, issuer, hours, dates, status), and only to someone who already
# has the code: each record is keyed by a hash of (salt, code) and encrypted with a key derived from (salt, code),
# so the index can't be read as a list of names, and a new random salt per build stops linking records across
# copies. The whole document is signed with Ruta's active key; verifier.js checks it with the JWKS.

INDEX_VERSION = 1
#: current, revoked (extra: date), suspended (extra: date), replaced (extra: new code), bad signature
INDEX_STATUSES = ("v", "r", "s", "x", "i")


@dataclass(frozen=True)
class IndexEntry:
    code: str
    status: str
    name: str = ""
    achievement: str = ""
    issuer: str = ""
    hours: int | None = None
    issued_on: str = ""
    expires_on: str | None = None
    extra: str | None = None


def index_record_key(code: str, salt: bytes) -> tuple[str, bytes]:
    """The record's public id (9 bytes, base64url) and its AES-128 key, both derived from the salt and the code."""
    ident = hashlib.sha256(b"ruta-index-id\x00" + salt + code.encode("ascii")).digest()[:9]
    key = hashlib.sha256(b"ruta-index-key\x00" + salt + code.encode("ascii")).digest()[:16]
    return signing.b64url_encode(ident), key


def _aes_ctr(key: bytes, data: bytes) -> bytes:
    # A key is used for exactly one plaintext (fresh salt per build), so a zero counter block is safe; the
    # document's signature, not a per-record tag, protects integrity.
    transform = Cipher(algorithms.AES(key), modes.CTR(bytes(16))).encryptor()
    return transform.update(data) + transform.finalize()


def index_build(
    *, entries: Iterable[IndexEntry], pair: signing.SigningKeyPair, generated_at: str, salt: bytes
) -> dict[str, Any]:
    """The signed index document (see README «Short codes offline»)."""
    achievements: dict[tuple, int] = {}
    records: dict[str, str] = {}
    for entry in entries:
        if entry.status == "i":
            plain: list[Any] = ["i"]
        else:
            slot = achievements.setdefault((entry.achievement, entry.issuer, entry.hours), len(achievements))
            plain = [entry.status, entry.name, slot, entry.issued_on, entry.expires_on, entry.extra]
            while plain[-1] is None:
                plain.pop()
        ident, key = index_record_key(entry.code, salt)
        records[ident] = signing.b64url_encode(_aes_ctr(key, signing.signable_json(plain)))
    document: dict[str, Any] = {
        "v": INDEX_VERSION,
        "kid": pair.kid,
        "generated_at": generated_at,
        "count": len(records),
        "salt": signing.b64url_encode(salt),
        "achievements": [[a, i, h] if h is not None else [a, i] for (a, i, h) in achievements],
        "records": records,
    }
    document["sig"] = signing.b64url_encode(signing.sign(signing.signable_json(document), pair))
    return document


def index_lookup(index: dict[str, Any], typed: str, jwks: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """What verifier.js answers offline for a typed short code: the same statuses as for a QR, or not_found."""
    code = code_normalize(typed)
    if code is None:
        return {"status": "bad_code"}
    unsigned = {key: value for key, value in index.items() if key != "sig"}
    key = next((k for k in jwks.get("keys", []) if k.get("kid") == index.get("kid")), None)
    if key is None:
        return {"status": "unknown_key"}
    public_key = signing.public_key_from_raw(signing.b64url_decode(key["x"]))
    if not signing.verify(signing.canonical_json(unsigned), signing.b64url_decode(index.get("sig", "")), public_key):
        return {"status": "invalid_index"}
    ident, aes_key = index_record_key(code, signing.b64url_decode(index["salt"]))
    if ident not in index["records"]:
        return {"status": "not_found"}
    plain = signing.json_parse(_aes_ctr(aes_key, signing.b64url_decode(index["records"][ident])).decode("utf-8"))
    if plain[0] == "i":
        return {"status": "invalid"}
    status, name, slot, issued_on, *rest = plain
    expires_on = rest[0] if rest else None
    achievement = index["achievements"][slot]
    fields = {"c": code, "n": name, "a": achievement[0], "i": achievement[1], "d": issued_on}
    if len(achievement) > 2:
        fields["h"] = achievement[2]
    if expires_on:
        fields["e"] = expires_on
    if status == "r":
        return {"status": "revoked", "fields": fields, "revoked_on": rest[1]}
    if status == "s":
        return {"status": "suspended", "fields": fields, "suspended_on": rest[1]}
    if status == "x":
        return {"status": "replaced", "fields": fields, "replaced_by": rest[1]}
    if expires_on and expires_on < today.isoformat():
        return {"status": "expired", "fields": fields}
    return {"status": "valid", "fields": fields}
