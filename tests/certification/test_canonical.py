"""Canonical JSON: Python (certification/signing.py) and JavaScript (static/certification/verifier.js, run in
node) produce the same bytes for every number and string form a payload can hold, and both verifiers reach the
same outcome on every shared offline vector (e.g. hours written as 12.0 by another QR encoder)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from certification import signing

VECTORS_DIR = Path(__file__).parent / "vectors"
CANONICAL = json.loads((VECTORS_DIR / "canonical.json").read_text(encoding="utf-8"))
OFFLINE = json.loads((VECTORS_DIR / "offline.json").read_text(encoding="utf-8"))
VERIFIER_JS = Path(settings.BASE_DIR) / "certification" / "static" / "certification" / "verifier.js"


def _python_canonical(text: str) -> str | None:
    try:
        return signing.canonical_json(signing.json_parse(text)).decode("utf-8")
    except ValueError:
        return None


@pytest.mark.parametrize("vector", CANONICAL["vectors"], ids=[v["name"] for v in CANONICAL["vectors"]])
def test_python_canonical_json_matches_the_vectors(vector):
    assert _python_canonical(vector["json"]) == vector["canonical"]


def test_vectors_cover_the_number_forms_a_payload_can_hold():
    texts = " ".join(v["json"] for v in CANONICAL["vectors"])
    for form in ("12", "12.0", "12.5", "0", "-0", "9007199254740993", "123456789012345678901234", "1e400", "NaN"):
        assert form in texts


def test_javascript_verifier_gives_the_same_bytes_and_outcomes_in_node():
    node = shutil.which("node")
    assert node, "node is missing: run `make system-deps`"
    result = subprocess.run(  # noqa: S603
        [
            node,
            str(VECTORS_DIR / "run_js_vectors.js"),
            str(VERIFIER_JS),
            str(VECTORS_DIR / "canonical.json"),
            str(VECTORS_DIR / "offline.json"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    outcomes = json.loads(result.stdout)
    assert outcomes["canonical"] == {v["name"]: v["canonical"] for v in CANONICAL["vectors"]}
    assert outcomes["offline"] == {v["name"]: v["expected"] for v in OFFLINE["vectors"]}


def test_ruta_signs_only_safe_integers_so_its_signed_bytes_never_depend_on_number_formatting():
    assert signing.signable_json({"h": 12, "v": 1}) == b'{"h":12,"v":1}'
    for bad in (12.0, 12.5, True, 2**53):
        with pytest.raises(TypeError):
            signing.signable_json({"h": bad})
