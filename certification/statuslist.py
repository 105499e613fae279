"""W3C Bitstring Status List v1.0: the encoding of a list and the position of a certificate in it.

A certificate has one ``status_index`` (random, unique); its bit sits at ``index % LIST_SIZE`` of list number
``index // LIST_SIZE`` of its issuer. Each issuer publishes a ``revocation`` list (revoked or replaced
certificates) and a ``suspension`` list (suspended trainer certificates). Index 0 is the left-most bit of the
first byte; ``encodedList`` = multibase base64url (``u`` prefix, no padding) of the GZIP-compressed bits.
Pure functions; no database.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable

#: 16 KB of bits, the specification's minimum, so a list gives herd privacy (nobody learns which bit is whose).
LIST_SIZE = 131072
PURPOSES = ("revocation", "suspension")


def list_position(status_index: int) -> tuple[int, int]:
    """(list number, bit index in that list) of a certificate's status index."""
    return divmod(status_index, LIST_SIZE)


def encode(set_bits: Iterable[int], size: int = LIST_SIZE) -> str:
    """The ``encodedList`` with the given bit indices set (1 = revoked or suspended)."""
    bits = bytearray(size // 8)
    for index in set_bits:
        if not 0 <= index < size:
            raise ValueError(f"bit {index} outside a list of {size}")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same list always encodes to the same bytes (stable ETags and signatures).
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode("ascii")


def decode(encoded_list: str) -> bytes:
    if not encoded_list.startswith("u"):
        raise ValueError("encodedList must be multibase base64url ('u')")
    body = encoded_list[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit_is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
