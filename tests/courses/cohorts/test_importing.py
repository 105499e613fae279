"""Roster files: encodings, columns, per-row errors in Spanish, formula-safe exports (no database)."""

import io
import zipfile

import openpyxl
import pytest
import tablib

from courses.cohorts import importing
from courses.cohorts.importing import RosterFileError, export_bytes, export_dataset, roster_parse, safe_cell

HEADER = "nombres,apellidos,teléfono,correo,región,ciudad\n"


def parse(text: str | bytes, filename="lista.csv", country="PE"):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return roster_parse(content=content, filename=filename, country=country)


def test_a_clean_csv_gives_normalised_rows():
    rows = parse(HEADER + "María José,Pérez Núñez,987 654 321,MJ@Example.org,cusco,Cusco\n")
    assert len(rows) == 1
    row = rows[0]
    assert (row.first_name, row.last_name) == ("María José", "Pérez Núñez")
    assert row.phone == "+51987654321"
    assert row.email == "mj@example.org"
    assert row.region == "Cusco"
    assert row.errors == []
    assert row.line == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "cp1252"])
def test_accents_survive_every_common_encoding(encoding):
    text = "nombres;apellidos;teléfono;región\nÁngela;Muñoz Ibáñez;987654322;Áncash\n"
    rows = parse(text.encode(encoding))
    assert rows[0].first_name == "Ángela"
    assert rows[0].last_name == "Muñoz Ibáñez"
    assert rows[0].region == "Áncash"
    assert rows[0].errors == []


def test_semicolon_separated_files_from_spanish_excel_are_read():
    rows = parse("nombres;apellidos;celular\nLuis;Gómez;987654323\n")
    assert rows[0].phone == "+51987654323"


def test_xlsx_with_numeric_phone_cells():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Nombres", "Apellidos", "Teléfono", "Región"])
    sheet.append(["Rosa", "Quispe", 987654324, "Puno"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = parse(buffer.getvalue(), filename="lista.xlsx")
    assert rows[0].phone == "+51987654324"
    assert rows[0].region == "Puno"


def test_per_row_errors_are_in_spanish_and_name_the_line():
    rows = parse(
        HEADER
        + "Ana,Ríos,123,,Lima,Lima\n"
        + "Beto,Paz,987654325,,Narnia,X\n"
        + "Carla,Soto,987654325,,Lima,Lima\n"
        + ",Sin Nombre,987654326,,,\n"
        + "Dora,Sin Contacto,,,,\n"
        + "Eva,Mal Correo,,no-es-correo,,\n"
    )
    errors = {r.line: " ".join(r.errors) for r in rows}
    assert "El teléfono «123» no es válido." in errors[2]
    assert "La región «Narnia» no existe en este país." in errors[3]
    assert "Duplicado: el teléfono ya aparece en la fila 3." in errors[4]
    assert "Falta el nombre." in errors[5]
    assert "Falta el teléfono, el correo o el usuario." in errors[6]
    assert "El correo «no-es-correo» no es válido." in errors[7]


def test_ecuadorian_numbers_and_provinces_for_an_ecuador_cohort():
    rows = parse("nombres,teléfono,provincia\nJosé,0991234567,pichincha\n", country="EC")
    assert rows[0].phone == "+593991234567"
    assert rows[0].region == "Pichincha"
    assert rows[0].errors == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "vac"),
        (b"nombre completo,dni\nAna,123\n", "columnas"),
        (b"apellidos,telefono\nRios,987654321\n", "nombres"),
        (b"nombres,apellidos\nAna,Rios\n", "«teléfono»"),
        (b"PK\x03\x04garbage that is not a zip", "No pudimos leer"),
        (b"\x00\x01\x02binary", "no es un CSV"),
        (b"nombres,telefono\n", "no tiene filas"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_reason(content, message):
    with pytest.raises(RosterFileError) as excinfo:
        parse(content, filename="x.xlsx" if content.startswith(b"PK") else "x.csv")
    assert message in str(excinfo.value)


def test_unknown_columns_are_named():
    with pytest.raises(RosterFileError, match="«DNI»"):
        parse("nombres,teléfono,DNI\nAna,987654321,123\n")


def test_too_many_rows_is_refused(settings):
    settings.RUTA_COHORT_IMPORT_MAX_ROWS = 3
    text = "nombres,teléfono\n" + "".join(f"P{i},98765{i:04d}\n" for i in range(4))
    with pytest.raises(RosterFileError, match="máximo"):
        parse(text)


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x")', "+51 987", "-2+3", "@SUM(A1)", "\tcmd"])
def test_exports_neutralise_formulas(value):
    assert safe_cell(value) == "'" + value
    dataset = export_dataset(title="Lista", headers=["nombre"], rows=[[value]])
    csv_bytes, content_type = export_bytes(dataset, "csv")
    assert csv_bytes.startswith("\ufeff".encode())
    assert content_type.startswith("text/csv")
    reread = tablib.Dataset().load(csv_bytes.decode("utf-8-sig"), format="csv")
    assert reread[0][0] == "'" + value
    xlsx_bytes, _ = export_bytes(dataset, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes)).active
    # In the workbook the cell is text, exactly as written: no formula, and no quote to show.
    assert sheet["A2"].value == value
    assert sheet["A2"].data_type == "s"


def test_plain_values_are_untouched():
    assert safe_cell("Ana") == "Ana"
    assert safe_cell(42) == 42
    assert isinstance(export_dataset(title="x", headers=["a"], rows=[]), tablib.Dataset)


def _xlsx_of_repeated_rows(rows: int) -> bytes:
    """A hand-made workbook (as a "zip bomb" is made): ``rows`` identical rows compress to almost nothing."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"

    def row(*values):
        return "<row>" + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values) + "</row>"

    sheet = f"<worksheet {ns}><sheetData>" + row("nombres", "teléfono") + row("Ñusta", "987654321") * rows
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{pkg}/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{main}.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Lista" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet + "</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture
def workbook_loads(monkeypatch):
    """Calls to openpyxl's loader from the importer (a bomb must be refused before it)."""
    calls = []
    real = importing.openpyxl.load_workbook
    monkeypatch.setattr(importing.openpyxl, "load_workbook", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_a_tiny_xlsx_of_many_rows_is_refused_before_it_is_parsed(settings, workbook_loads):
    settings.RUTA_COHORT_IMPORT_MAX_ROWS = 10
    content = _xlsx_of_repeated_rows(200_000)  # some 25 MB unpacked from a few dozen KB
    assert len(content) < 100_000
    with pytest.raises(RosterFileError) as excinfo:
        parse(content, filename="lista.xlsx")
    assert str(excinfo.value) == "El archivo tiene más de 10 filas; el máximo por importación es 10."
    assert workbook_loads == []


def test_an_xlsx_over_the_row_limit_is_read_only_one_row_past_it(settings, workbook_loads):
    settings.RUTA_COHORT_IMPORT_MAX_ROWS = 10
    content = _xlsx_of_repeated_rows(3_000)  # small enough unpacked to be parsed
    assert importing._load_xlsx(content).height == 11
    with pytest.raises(RosterFileError, match="El archivo tiene más de 10 filas; el máximo por importación es 10."):
        parse(content, filename="lista.xlsx")
    assert len(workbook_loads) == 2


def test_an_xlsx_too_big_for_its_few_rows_is_refused(settings, workbook_loads):
    settings.RUTA_COHORT_IMPORT_MAX_ROWS = 10
    book = openpyxl.Workbook()
    book.active.append(["nombres", "apellidos", "teléfono"])
    for n in range(8):  # fewer rows than the limit, but each cell as long as Excel allows
        book.active.append([f"Ana {n} {'á' * 32_000}", f"Núñez {n} {'ñ' * 32_000}", f"98765{n:04d} {'0' * 32_000}"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(RosterFileError, match="demasiado grande: el máximo por importación es 10 filas"):
        parse(buffer.getvalue(), filename="lista.xlsx")
    assert workbook_loads == []


def test_a_roster_with_the_english_headers_the_english_form_names_is_read():
    """The English upload form says «Columns: first names, surnames, phone, e-mail, username, region, city.»: a
    trainer who writes those headers gets the same rows as with the Spanish ones."""
    from django.utils import translation

    from courses.cohorts.forms import RosterUploadForm

    with translation.override("en"):
        help_text = str(RosterUploadForm().fields["file"].help_text)
    headers = help_text.split(":", 1)[1].strip().rstrip(".")
    assert headers == "first names, surnames, phone, e-mail, username, region, city"
    text = headers.replace(", ", ",") + "\nBelén,Guamán Ñaupari,099 123 4567,,,pichincha,Quito\n"
    rows = parse(text, country="EC")
    assert [(r.first_name, r.last_name, r.phone, r.region, r.city, r.errors) for r in rows] == [
        ("Belén", "Guamán Ñaupari", "+593991234567", "Pichincha", "Quito", [])
    ]


def test_country_names_follow_the_interface_language():
    from django.utils import translation

    from tests.courses.cohorts.factories import CohortFactory

    cohort = CohortFactory.build(country="PE", region="Lima Metropolitana", city="Lima")
    with translation.override("es"):
        assert cohort.place == "Lima, Lima Metropolitana, Perú"
    with translation.override("en"):
        assert cohort.place == "Lima, Lima Metropolitana, Peru"
