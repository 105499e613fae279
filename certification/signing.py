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
import decimal
import hashlib
import json
import math
import re
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


#: Integers a JavaScript verifier holds exactly (IEEE 754 doubles): the only numbers Ruta ever signs.
MAX_SAFE_INTEGER = 2**53 - 1

_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_json(data: Any) -> bytes:
    """RFC 8785 canonical JSON (JCS), byte for byte what ``verifier.js`` produces for the same parsed value.

    Keys sorted by UTF-16 code units, no whitespace, UTF-8 without ``\\u`` escapes except control characters
    and lone surrogates (as ``JSON.stringify``), and numbers written as ECMAScript does: a JSON number is a
    double, so ``12``, ``12.0`` and ``1.2e1`` are all ``12``, ``12.5`` stays ``12.5``, integers beyond 2**53
    become the nearest double (``9007199254740993`` → ``9007199254740992``) and 10**21 is ``1e+21``.
    NaN and infinities raise ``ValueError``. What Ruta *signs* holds only safe integers (``signable_json``),
    so its signed bytes never depend on this formatting; verifiers still agree on any number a payload holds.
    """
    return _canonical(data).encode("utf-8")


def signable_json(data: Any) -> bytes:
    """The canonical bytes of fields Ruta signs: strings, lists and safe integers only (no floats, no bools).

    Refusing anything else at signing time is what keeps the signed bytes identical in every verifier.
    """
    _check_signable(data)
    return canonical_json(data)


def _check_signable(value: Any) -> None:
    if isinstance(value, bool | float):
        raise TypeError("signed payloads hold integers and strings only")
    if isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
        raise TypeError("signed integers must be safe in JavaScript (|n| <= 2**53 - 1)")
    if isinstance(value, dict):
        for item in value.values():
            _check_signable(item)
    elif isinstance(value, list):
        for item in value:
            _check_signable(item)


def _canonical(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))
    if isinstance(value, int | float):
        return canonical_number(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(f"{_canonical(key)}:{_canonical(value[key])}" for key in keys) + "}"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical_number(value: int | float) -> str:
    """ECMAScript ``Number::toString`` of a JSON number (RFC 8785 §3.2.2.3), from an int or a float."""
    if isinstance(value, int) and abs(value) <= MAX_SAFE_INTEGER:
        return str(value)
    try:
        number = float(value)
    except OverflowError as error:
        raise ValueError("number out of range") from error
    if not math.isfinite(number):
        raise ValueError("NaN and infinities have no JSON form")
    if number == 0:
        return "0"  # also -0, as JSON.stringify
    sign = "-" if number < 0 else ""
    # repr() is the shortest round-trip form, as ECMAScript requires; take its digits and exponent.
    parsed = decimal.Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, parsed.digits))
    k = len(digits)
    n = k + int(parsed.exponent)  # number = 0.<digits> × 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        exponent = n - 1
        mantissa = digits[0] + (f".{digits[1:]}" if k > 1 else "")
        text = f"{mantissa}e{'+' if exponent > 0 else '-'}{abs(exponent)}"
    return sign + text


def json_parse(text: str | bytes) -> Any:
    """Parse JSON as ``JSON.parse`` does: NaN and Infinity are not JSON (Python would accept them)."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


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
    """Generate a new Ed25519 key as ``<kid>.pem`` (mode 0600) in ``folder`` and mark it ACTIVE. A folder made here
    is readable by its owner only (0700); an existing folder keeps the mode its operator gave it."""
    import os

    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # whatever the umask; parents made on the way keep the usual mode
    private_key = Ed25519PrivateKey.generate()
    pair = _pair_from_private(private_key)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = folder / f"{pair.kid}.pem"
    # Created 0600 before a byte is written (never readable by others, even for a moment, whatever the umask).
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), 0o600)
        file.write(pem)
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
    _check_signable(values)
    raw = canonical_json(values)  # the same number and string forms as the signed bytes
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(raw) + compressor.flush()
    return f"{b64url_encode(packed)}.{b64url_encode(signature)}"


def qr_fragment_parse(code: str, fragment: str) -> tuple[dict[str, Any], bytes] | None:
    """The public fields (with ``c`` = ``code``) and the signature carried by a QR fragment; None if malformed."""
    try:
        packed_part, signature_part = fragment.split(".")
        raw = zlib.decompress(b64url_decode(packed_part), -15)
        values = json_parse(raw.decode("utf-8"))
        signature = b64url_decode(signature_part)
    except (ValueError, TypeError, zlib.error, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(values, list) or len(values) > len(QR_FIELDS):
        return None
    fields = {key: value for key, value in zip(QR_FIELDS, values, strict=False) if value is not None}
    fields["c"] = code
    return fields, signature
