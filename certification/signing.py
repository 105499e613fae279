"""Ed25519 signing keys, the canonical encoding of a certificate's public fields, and the QR payload.

Keys come from files or settings, never from the database:

* ``RUTA_SIGNING_KEY_PEM`` (an environment variable holding one PKCS#8 PEM private key) is the active key; or
* ``RUTA_SIGNING_KEYS_DIR`` holds ``<kid>.pem`` private keys and ``<kid>.pub.pem`` retired public keys; the file
  ``ACTIVE`` names the active kid (else the newest private key is active).
* With ``RUTA_SIGNING_KEYS_AUTOGENERATE`` (development and tests only) a key is generated into the folder on
  first use.

Every public key that ever signed is also recorded in ``SigningKey`` rows, so old certificates stay verifiable
after a rotation even if the old key file is removed. The key id (``kid``) is the first 11 characters of the
RFC 7638 JWK thumbprint. See ``certification/README.md`` for the canonical encoding and the QR payload.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PAYLOAD_VERSION = 1


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(data: dict[str, Any]) -> bytes:
    """RFC 8785-style canonical JSON: sorted keys, no whitespace, UTF-8, no floats (so no number formatting)."""
    _reject_floats(data)
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("canonical payloads hold integers and strings only")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list):
        for item in value:
            _reject_floats(item)


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(public_key: Ed25519PublicKey, kid: str) -> dict[str, str]:
    """The OKP/Ed25519 JWK (RFC 8037) of a public key."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url_encode(raw_public_bytes(public_key)),
        "kid": kid,
        "use": "sig",
        "alg": "EdDSA",
    }


def key_id(public_key: Ed25519PublicKey) -> str:
    """The first 11 characters of the RFC 7638 thumbprint of the key's JWK."""
    x = b64url_encode(raw_public_bytes(public_key))
    thumbprint_input = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"))
    return b64url_encode(hashlib.sha256(thumbprint_input.encode()).digest())[:11]


@dataclass(frozen=True)
class SigningKeyPair:
    kid: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = None


@dataclass(frozen=True)
class KeyRing:
    active: SigningKeyPair
    keys: dict[str, SigningKeyPair]


_lock = threading.Lock()
_cache: dict[tuple, KeyRing] = {}


def keys_dir() -> Path | None:
    folder = getattr(settings, "RUTA_SIGNING_KEYS_DIR", "")
    return Path(folder) if folder else None


def _cache_key() -> tuple:
    folder = keys_dir()
    stamp: tuple = ()
    if folder and folder.is_dir():
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir()))
    return (getattr(settings, "RUTA_SIGNING_KEY_PEM", ""), str(folder), stamp)


def keyring() -> KeyRing:
    """The signing keys configured for this process (cached until the key folder changes)."""
    cache_key = _cache_key()
    ring = _cache.get(cache_key)
    if ring is None:
        with _lock:
            ring = _load_keyring()
            _cache.clear()
            _cache[_cache_key()] = ring
    return ring


def _pair_from_private(private_key: Ed25519PrivateKey) -> SigningKeyPair:
    public_key = private_key.public_key()
    return SigningKeyPair(kid=key_id(public_key), public_key=public_key, private_key=private_key)


def _load_private_pem(data: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("Ruta's signing keys must be Ed25519 keys.")
    return key


def _load_keyring() -> KeyRing:
    keys: dict[str, SigningKeyPair] = {}
    active: SigningKeyPair | None = None
    folder = keys_dir()
    if folder and folder.is_dir():
        newest: tuple[int, SigningKeyPair] | None = None
        for path in sorted(folder.glob("*.pem")):
            if path.name.endswith(".pub.pem"):
                public_key = serialization.load_pem_public_key(path.read_bytes())
                if isinstance(public_key, Ed25519PublicKey):
                    kid = key_id(public_key)
                    keys.setdefault(kid, SigningKeyPair(kid=kid, public_key=public_key))
                continue
            pair = _pair_from_private(_load_private_pem(path.read_bytes()))
            keys[pair.kid] = pair
            mtime = path.stat().st_mtime_ns
            if newest is None or mtime > newest[0]:
                newest = (mtime, pair)
        active_file = folder / "ACTIVE"
        if active_file.exists():
            wanted = active_file.read_text().strip()
            if wanted in keys and keys[wanted].private_key is not None:
                active = keys[wanted]
        if active is None and newest is not None:
            active = newest[1]
    pem = getattr(settings, "RUTA_SIGNING_KEY_PEM", "")
    if pem:
        active = _pair_from_private(_load_private_pem(pem.encode()))
        keys[active.kid] = active
    if active is None:
        if not getattr(settings, "RUTA_SIGNING_KEYS_AUTOGENERATE", False) or folder is None:
            raise ImproperlyConfigured(
                "No certificate signing key: set RUTA_SIGNING_KEY_PEM or put a key in RUTA_SIGNING_KEYS_DIR "
                "(python manage.py certificate_keys_rotate creates one)."
            )
        active = key_file_create(folder)
        keys[active.kid] = active
    return KeyRing(active=active, keys=keys)


def key_file_create(folder: Path) -> SigningKeyPair:
    """Generate a new Ed25519 key as ``<kid>.pem`` (mode 0600) in ``folder`` and mark it ACTIVE."""
    folder.mkdir(parents=True, exist_ok=True)
    private_key = Ed25519PrivateKey.generate()
    pair = _pair_from_private(private_key)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = folder / f"{pair.kid}.pem"
    path.touch(mode=0o600)
    path.write_bytes(pem)
    (folder / "ACTIVE").write_text(pair.kid)
    _cache.clear()
    return pair


def sign(payload: bytes, pair: SigningKeyPair) -> bytes:
    if pair.private_key is None:
        raise ImproperlyConfigured(f"Key {pair.kid} has no private part.")
    return pair.private_key.sign(payload)


def verify(payload: bytes, signature: bytes, public_key: Ed25519PublicKey) -> bool:
    try:
        public_key.verify(signature, payload)
    except InvalidSignature:
        return False
    return True


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


#: Order of the public fields in the QR's compact array (the code travels in the URL path, not here).
QR_FIELDS = ("v", "k", "n", "a", "i", "d", "e", "h", "t", "u")


def qr_fragment(fields: dict[str, Any], signature: bytes) -> str:
    """The URL fragment the QR carries: base64url(deflate-raw(compact JSON array of the fields)) '.' base64url(sig).

    The array holds the values of ``QR_FIELDS`` in order (null where absent, trailing nulls dropped); a
    verifier rebuilds the canonical object from it plus the code in the URL path and checks the signature.
    """
    values = [fields.get(key) for key in QR_FIELDS]
    while values and values[-1] is None:
        values.pop()
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(raw) + compressor.flush()
    return f"{b64url_encode(packed)}.{b64url_encode(signature)}"


def qr_fragment_parse(code: str, fragment: str) -> tuple[dict[str, Any], bytes] | None:
    """The public fields (with ``c`` = ``code``) and the signature carried by a QR fragment; None if malformed."""
    try:
        packed_part, signature_part = fragment.split(".")
        raw = zlib.decompress(b64url_decode(packed_part), -15)
        values = json.loads(raw.decode("utf-8"))
        signature = b64url_decode(signature_part)
    except (ValueError, TypeError, zlib.error, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) > len(QR_FIELDS):
        return None
    fields = {key: value for key, value in zip(QR_FIELDS, values, strict=False) if value is not None}
    fields["c"] = code
    return fields, signature
