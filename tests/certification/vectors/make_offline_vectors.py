"""Regenerate ``offline.json``: shared test vectors for the offline verifier (Python and JavaScript).

Run: ``.venv/bin/python tests/certification/vectors/make_offline_vectors.py``. The keys are derived from fixed
seeds, so the output is deterministic (Ed25519 signatures are deterministic). Only public keys are written.
"""

import hashlib
import json
import zlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certification import signing
from certification.offline import revocation_key

HERE = Path(__file__).resolve().parent
BASE = "https://ruta.example.org/certificados/v/"


def pair(seed: str) -> signing.SigningKeyPair:
    private_key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())
    public_key = private_key.public_key()
    return signing.SigningKeyPair(kid=signing.key_id(public_key), public_key=public_key, private_key=private_key)


def signed(fields: dict, key: signing.SigningKeyPair) -> tuple[dict, bytes]:
    fields = {**fields, "k": key.kid}
    return fields, signing.sign(signing.signable_json(fields), key)


def url(code: str, fields: dict, signature: bytes) -> str:
    return f"{BASE}{code}#{signing.qr_fragment(fields, signature)}"


def raw_url(code: str, array_text: str, signature: bytes, prefix: bytes = b"") -> str:
    """A QR URL whose compact array is written by hand (another encoder's number forms, a BOM...)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = compressor.compress(prefix + array_text.encode("utf-8")) + compressor.flush()
    return f"{BASE}{code}#{signing.b64url_encode(packed)}.{signing.b64url_encode(signature)}"


def array_text(fields: dict) -> str:
    values = [fields.get(key) for key in signing.QR_FIELDS]
    while values and values[-1] is None:
        values.pop()
    return signing.canonical_json(values).decode("utf-8")


def main() -> None:
    key, other = pair("ruta-vector-key-1"), pair("ruta-vector-key-2")
    stranger = pair("not-ruta")
    base = {
        "v": 1,
        "n": "José Gregorio Hernández Núñez",
        "a": "Inicie y Mejore su Negocio — Genere su Idea de Negocio (IMESUN-GIN)",
        "i": "Organización Internacional del Trabajo",
        "d": "2026-11-23",
        "e": "2028-11-23",
        "h": 40,
        "t": "Carmen Salazar Ríos",
        "u": ["UC1 Atención al cliente", "UC2 Ventas"],
    }
    vectors = []

    def add(name, code, fields, signature, expected):
        vectors.append({"name": name, "url": url(code, fields, signature), "expected": expected})

    code = "0RQECNSZK3E32YB0"
    fields, signature = signed({**base, "c": code}, key)
    add("valid", code, fields, signature, "valid")
    plain = {k: v for k, v in base.items() if k not in ("e", "h", "t", "u")}
    fields2, signature2 = signed({**plain, "n": "Yolimar Rodríguez Pérez", "c": "7K3MQ9XD2HBWR4TE"}, other)
    add("valid, no expiry, no hours, older key", "7K3MQ9XD2HBWR4TE", fields2, signature2, "valid")
    add("tampered name", code, {**fields, "n": "Jose Gregorio Hernandez Nunez"}, signature, "invalid")
    add("tampered issue date", code, {**fields, "d": "2025-11-23"}, signature, "invalid")
    add("tampered expiry date", code, {**fields, "e": "2099-11-23"}, signature, "invalid")
    add("tampered course", code, {**fields, "a": "Diplomado en Finanzas"}, signature, "invalid")
    add("tampered hours", code, {**fields, "h": 400}, signature, "invalid")
    add("tampered issuer", code, {**fields, "i": "Universidad Falsa"}, signature, "invalid")
    add("tampered code in the URL", "0RQECNSZK3E32YB1", fields, signature, "invalid")
    flipped = bytearray(signature)
    flipped[10] ^= 0x01
    add("tampered signature", code, fields, bytes(flipped), "invalid")
    add("key id switched to another Ruta key", code, {**fields, "k": other.kid}, signature, "invalid")
    add("key id unknown", code, {**fields, "k": "AAAAAAAAAAA"}, signature, "unknown_key")
    forged, forged_signature = signed({**base, "c": code}, stranger)
    add("signed by a key that is not Ruta's", code, forged, forged_signature, "unknown_key")
    forged_kid = {**forged, "k": key.kid}
    add(
        "forger claims Ruta's key id",
        code,
        forged_kid,
        signing.sign(signing.signable_json(forged_kid), stranger),
        "invalid",
    )
    revoked_code = "1111222233334444"
    fields3, signature3 = signed({**base, "c": revoked_code}, key)
    add("revoked", revoked_code, fields3, signature3, "revoked")
    replaced_code = "5555666677778888"
    fields4, signature4 = signed({**base, "c": replaced_code}, key)
    add("replaced", replaced_code, fields4, signature4, "replaced")
    suspended_code = "SSSSTTTTVVVVWWWW"
    fields7, signature7 = signed({**base, "c": suspended_code}, key)
    add("suspended", suspended_code, fields7, signature7, "suspended")
    expired_code = "9999AAAABBBBCCCC"
    fields5, signature5 = signed({**base, "c": expired_code, "e": "2026-01-31"}, key)
    add("expired", expired_code, fields5, signature5, "expired")
    vectors.append(
        {"name": "not a certificate link", "url": "https://ruta.example.org/cursos/", "expected": "malformed"}
    )
    vectors.append({"name": "garbage fragment", "url": f"{BASE}{code}#bm90LWRlZmxhdGU.AAAA", "expected": "malformed"})
    vectors.append({"name": "lower-case code", "url": url(code.lower(), fields, signature), "expected": "malformed"})
    # Number forms: a JSON number is a double, so 12.0 and 1.2e1 are the signed 12 (RFC 8785); 12.5 is not.
    hours_code = "HHHHJJJJKKKKMMMM"
    fields6, signature6 = signed({**base, "c": hours_code, "h": 12}, key)
    text6 = array_text(fields6)
    assert ",12," in text6
    for form, expected in (("12", "valid"), ("12.0", "valid"), ("1.2e1", "valid"), ("12.5", "invalid")):
        vectors.append(
            {
                "name": f"hours written as {form}",
                "url": raw_url(hours_code, text6.replace(",12,", f",{form},"), signature6),
                "expected": expected,
            }
        )
    for form in ("NaN", "1e400"):
        vectors.append(
            {
                "name": f"hours written as {form} (no JSON form)",
                "url": raw_url(hours_code, text6.replace(",12,", f",{form},"), signature6),
                "expected": "malformed",
            }
        )
    vectors.append(
        {
            "name": "payload starting with a byte-order mark",
            "url": raw_url(hours_code, text6, signature6, prefix=b"\xef\xbb\xbf"),
            "expected": "malformed",
        }
    )

    document = {
        "about": "Offline verifier test vectors: certification/offline.py and static/certification/verifier.js "
        "must both return `expected` for each `url`, given `jwks`, `revocations` and `today`.",
        "today": "2026-12-01",
        "jwks": {"keys": [signing.public_jwk(k.public_key, k.kid) for k in (key, other)]},
        # Keyed as Ruta publishes it: a hash of each code, never the code (offline.revocation_key).
        "revocations": {
            "generated_at": "2026-12-01T00:00:00+00:00",
            "keys": "sha256-96",
            "revoked": {revocation_key(revoked_code): "2026-11-30"},
            "suspended": {revocation_key(suspended_code): "2026-11-29"},
            "replaced": {revocation_key(replaced_code): "2026-11-28"},
        },
        "vectors": vectors,
    }
    (HERE / "offline.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
