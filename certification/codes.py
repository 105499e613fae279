"""Certificate codes: 80 random bits written in Crockford base32 (16 symbols) plus a check symbol.

The canonical code is the 16-symbol string (``0-9A-Z`` without I, L, O, U). The human form groups it in
fours and adds a Luhn mod-32 check symbol from the same alphabet (so it is always a letter or digit that is
easy to say: Crockford's own mod-37 check would add ``* ~ $ = U``), so a code read out over the phone is
checked before lookup: ``7K3M-Q9XD-2HBW-R4TE-J``. It catches every single wrong symbol and most swaps.
Parsing is forgiving: case, spaces, hyphens, and the look-alikes I/L→1, O→0.
Pure functions; imports nothing from Ruta.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_BITS = 80
CODE_LENGTH = CODE_BITS // 5  # 16 symbols
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def code_generate() -> str:
    """A fresh random code of 80 bits in Crockford base32."""
    number = secrets.randbits(CODE_BITS)
    return _encode(number, CODE_LENGTH)


def _encode(number: int, length: int) -> str:
    symbols = []
    for _ in range(length):
        symbols.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(symbols))


def check_symbol(code: str) -> str:
    """The Luhn mod-32 check symbol of a code, from the Crockford alphabet."""
    total, factor = 0, 2
    for symbol in reversed(code):
        addend = factor * ALPHABET.index(symbol)
        total += addend // 32 + addend % 32
        factor = 1 if factor == 2 else 2
    return ALPHABET[(32 - total % 32) % 32]


def code_display(code: str) -> str:
    """The human-typable form: four groups of four and the check symbol."""
    groups = [code[i : i + 4] for i in range(0, len(code), 4)]
    return "-".join([*groups, check_symbol(code)])


def code_normalize(text: str) -> str | None:
    """The canonical code typed in ``text`` (with or without check symbol), or None if it is malformed.

    A 17-symbol input must end in the right check symbol; a 16-symbol input (as in URLs) is taken as is.
    """
    cleaned = "".join(text.split()).replace("-", "").upper()
    if len(cleaned) == CODE_LENGTH + 1:
        body, check = cleaned[:-1].translate(_LOOKALIKES), cleaned[-1].translate(_LOOKALIKES)
    elif len(cleaned) == CODE_LENGTH:
        body, check = cleaned.translate(_LOOKALIKES), None
    else:
        return None
    if any(symbol not in ALPHABET for symbol in body):
        return None
    if check is not None and check_symbol(body) != check:
        return None
    return body
