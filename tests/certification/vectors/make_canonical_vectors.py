"""Regenerate ``canonical.json``: the canonical JSON bytes (RFC 8785) of every number and string form a payload
can hold, shared by certification/signing.py and static/certification/verifier.js.

Run: ``.venv/bin/python tests/certification/vectors/make_canonical_vectors.py``. The expected bytes are written
by hand below (from RFC 8785 and ECMAScript ``Number::toString``), not computed, so the file checks both
implementations rather than copying one of them.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (name, JSON text as a payload may carry it, expected canonical text or None when it must be refused)
CASES = [
    ("integer", '{"h":12}', '{"h":12}'),
    ("integral decimal 12.0", '{"h":12.0}', '{"h":12}'),
    ("exponent form 1.2e1", '{"h":1.2e1}', '{"h":12}'),
    ("upper-case exponent 1E2", "[1E2]", "[100]"),
    ("fraction 12.5", '{"h":12.5}', '{"h":12.5}'),
    ("zero", '{"h":0}', '{"h":0}'),
    ("zero as 0.0", '{"h":0.0}', '{"h":0}'),
    ("negative zero", "[-0,-0.0]", "[0,0]"),
    ("negative fraction", "[-40.25]", "[-40.25]"),
    ("largest safe integer", "[9007199254740991]", "[9007199254740991]"),
    ("integer beyond 2**53 becomes the nearest double", "[9007199254740993]", "[9007199254740992]"),
    ("large integer 10**20", "[100000000000000000000]", "[100000000000000000000]"),
    ("large integer 10**21", "[1000000000000000000000]", "[1e+21]"),
    ("very large integer", "[123456789012345678901234]", "[1.2345678901234569e+23]"),
    ("small fraction 0.000001", "[0.000001]", "[0.000001]"),
    ("small fraction 1e-7", "[0.0000001]", "[1e-7]"),
    ("shortest round trip 0.1+0.2", "[0.30000000000000004]", "[0.30000000000000004]"),
    ("largest double", "[1.7976931348623157e308]", "[1.7976931348623157e+308]"),
    ("smallest double", "[5e-324]", "[5e-324]"),
    ("overflow to infinity is refused", "[1e400]", None),
    ("NaN is not JSON", "[NaN]", None),
    ("Infinity is not JSON", "[Infinity]", None),
    ("keys sorted, no whitespace", '{ "v" : 1, "a" : "x", "c" : "y" }', '{"a":"x","c":"y","v":1}'),
    ("nested list and null", '{"u":["UC1","UC2"],"e":null}', '{"e":null,"u":["UC1","UC2"]}'),
    ("accents kept as UTF-8", '["Ñusta Quispe Huamán"]', '["Ñusta Quispe Huamán"]'),
    ("escaped accents unescaped", '["Jos\\u00e9"]', '["José"]'),
    ("control characters escaped", '["a\\u001fb\\n\\t"]', '["a\\u001fb\\n\\t"]'),
    ("quote and backslash", '["\\"\\\\"]', '["\\"\\\\"]'),
    ("slash not escaped", '["a\\/b"]', '["a/b"]'),
    ("line separator kept raw", '["\\u2028"]', '["\u2028"]'),
    ("emoji from a surrogate pair", '["\\ud83d\\ude00"]', '["\U0001f600"]'),
    ("lone surrogate escaped", '["\\ud800"]', '["\\ud800"]'),
    ("booleans", "[true,false]", "[true,false]"),
]


def main() -> None:
    document = {
        "about": "Canonical JSON vectors: parse `json` as JSON.parse does, canonicalise it; the UTF-8 bytes must equal "
        "`canonical` (null: parsing or canonicalising must fail). Checked by tests/certification/test_canonical.py "
        "in Python and, through node, in static/certification/verifier.js.",
        "vectors": [{"name": name, "json": text, "canonical": expected} for name, text, expected in CASES],
    }
    (HERE / "canonical.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
