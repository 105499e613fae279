"""Drawing certificates: the QR code (qrcode + Pillow), the A4 landscape PDF (fpdf2, embedded DejaVu subset)
and the PNG share image. Pure rendering: takes a certificate and its QR URL, returns bytes; stores nothing.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from functools import cache, lru_cache
from pathlib import Path

import qrcode
import qrcode.util
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from . import pdffonts
from .models import Certificate, CertificateProgramme

FONT_DIR = Path(getattr(settings, "RUTA_CERTIFICATE_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
Kind = CertificateProgramme.Kind


#: Unicode ranges kept in the embedded font: Latin (incl. extended and combining marks), Greek, Cyrillic,
#: general punctuation, currency, letterlike symbols, arrows and check marks.
FONT_RANGES = [
    *range(0x20, 0x250),
    *range(0x300, 0x370),
    *range(0x370, 0x530),
    *range(0x1E00, 0x1F00),
    *range(0x2000, 0x2070),
    *range(0x20A0, 0x20C0),
    *range(0x2100, 0x2200),
    *range(0x2713, 0x2719),
]


@cache
def font_path(name: str) -> Path:
    """A Latin/Greek/Cyrillic subset of the DejaVu font, made once per machine: parsing it per PDF is 10× cheaper."""
    source = FONT_DIR / name
    target = Path(tempfile.gettempdir()) / "ruta-fonts" / f"{source.stat().st_mtime_ns}-{name}"
    if not target.exists():
        from fontTools import subset

        options = subset.Options()
        options.name_IDs = ["*"]
        options.notdef_outline = True
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=FONT_RANGES)
        subsetter.subset(font)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(partial))
        os.replace(partial, target)
    return target


@lru_cache(maxsize=16)
def qr_matrix(url: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(url)
    code.best_fit()
    code.makeImpl(False, qr_best_mask(code))
    return code


_RUNS = re.compile(r"0{5,}|1{5,}")
_FINDER_LIKE = re.compile(r"(?=10111010000|00001011101)")


@cache
def _qr_layout(version: int) -> tuple[list[int], list[int], list[list[int]], list[list[int]]]:
    """Where a QR of ``version`` holds data (rows and columns as bit masks, column/row 0 the highest bit) and
    where each of the 8 mask patterns flips a module."""
    blank = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M)
    size = blank.modules_count = version * 4 + 17
    blank.modules = [[None] * size for _ in range(size)]
    blank.setup_position_probe_pattern(0, 0)
    blank.setup_position_probe_pattern(size - 7, 0)
    blank.setup_position_probe_pattern(0, size - 7)
    blank.setup_position_adjust_pattern()
    blank.setup_timing_pattern()
    blank.setup_type_info(True, 0)
    if version >= 7:
        blank.setup_type_number(True)
    data = [[module is None for module in row] for row in blank.modules]
    flips = [qrcode.util.mask_func(pattern) for pattern in range(8)]
    return (
        _bits([data[r] for r in range(size)]),
        _bits([[data[r][c] for r in range(size)] for c in range(size)]),
        [_bits([[flip(r, c) for c in range(size)] for r in range(size)]) for flip in flips],
        [_bits([[flip(r, c) for r in range(size)] for c in range(size)]) for flip in flips],
    )


def _bits(lines) -> list[int]:  # type: ignore[no-untyped-def]
    return [int("".join("1" if value else "0" for value in line), 2) for line in lines]


def _flipped(lines: list[int], data: list[int], flips: list[int]) -> list[int]:
    """``lines`` with the data modules that a mask pattern flips flipped."""
    return [line ^ (here & flip) for line, here, flip in zip(lines, data, flips, strict=True)]


def qr_best_mask(code: qrcode.QRCode) -> int:
    """The mask pattern qrcode's ``best_mask_pattern`` picks (the lowest ISO 18004 penalty, first on a tie),
    computed on bit masks: the data is placed once, instead of once per pattern with the penalty counted
    module by module (~50 ms for the version-15 QR of a certificate)."""
    code.makeImpl(True, 0)
    size = code.modules_count
    data_rows, data_cols, flip_rows, flip_cols = _qr_layout(code.version)
    rows = _bits(code.modules)
    cols = _bits([[code.modules[r][c] for r in range(size)] for c in range(size)])
    # Undo mask 0 on the data modules, so each pattern can be applied to the unmasked data.
    rows = _flipped(rows, data_rows, flip_rows[0])
    cols = _flipped(cols, data_cols, flip_cols[0])
    width = f"0{size}b"
    pairs = (1 << (size - 1)) - 1
    best, best_penalty = 0, None
    for pattern in range(8):
        masked_rows = _flipped(rows, data_rows, flip_rows[pattern])
        masked_cols = _flipped(cols, data_cols, flip_cols[pattern])
        # Rows and columns as one text ("2" between lines, so no run or pattern spans two of them).
        text = "2".join(format(line, width) for line in masked_rows + masked_cols)
        runs = _RUNS.findall(text)
        penalty = sum(map(len, runs)) - 2 * len(runs)
        for top, bottom in zip(masked_rows, masked_rows[1:], strict=False):
            same = ~(top ^ bottom)
            penalty += 3 * (same & (same >> 1) & ~(top ^ (top >> 1)) & pairs).bit_count()
        penalty += 40 * len(_FINDER_LIKE.findall(text))
        dark = sum(line.bit_count() for line in masked_rows)
        penalty += int(abs(float(dark) / (size**2) * 100 - 50) / 5) * 10
        if best_penalty is None or penalty < best_penalty:
            best, best_penalty = pattern, penalty
    return best


def qr_version(url: str) -> int:
    return qr_matrix(url).version


def qr_image(url: str, box_size: int = 8) -> Image.Image:
    """A black-on-white QR (error correction M) as a 1-bit Pillow image."""
    modules = qr_matrix(url).get_matrix()  # includes the 4-module quiet zone
    size = len(modules)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in modules for dark in row])
    return image.resize((size * box_size, size * box_size), Image.NEAREST)


def _hex_to_rgb(value: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    try:
        value = value.lstrip("#")
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    except (ValueError, IndexError):
        return default


def _date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _for_label(kind: str) -> str:
    """What the holder did, worded per kind of certificate (a course completed, competencies certified, a
    trainer qualified), before the achievement line."""
    if kind == Kind.COMPETENCY_STANDARD:
        return _("por haber demostrado su competencia laboral:")
    if kind == Kind.TRAINER_QUALIFICATION:
        return _("por haber completado la formación de facilitadores y la práctica supervisada:")
    return _("por haber culminado satisfactoriamente")


def _texts(certificate: Certificate) -> dict[str, str]:
    """The printed labels, in Spanish (and English when the programme is bilingual and a translation exists)."""
    kind = certificate.programme.kind
    labels = {
        "heading": _("CERTIFICADO"),
        "awarded": _("Se otorga el presente certificado a"),
        "for": _for_label(kind),
        "hours": _("Duración: %(hours)s horas"),
        "units": _("Unidades de competencia:"),
        # On a trainer's own certificate the name is the master trainer who supervised, not the certified person.
        "trainer": _("Supervisó (master trainer): %(name)s")
        if kind == Kind.TRAINER_QUALIFICATION
        else _("Facilitador·a certificado·a: %(name)s"),
        "issued": _("Fecha de emisión: %(date)s"),
        "expires": _("Válido hasta: %(date)s"),
        "code": _("Código: %(code)s"),
        "verify": _("Verifica este certificado escaneando el código QR o en %(url)s"),
    }
    if certificate.programme.language == certificate.programme.Language.BILINGUAL:
        with translation.override("en"):
            english = {key: _(value) for key, value in labels.items()}
        labels = {key: value if english[key] == value else f"{value} / {english[key]}" for key, value in labels.items()}
    return labels


def _image_file(image) -> bytes | None:
    if image is None:
        return None
    try:
        with image.file.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None


def certificate_pdf_bytes(*, certificate: Certificate, qr_url: str) -> bytes:
    """An A4 landscape PDF with the printed name, achievement, dates, issuer, signatories and QR."""
    programme = certificate.programme
    labels = _texts(certificate)
    primary = _hex_to_rgb(programme.primary_colour, (11, 83, 148))
    accent = _hex_to_rgb(programme.accent_colour, (180, 83, 9))

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{labels['heading']} {certificate.display_code}")
    pdf.set_author(certificate.issuer_name)
    pdf.set_creator("Ruta")
    pdf.set_auto_page_break(False)
    pdffonts.font_add(pdf, family="DejaVu", style="", path=font_path(REGULAR))
    pdffonts.font_add(pdf, family="DejaVu", style="B", path=font_path(BOLD), common=pdffonts.COMMON)
    pdf.add_page()
    width, height = pdf.w, pdf.h

    pdf.set_draw_color(*primary)
    pdf.set_line_width(2.5)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_draw_color(*accent)
    pdf.set_line_width(0.6)
    pdf.rect(12, 12, width - 24, height - 24)

    logo = _image_file(programme.logo)
    if logo:
        pdf.image(io.BytesIO(logo), x=20, y=18, h=18)
    pdf.set_text_color(60, 60, 60)
    pdf.set_font("DejaVu", "", 11)
    pdf.set_xy(20, 20)
    pdf.multi_cell(width - 40, 6, certificate.issuer_name, align="C")

    pdf.set_text_color(*primary)
    pdf.set_font("DejaVu", "B", 30)
    pdf.set_xy(20, 38)
    pdf.cell(width - 40, 14, labels["heading"], align="C")

    pdf.set_text_color(40, 40, 40)
    pdf.set_font("DejaVu", "", 12)
    pdf.set_xy(20, 58)
    pdf.cell(width - 40, 8, labels["awarded"], align="C")
    pdf.set_font("DejaVu", "B", 24)
    pdf.set_xy(20, 68)
    pdf.multi_cell(width - 40, 11, certificate.holder_name, align="C")
    pdf.set_font("DejaVu", "", 12)
    pdf.set_x(20)
    pdf.cell(width - 40, 8, labels["for"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*primary)
    pdf.set_font("DejaVu", "B", 16)
    pdf.set_x(30)
    pdf.multi_cell(width - 60, 8, certificate.achievement, align="C")
    pdf.set_text_color(40, 40, 40)
    pdf.set_font("DejaVu", "", 10.5)
    lines = [[], []]
    if certificate.hours:
        lines[0].append(labels["hours"] % {"hours": certificate.hours})
    if certificate.trainer_name:
        lines[0].append(labels["trainer"] % {"name": certificate.trainer_name})
    lines[1].append(labels["issued"] % {"date": _date(certificate.issued_on)})
    if certificate.expires_on:
        lines[1].append(labels["expires"] % {"date": _date(certificate.expires_on)})
    for parts in lines:
        if parts:
            pdf.set_x(30)
            pdf.multi_cell(width - 60, 6, "   ·   ".join(parts), align="C", new_x="LMARGIN", new_y="NEXT")
    if certificate.competency_units:
        pdf.set_x(30)
        pdf.multi_cell(width - 60, 5.5, f"{labels['units']} " + "; ".join(certificate.competency_units), align="C")

    # Signatories along the bottom, left of the QR.
    signatories = list(programme.signatories.all()[:3])
    qr_size = 52
    qr_x, qr_y = width - 20 - qr_size, height - 20 - qr_size - 8
    if signatories:
        slot = (qr_x - 30) / len(signatories)
        for index, person in enumerate(signatories):
            x = 20 + index * slot
            signature = _image_file(person.signature_image)
            if signature:
                pdf.image(io.BytesIO(signature), x=x + slot / 2 - 22, y=height - 62, w=44, h=16, keep_aspect_ratio=True)
            pdf.set_draw_color(90, 90, 90)
            pdf.set_line_width(0.3)
            pdf.line(x + 8, height - 44, x + slot - 8, height - 44)
            pdf.set_font("DejaVu", "B", 10)
            pdf.set_xy(x, height - 42)
            pdf.multi_cell(slot, 5, person.name, align="C")
            pdf.set_font("DejaVu", "", 9)
            pdf.set_x(x)
            pdf.multi_cell(slot, 4.5, person.title, align="C")

    qr = qr_image(qr_url, box_size=4)
    buffer = io.BytesIO()
    qr.save(buffer, format="PNG", compress_level=1)  # fpdf2 decodes it and compresses the pixels itself
    pdf.image(buffer, x=qr_x, y=qr_y, w=qr_size, h=qr_size)
    pdf.set_font("DejaVu", "B", 9)
    pdf.set_xy(qr_x - 10, qr_y + qr_size + 0.5)
    pdf.cell(qr_size + 20, 5, labels["code"] % {"code": certificate.display_code}, align="C")
    pdf.set_font("DejaVu", "", 7.5)
    pdf.set_text_color(80, 80, 80)
    pdf.set_xy(20, height - 19)
    verify_url = settings.RUTA_BASE_URL + "/certificados/verificar/"
    pdf.cell(qr_x - 30, 4, labels["verify"] % {"url": verify_url}, align="L")
    try:
        return bytes(pdf.output())
    finally:
        pdffonts.caches_release()


@lru_cache(maxsize=8)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(name)), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, max_width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= max_width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def certificate_image_bytes(*, certificate: Certificate, qr_url: str) -> bytes:
    """A 1200×630 PNG for sharing (social-card size) with the name, achievement, issuer, date and QR."""
    programme = certificate.programme
    labels = _texts(certificate)
    primary = _hex_to_rgb(programme.primary_colour, (11, 83, 148))
    image = Image.new("RGB", (1200, 630), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 1199, 629], outline=primary, width=14)
    draw.rectangle([0, 0, 1199, 90], fill=primary)
    draw.text((40, 25), labels["heading"], font=_font(BOLD, 40), fill="white")
    y = 120
    for line in _wrap(draw, certificate.holder_name, _font(BOLD, 48), 720)[:2]:
        draw.text((40, y), line, font=_font(BOLD, 48), fill=(30, 30, 30))
        y += 60
    y += 10
    for line in _wrap(draw, certificate.achievement, _font(BOLD, 32), 720)[:3]:
        draw.text((40, y), line, font=_font(BOLD, 32), fill=primary)
        y += 42
    y += 14
    for line in _wrap(draw, certificate.issuer_name, _font(REGULAR, 26), 720)[:2]:
        draw.text((40, y), line, font=_font(REGULAR, 26), fill=(60, 60, 60))
        y += 34
    draw.text(
        (40, 560), labels["issued"] % {"date": _date(certificate.issued_on)}, font=_font(REGULAR, 24), fill=(60, 60, 60)
    )
    qr = qr_image(qr_url, box_size=5).convert("RGB")
    qr.thumbnail((400, 400), Image.NEAREST)
    image.paste(qr, (1200 - 40 - qr.width, 130))
    draw.text(
        (1200 - 40 - qr.width, 140 + qr.height),
        certificate.display_code,
        font=_font(BOLD, 24),
        fill=(30, 30, 30),
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)  # 6 takes half as long again for 13% less
    return buffer.getvalue()
