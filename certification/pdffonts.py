"""Embedding the certificate fonts in fpdf2 PDFs without paying for it on every certificate.

fpdf2 parses a TrueType file on every ``add_font`` (~15 ms each) and, on ``output``, runs fontTools' subsetter
over it to embed only the glyphs used (~35 ms each). For a bulk issue that is most of a certificate's cost,
and it is the same work over and over: certificates of one programme print the same labels, issuer and
achievement, and Spanish names draw on a small alphabet. So, per process:

- each font is parsed once (a *prototype*); a document gets a copy that shares the read-only tables (cmap,
  widths, descriptor) and has its own subset map and its own lazily opened ``TTFont`` (fontTools subsets it in
  place);
- the subsetter's result is kept per set of glyphs (``_CachingSubsetter``): a second document that uses the
  same glyphs embeds the same bytes without running fontTools again;
- in the font that prints names and codes, the ``COMMON`` characters (the letters of Spanish names, the
  symbols of certificate codes) are always embedded, so documents whose text stays within them — almost
  every name from Peru or Ecuador — use the same glyph set and share one subset (~5 KB more per PDF). A name
  with other letters still works: its glyph set is new, subset once and then kept too.

The embedded font is what fontTools would have produced for that glyph set; only fonts added here are cached.
"""

from __future__ import annotations

import copy
import io
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path

from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf import output as fpdf_output
from fpdf.fonts import SubsetMap, TTFFont

#: Embedded in every certificate PDF whatever its text, so that most documents share one glyph set (and one
#: subset): the letters of Spanish names and the symbols of certificate codes.
COMMON = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ÁÉÍÓÚÜÑáéíóúüñ"

#: How many distinct glyph sets each process keeps (each entry is a ~20 KB font program).
SUBSET_CACHE_SIZE = 64

_subsets: OrderedDict[tuple[str, frozenset[str]], tuple[bytes, tuple[str, ...]]] = OrderedDict()
_lock = threading.Lock()
_SOURCE = "_ruta_font_source"


class _CachingSubsetter(ftsubset.Subsetter):
    """fontTools' subsetter, remembering its result per (source font, glyph set) for fonts added here."""

    _ruta_glyphs: frozenset[str] | None = None

    def populate(self, glyphs=(), **kwargs):  # type: ignore[no-untyped-def]
        # Only a population by glyph names (how fpdf2 calls it) makes a cache key.
        self._ruta_glyphs = None if kwargs else frozenset(glyphs)
        return super().populate(glyphs=glyphs, **kwargs)

    def subset(self, font):  # type: ignore[no-untyped-def]
        source = getattr(font, _SOURCE, None)
        if source is None or self._ruta_glyphs is None:
            return super().subset(font)
        key = (source, self._ruta_glyphs)
        with _lock:
            found = _subsets.get(key)
            if found is not None:
                _subsets.move_to_end(key)
        if found is None:
            super().subset(font)
            buffer = io.BytesIO()
            font.save(buffer)
            found = (buffer.getvalue(), tuple(font.getGlyphOrder()))
            with _lock:
                _subsets[key] = found
                while len(_subsets) > SUBSET_CACHE_SIZE:
                    _subsets.popitem(last=False)
        # From here on ``font`` is the subset font: fpdf2 asks it for glyph ids, then saves it into the PDF, which
        # writes the bytes fontTools made for this glyph set.
        data, glyph_order = found
        subsetted = TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        subsetted.setGlyphOrder(list(glyph_order))
        font.__dict__.clear()
        font.__dict__.update(subsetted.__dict__)
        font.save = lambda file, *args, **kwargs: file.write(data)
        return None


class _FontToolsSubset:
    """What fpdf2's output module uses of ``fontTools.subset``, with the caching subsetter."""

    Options = ftsubset.Options
    Subsetter = _CachingSubsetter

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(ftsubset, name)


fpdf_output.ftsubset = _FontToolsSubset()  # type: ignore[attr-defined, assignment]


@cache
def _font_bytes(path: Path) -> bytes:
    return path.read_bytes()


@cache
def _prototype(path: Path, style: str) -> TTFFont:
    pdf = FPDF()
    pdf.add_font("prototype", style, str(path))
    return next(iter(pdf.fonts.values()))  # type: ignore[return-value]


def caches_release() -> None:
    """Let go of fpdf2's per-document memos (``SubsetMap.pick``/``get_glyph`` are ``functools.cache``d methods,
    which would otherwise keep every document's fonts alive for the life of the process)."""
    SubsetMap.pick.cache_clear()
    SubsetMap.get_glyph.cache_clear()


def font_add(pdf: FPDF, *, family: str, style: str, path: Path, common: str = "") -> None:
    """``pdf.add_font(family, style, path)``, from the process's parsed copy of the font; the ``common``
    characters (e.g. ``COMMON`` for the font that prints names and codes) are embedded whether used or not."""
    prototype = _prototype(path, style)
    font = copy.copy(prototype)
    font.i = len(pdf.fonts) + 1
    font.fontkey = f"{family.lower()}{style}"
    font.cw = copy.copy(prototype.cw)  # a defaultdict: looking up a missing character adds it
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    ttfont = TTFont(io.BytesIO(_font_bytes(path)), recalcTimestamp=False, lazy=True)
    setattr(ttfont, _SOURCE, f"{path}:{len(_font_bytes(path))}")
    font.ttfont = ttfont
    font.subset = SubsetMap(font)
    for character in common:
        font.subset.pick(ord(character))
    pdf.fonts[font.fontkey] = font
