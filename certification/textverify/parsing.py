"""Finding a certificate code in a text message as people type it: «verificar 7k3m q9xd-2hbw r4te j»,
«Código: 7K3M-Q9XD-2HBW-R4TE-J», the verification link pasted whole, accents and full-width digits.

Pure functions; imports only ``certification.codes``.
"""

from __future__ import annotations

import re
import unicodedata

from ..codes import CODE_LENGTH, code_normalize

MAX_CHARS = 400  # more than any real message; bounds the work on a hostile one
MAX_TOKENS = 40
_TOKEN = re.compile(r"[0-9A-Z]+")


def _fold(text: str) -> str:
    """Upper case without accents (NFKD also turns full-width digits into ASCII ones)."""
    decomposed = unicodedata.normalize("NFKD", text[:MAX_CHARS])
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).upper()


def code_candidates(text: str) -> list[str]:
    """Canonical codes the message may hold, most likely first (at most a few are worth a lookup).

    A code is written in groups (``7K3M-Q9XD-2HBW-R4TE-J``) or in one piece, so every run of neighbouring
    tokens that joins into 17 symbols with the right check symbol, or into 16 symbols, is a candidate. Runs
    built only from short groups come first: a word such as «VERIFICAR» glued to a group is a worse guess.
    """
    tokens = _TOKEN.findall(_fold(text))[:MAX_TOKENS]
    ranked: list[tuple[int, int, str]] = []
    for start in range(len(tokens)):
        joined = ""
        wordy = False
        for index, token in enumerate(tokens[start:], start):
            joined += token
            wordy = wordy or CODE_LENGTH > len(token) > 5
            if len(joined) > CODE_LENGTH + 1:
                break
            # 16 symbols followed by a lone symbol are a code with its check symbol: never drop a wrong check.
            typed_check = len(joined) == CODE_LENGTH and index + 1 < len(tokens) and len(tokens[index + 1]) == 1
            if len(joined) in (CODE_LENGTH, CODE_LENGTH + 1) and not typed_check and (code := code_normalize(joined)):
                checked = len(joined) == CODE_LENGTH + 1
                ranked.append((int(wordy), 0 if checked else 1, code))
        # «VERIFICAR7K3MQ9XD2HBWR4TEJ»: the code glued to a word sits at the end of the token.
        if len(tokens[start]) > CODE_LENGTH + 1:
            for size in (CODE_LENGTH + 1, CODE_LENGTH):
                if code := code_normalize(tokens[start][-size:]):
                    ranked.append((1, 0 if size > CODE_LENGTH else 1, code))
    seen: list[str] = []
    for _wordy, _unchecked, code in sorted(ranked, key=lambda item: item[:2]):
        if code not in seen:
            seen.append(code)
    return seen


def looks_like_a_code(text: str) -> bool:
    """The message tried to give a code (it has digits) but no candidate was found: a typo, not a question."""
    return any(ch.isdigit() for ch in _fold(text))
