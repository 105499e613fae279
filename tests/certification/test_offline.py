"""The offline verifier's rules in Python, on the vectors the JavaScript verifier is also tested with."""

import datetime
import json
from pathlib import Path

import pytest

from certification.offline import offline_verify

VECTORS = json.loads((Path(__file__).parent / "vectors" / "offline.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=[v["name"] for v in VECTORS["vectors"]])
def test_python_offline_verifier_matches_the_vectors(vector):
    today = datetime.date.fromisoformat(VECTORS["today"])
    outcome = offline_verify(vector["url"], VECTORS["jwks"], VECTORS["revocations"], today)
    assert outcome["status"] == vector["expected"]


def test_vectors_cover_every_tampering_and_status():
    expected = {v["expected"] for v in VECTORS["vectors"]}
    assert expected == {"valid", "invalid", "unknown_key", "revoked", "suspended", "replaced", "expired", "malformed"}
    names = " ".join(v["name"] for v in VECTORS["vectors"])
    for word in ("name", "date", "course", "code", "signature", "key id"):
        assert word in names


def test_valid_vector_carries_accented_fields():
    vector = VECTORS["vectors"][0]
    today = datetime.date.fromisoformat(VECTORS["today"])
    fields = offline_verify(vector["url"], VECTORS["jwks"], VECTORS["revocations"], today)["fields"]
    assert fields["n"] == "José Gregorio Hernández Núñez"
    assert fields["u"] == ["UC1 Atención al cliente", "UC2 Ventas"]


def test_a_link_signed_by_a_key_the_verifier_does_not_hold_shows_none_of_its_fields():
    today = datetime.date.fromisoformat(VECTORS["today"])
    for vector in VECTORS["vectors"]:
        if vector["expected"] == "unknown_key":
            assert offline_verify(vector["url"], VECTORS["jwks"], VECTORS["revocations"], today) == {
                "status": "unknown_key"
            }


def test_a_revocation_list_saved_before_codes_were_hashed_is_still_read():
    today = datetime.date.fromisoformat(VECTORS["today"])
    revoked = next(v for v in VECTORS["vectors"] if v["expected"] == "revoked")
    code = revoked["url"].split("#")[0].rsplit("/", 1)[1]
    old_list = {"generated_at": "2026-11-01T00:00:00+00:00", "revoked": {code: "2026-10-30"}}
    outcome = offline_verify(revoked["url"], VECTORS["jwks"], old_list, today)
    assert outcome["status"] == "revoked" and outcome["revoked_on"] == "2026-10-30"
