"""Roster files (CSV or XLSX) → validated rows, and rows → formula-safe CSV/XLSX exports.

CSV is parsed by tablib (the ``csv`` module); XLSX by openpyxl in read-only mode, row by row, stopping one row past
the limit, after checking that its parts do not unpack to more than that many rows could need: a tiny workbook
of millions of rows is refused at once. This module
only decodes, maps Spanish column names, and checks each row. It writes nothing: matching rows to existing
accounts and writing them is ``services.cohort_import_apply``'s job. It reads one thing, in batches, and only
for a number that fits two countries (``987 654 321`` in an Ecuadorian cohort: Peru's usual mobile, or Ecuador's
without its 0): whether exactly one of its readings has an account, so that person is invited, not duplicated.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice

import openpyxl
import openpyxl.styles
import tablib
from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from lms.accounts.models import Profile, User
from lms.accounts.phones import (
    ambiguous_error,
    phone_countries,
    phone_country_name,
    phone_international,
    phone_readings,
)

from .places import fold, region_canonical

#: Canonical field → accepted header spellings (compared accent- and case-free).
COLUMNS: dict[str, tuple[str, ...]] = {
    # The English spellings are those the English form's help names («first names, surnames, phone, …»).
    "first_name": ("nombres", "nombre", "first_name", "first name", "first names", "given names", "name"),
    "last_name": ("apellidos", "apellido", "last_name", "last name", "last names", "surname", "surnames"),
    "phone": ("telefono", "celular", "movil", "whatsapp", "phone", "telefono movil", "mobile", "phone number"),
    "email": ("correo", "correo electronico", "email", "e-mail", "mail"),
    "username": ("usuario", "username", "nombre de usuario", "user"),
    "region": ("region", "provincia", "departamento", "region / provincia", "province", "state"),
    "city": ("ciudad", "distrito", "city", "district"),
}
IDENTIFIERS = ("phone", "email", "username")
#: Columns the bad-rows download adds; ignored when that file comes back corrected.
ERROR_COLUMNS = ("fila", "error")
TEMPLATE_HEADERS = ["nombres", "apellidos", "teléfono", "correo", "usuario", "región", "ciudad"]

#: Numbers looked up per query when settling numbers that fit two countries.
_BATCH = 500

_HEADER_INDEX = {fold(alias): key for key, aliases in COLUMNS.items() for alias in aliases}


class RosterFileError(Exception):
    """The file as a whole cannot be read (format, encoding, columns, size). Message is in Spanish."""


@dataclass
class RosterRow:
    """One data row of the file, cleaned, with the reasons it cannot be imported (empty when fine)."""

    line: int
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    username: str = ""
    region: str = ""
    city: str = ""
    errors: list[str] = field(default_factory=list)
    #: The cells at fault (``first_name``, ``phone``...), so the preview can point at them.
    bad_fields: set[str] = field(default_factory=set)
    #: What the import made of a number that fits two countries, when one reading had an account (no error).
    phone_note: str = ""
    #: Every number the phone cell may be, while that is being settled (``_settle_two_country_phones``).
    phone_readings: list[str] = field(default_factory=list, repr=False)

    def fail(self, message: str, *fields: str) -> None:
        self.errors.append(message)
        self.bad_fields.update(fields)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def _max_rows() -> int:
    return int(getattr(settings, "RUTA_COHORT_IMPORT_MAX_ROWS", 5000))


def _max_bytes() -> int:
    return int(getattr(settings, "RUTA_COHORT_IMPORT_MAX_BYTES", 5 * 1024 * 1024))


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM) first; then Windows-1252/Latin-1, which is what Excel saves in Spanish. A file
    that starts with a UTF-16 byte-order mark is Excel's «Texto Unicode» (tab-separated): read as UTF-16."""
    if content[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RosterFileError(_("El archivo no es un CSV de texto ni un Excel (.xlsx) válido.")) from exc
    if b"\x00" in content[:4096]:
        raise RosterFileError(_("El archivo no es un CSV de texto ni un Excel (.xlsx) válido."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def is_xlsx(content: bytes, filename: str) -> bool:
    return content[:2] == b"PK" or filename.lower().endswith(".xlsx")


def _load_dataset(content: bytes, filename: str) -> tablib.Dataset:
    if len(content) > _max_bytes():
        raise RosterFileError(
            _("El archivo pesa demasiado (máximo %(mb)s MB).") % {"mb": _max_bytes() // (1024 * 1024)}
        )
    if not content.strip():
        raise RosterFileError(_("El archivo está vacío."))
    dataset = tablib.Dataset()
    try:
        if is_xlsx(content, filename):
            dataset = _load_xlsx(content)
        else:
            text = decode_text(content)
            first_line = text.split("\n", 1)[0]
            counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
            delimiter = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
            dataset.load(text, format="csv", delimiter=delimiter)
    except RosterFileError:
        raise
    except tablib.InvalidDimensions as exc:
        raise RosterFileError(_("Alguna fila tiene más columnas que el encabezado. Revisa el separador.")) from exc
    except Exception as exc:  # csv, zipfile and openpyxl each raise their own kinds
        raise RosterFileError(_("No pudimos leer el archivo. Súbelo como CSV (UTF-8) o Excel (.xlsx).")) from exc
    return dataset


#: Unpacked bytes an XLSX may hold per allowed row, plus a fixed allowance for styles, themes and the like. An
#: Excel row of a roster takes some 300–600 bytes; anything much larger is refused before it is parsed (openpyxl
#: scans a whole sheet for its size even in read-only mode, and loads the shared strings at once).
XLSX_BYTES_PER_ROW = 2048
XLSX_FIXED_BYTES = 1024 * 1024


def _too_many_rows(n: int | str) -> RosterFileError:
    return RosterFileError(
        _("El archivo tiene %(n)s filas; el máximo por importación es %(max)s.") % {"n": n, "max": _max_rows()}
    )


def _sheet_rows_over(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bool:
    """True when the sheet has more than ``limit`` ``<row>`` elements; stops reading as soon as it knows."""
    count, tail = 0, b""
    with archive.open(info) as stream:
        while chunk := stream.read(64 * 1024):
            data = tail + chunk
            count += data.count(b"<row ") + data.count(b"<row>")
            if count > limit:
                return True
            tail = data[-4:]  # too short to hold a whole tag: nothing is counted twice
    return False


def _check_xlsx_unpacked_size(content: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than its rows could need (a "zip bomb" of repeated rows)
    before openpyxl parses it. The sizes are the zip's own records (Python's zipfile never inflates a part past
    the size it declares); such a workbook gets the usual row-limit message when it does have too many rows."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) <= XLSX_FIXED_BYTES + (_max_rows() + 1) * XLSX_BYTES_PER_ROW:
                return
            sheets = [i for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
            if any(_sheet_rows_over(archive, info, _max_rows() + 1) for info in sheets):  # + 1: the header
                raise _too_many_rows(_("más de %(max)s") % {"max": _max_rows()})
    except zipfile.BadZipFile:
        return  # openpyxl says it cannot read it, with the usual message
    raise RosterFileError(
        _("La hoja de cálculo es demasiado grande: el máximo por importación es %(max)s filas.") % {"max": _max_rows()}
    )


def _load_xlsx(content: bytes) -> tablib.Dataset:
    """The active sheet's header and at most ``_max_rows() + 1`` data rows (one more tells it is over the limit),
    read row by row: the whole sheet is never loaded. Short rows are padded to the header's width, as tablib does."""
    _check_xlsx_unpacked_size(content)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = book.active
        if sheet is None:
            raise RosterFileError(_("El archivo está vacío."))
        rows = sheet.iter_rows(values_only=True)
        dataset = tablib.Dataset()
        header = next(rows, None)
        if header is None:
            return dataset
        dataset.headers = list(header)
        width = len(header)
        for raw in islice(rows, _max_rows() + 1):
            values = list(raw)
            if len(values) < width:
                values += [""] * (width - len(values))
            dataset.append(values)  # longer rows: tablib.InvalidDimensions, as before
        return dataset
    finally:
        book.close()


def map_headers(headers: Sequence[str | None]) -> dict[str, int]:
    """Canonical field → column index; raises RosterFileError naming what is missing or unknown."""
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers or []):
        raw = str(header or "").strip()
        if not raw:
            continue
        key = _HEADER_INDEX.get(fold(raw))
        if key is None and fold(raw) in ERROR_COLUMNS:
            continue
        if key is None:
            unknown.append(raw)
        elif key not in mapping:
            mapping[key] = index
    problems = []
    if "first_name" not in mapping:
        problems.append(_("falta la columna «nombres»"))
    if not any(key in mapping for key in IDENTIFIERS):
        problems.append(_("falta una columna para identificar a cada persona: «teléfono», «correo» o «usuario»"))
    if unknown:
        problems.append(_("columnas desconocidas: %(cols)s") % {"cols": ", ".join(f"«{u}»" for u in unknown)})
    if problems:
        raise RosterFileError(
            _("Las columnas del archivo no son las esperadas: %(problems)s. Usa la plantilla: %(template)s.")
            % {"problems": "; ".join(problems), "template": ", ".join(TEMPLATE_HEADERS)}
        )
    return mapping


def _cell(row: Sequence, index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index]
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # Excel stores phone numbers as numbers
        value = int(value)
    text = " ".join(str(value).split())
    if text[:2] in ("'+", "'="):  # our own exports quote such cells (safe_cell); a corrected file comes back
        text = text[1:]
    return text


def _too_long_messages() -> dict[str, str]:
    return {
        "first_name": _("Los nombres son demasiado largos: tienen %(n)s caracteres y el máximo es %(max)s."),
        "last_name": _("Los apellidos son demasiado largos: tienen %(n)s caracteres y el máximo es %(max)s."),
        "username": _("El usuario es demasiado largo: tiene %(n)s caracteres y el máximo es %(max)s."),
        "city": _("La ciudad es demasiado larga: tiene %(n)s caracteres y el máximo es %(max)s."),
    }


def _max_lengths() -> dict[str, int]:
    """What the account and profile hold (the single-add form's limits): a longer cell is an error, never cut."""
    return {
        "first_name": User._meta.get_field("first_name").max_length or 150,
        "last_name": User._meta.get_field("last_name").max_length or 150,
        "username": User._meta.get_field("username").max_length or 150,
        "city": Profile._meta.get_field("city").max_length or 100,
    }


def _clean_row(line: int, raw: Sequence, mapping: dict[str, int], country: str) -> RosterRow:
    row = RosterRow(line=line, **{key: _cell(raw, mapping.get(key)) for key in COLUMNS})
    if not row.first_name:
        row.fail(_("Falta el nombre."), "first_name")
    too_long = _too_long_messages()
    for key, limit in _max_lengths().items():
        length = len(getattr(row, key))
        if length > limit:
            row.fail(too_long[key] % {"n": length, "max": limit}, key)
    if row.phone:
        try:
            readings = phone_readings(row.phone, region=country or None)
        except forms.ValidationError:
            row.fail(_("El teléfono «%(phone)s» no es válido.") % {"phone": row.phone}, "phone")
        else:
            if len(readings) == 1:
                row.phone = readings[0]
            else:
                row.phone_readings = readings  # settled once every row is read
    if row.email:
        row.email = row.email.lower()
        try:
            validate_email(row.email)
        except forms.ValidationError:
            row.fail(_("El correo «%(email)s» no es válido.") % {"email": row.email}, "email")
    if not (row.phone or row.email or row.username):
        row.fail(_("Falta el teléfono, el correo o el usuario."), "phone", "email", "username")
    if row.region:
        canonical = region_canonical(country, row.region)
        if canonical is None:
            row.fail(_("La región «%(region)s» no existe en este país.") % {"region": row.region}, "region")
        else:
            row.region = canonical
    return row


def _settle_two_country_phones(rows: list[RosterRow]) -> None:
    """A number that fits two countries becomes the reading that belongs to an account when exactly one does (that
    person is then invited, not given a second account); when none does, the group's country's reading, with a
    note on the row; when several do, the row asks for the country code."""
    pending = [row for row in rows if row.phone_readings]
    numbers = list(dict.fromkeys(number for row in pending for number in row.phone_readings))
    taken: set[str] = set()
    for start in range(0, len(numbers), _BATCH):
        taken.update(User.objects.filter(phone__in=numbers[start : start + _BATCH]).values_list("phone", flat=True))
    for row in pending:
        owned = [number for number in row.phone_readings if number in taken]
        if len(owned) == 1:
            typed, row.phone = row.phone, owned[0]
            row.phone_note = _(
                "«%(typed)s» puede ser un número de %(countries)s: se tomó %(number)s (%(country)s) porque ya hay "
                "una cuenta con ese número; no se crea otra."
            ) % {
                "typed": typed,
                "countries": phone_countries(row.phone_readings),
                "number": phone_international(row.phone),
                "country": phone_country_name(row.phone),
            }
        elif not owned:
            # Nobody has either number: the group's country, said aloud (a spreadsheet drops Ecuador's leading 0
            # from every number cell, so a question on each such row would stop most Ecuadorian rosters).
            typed, row.phone = row.phone, row.phone_readings[0]
            row.phone_note = _(
                "«%(typed)s» puede ser un número de %(countries)s: se tomó %(number)s (%(country)s, el país del "
                "grupo). Si es de otro país, escríbelo con su código (+51, +593 o +58)."
            ) % {
                "typed": typed,
                "countries": phone_countries(row.phone_readings),
                "number": phone_international(row.phone),
                "country": phone_country_name(row.phone),
            }
        else:
            for message in ambiguous_error(row.phone, row.phone_readings).messages:
                row.fail(message, "phone")
        row.phone_readings = []


def _mark_duplicates(rows: Iterable[RosterRow]) -> None:
    seen: dict[tuple[str, str], int] = {}
    labels = {"phone": _("teléfono"), "email": _("correo"), "username": _("usuario")}
    for row in rows:
        for key in IDENTIFIERS:
            value = getattr(row, key)
            if not value:
                continue
            marker = (key, value.lower())
            if marker in seen:
                row.fail(
                    _("Duplicado: el %(what)s ya aparece en la fila %(line)s.")
                    % {"what": labels[key], "line": seen[marker]},
                    key,
                )
            else:
                seen[marker] = row.line


def roster_parse(*, content: bytes, filename: str, country: str) -> list[RosterRow]:
    """Read a roster file and return one cleaned row per data line (line numbers as a spreadsheet shows them).

    Raises RosterFileError when the file itself is unusable: unreadable, empty, wrong columns or too many rows.
    """
    dataset = _load_dataset(content, filename)
    mapping = map_headers(dataset.headers or [])
    if dataset.height > _max_rows():
        # An Excel file is read only up to one row past the limit, so its count is "more than the limit".
        raise _too_many_rows(
            _("más de %(max)s") % {"max": _max_rows()} if is_xlsx(content, filename) else dataset.height
        )
    rows = []
    for offset, raw in enumerate(dataset):
        if not any(str(v or "").strip() for v in raw):
            continue
        rows.append(_clean_row(offset + 2, raw, mapping, country))
    del dataset
    if not rows:
        raise RosterFileError(_("El archivo no tiene filas con personas."))
    _settle_two_country_phones(rows)
    _mark_duplicates(rows)
    return rows


# --- Exports -------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas (CSV/formula injection, OWASP): text starting with = + - @ gets a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export_dataset(*, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> tablib.Dataset:
    """A tablib dataset of the values as they are; ``export_bytes`` makes them formula-safe for each format."""
    dataset = tablib.Dataset(title=title[:31])
    dataset.headers = list(headers)
    for row in rows:
        dataset.append(list(row))
    return dataset


def export_bytes(dataset: tablib.Dataset, fmt: str) -> tuple[bytes, str]:
    """(bytes, content type) for ``csv`` (UTF-8 with BOM so Excel shows accents) or ``xlsx``.

    Neither can run a formula a participant typed (OWASP CSV injection): a CSV quotes text that starts like one
    (``safe_cell``: Excel reads the quote as «this is text» and hides it); an XLSX stores every text cell as text,
    so ``+593 99…`` and ``=HYPERLINK(…)`` show exactly as written, with no quote to remove before copying."""
    if fmt == "xlsx":
        return _xlsx_bytes(dataset), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    safe = tablib.Dataset(title=dataset.title)
    safe.headers = dataset.headers
    for row in dataset:
        safe.append([safe_cell(v) for v in row])
    return ("\ufeff" + safe.export("csv")).encode("utf-8"), "text/csv; charset=utf-8"


def _xlsx_bytes(dataset: tablib.Dataset) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = (dataset.title or "Hoja")[:31]
    bold = openpyxl.styles.Font(bold=True)
    sheet.append([_xlsx_text(h) for h in dataset.headers or []])
    for cell in sheet[1]:
        cell.font = bold
    for row in dataset:
        sheet.append([_xlsx_text(v) if isinstance(v, str) else v for v in row])
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_text(value: object) -> str:
    """Text an XLSX cell can hold (control characters other than tab and new line are not allowed there)."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def error_rows_dataset(rows: Iterable[RosterRow]) -> tablib.Dataset:
    """The rows that could not be imported, in the template's columns plus «fila» and «error», so the trainer
    can fix them in a spreadsheet and upload the same file again (those two columns are ignored then)."""
    return export_dataset(
        title=_("Filas con errores"),
        headers=[*TEMPLATE_HEADERS, *ERROR_COLUMNS],
        rows=(
            [r.first_name, r.last_name, r.phone, r.email, r.username, r.region, r.city, r.line, " ".join(r.errors)]
            for r in rows
        ),
    )
