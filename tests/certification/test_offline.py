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
    assert expected == {"valid", "invalid", "unknown_key", "revoked", "replaced", "expired", "malformed"}
    names = " ".join(v["name"] for v in VECTORS["vectors"])
    for word in ("name", "date", "course", "code", "signature", "key id"):
        assert word in names


def test_valid_vector_carries_accented_fields():
    vector = VECTORS["vectors"][0]
    today = datetime.date.fromisoformat(VECTORS["today"])
    fields = offline_verify(vector["url"], VECTORS["jwks"], VECTORS["revocations"], today)["fields"]
    assert fields["n"] == "José Gregorio Hernández Núñez"
    assert fields["u"] == ["UC1 Atención al cliente", "UC2 Ventas"]
