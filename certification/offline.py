"""The offline verifier's logic in Python: the same rules as ``static/certification/verifier.js``, checked
against the same test vectors (``tests/certification/vectors/offline.json``).

Given a scanned URL, the cached JWKS and the cached revocation list, decide without network whether the
certificate is genuine and current. Pure functions; no database.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

from . import signing
from .codes import code_normalize

STATUSES = ("valid", "expired", "revoked", "replaced", "invalid", "unknown_key", "malformed")


def offline_verify(url: str, jwks: dict[str, Any], revocations: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """Verify a QR URL: the signature over the canonical fields, the key among the cached keys, then status."""
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
        return {"status": "unknown_key", "fields": fields}
    try:
        public_key = signing.public_key_from_raw(signing.b64url_decode(key["x"]))
        payload = signing.canonical_json(fields)
    except (ValueError, TypeError):
        return {"status": "malformed"}
    if not signing.verify(payload, signature, public_key):
        return {"status": "invalid"}
    if code in revocations.get("replaced", {}):
        return {"status": "replaced", "fields": fields, "replaced_by": revocations["replaced"][code]}
    if code in revocations.get("revoked", {}):
        return {"status": "revoked", "fields": fields, "revoked_on": revocations["revoked"][code]}
    if fields.get("e") and fields["e"] < today.isoformat():
        return {"status": "expired", "fields": fields}
    return {"status": "valid", "fields": fields}
