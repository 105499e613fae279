"""CSV and XLSX exports: aggregated and suppressed, formula-safe, audited; the row-level list for stewards only."""

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from lms.reports import services
from lms.reports.models import ExportAudit
from lms.reports.selectors.filters import Scope
from lms.reports.selectors.roles import report_views_for_user, universe_for

pytestmark = pytest.mark.django_db


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+51 999", "'+51 999"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Lima", "Lima"),
        ("<5", "<5"),
        (-3, -3),
        (12.5, 12.5),
        (None, ""),
    ],
)
def test_cells_are_formula_injection_safe(value, expected):
    assert services.cell_safe(value) == expected


def test_csv_export_carries_the_suppressed_table_and_is_audited(world, client):
    client.force_login(world.me)
    response = client.get(reverse("reports:export", args=["monitoreo", "csv"]), {"por": "region"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = read_csv(response.content)
    flat = [cell for row in rows for cell in row]
    assert "<5" in flat and "*" in flat  # "No indicado" (1) and its complementary partner
    first_table = rows[: rows.index([])]
    region_rows = {row[0]: row for row in first_table if row}
    assert region_rows["No indicado"][1] == "<5"
    assert region_rows["Total"][1] == "11"
    audit = ExportAudit.objects.get()
    assert audit.user == world.me and audit.kind == "aggregate" and audit.file_format == "csv"
    assert audit.filters == {}


def test_xlsx_export_has_numbers_as_numbers_and_hidden_cells_as_text(world, client):
    client.force_login(world.donor)
    response = client.get(reverse("reports:export", args=["cooperante", "xlsx"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert 9 in values  # USAID cohorts: 9 people enrolled in total (a number, not text)
    assert "<5" in values
    for forbidden in ("a1", "c1", "s1"):
        assert forbidden not in values


def test_a_hostile_cohort_name_cannot_become_a_formula(world, client, settings):
    settings.RUTA_SMALL_CELL_THRESHOLD = 1
    world.k1.name = "=cmd|' /C calc'!A0"
    world.k1.save()
    client.force_login(world.me)
    rows = read_csv(client.get(reverse("reports:export", args=["monitoreo", "csv"])).content)
    labels = [row[0] for row in rows if row]
    assert not any(label.startswith("=") for label in labels)
    assert any(label.startswith("'=cmd") for label in labels)


def test_unknown_format_is_not_found(world, client):
    client.force_login(world.me)
    assert client.get(reverse("reports:export", args=["monitoreo", "pdf"])).status_code == 404


def test_row_level_list_leaves_sensitive_fields_out_unless_asked(world):
    scope = Scope(universe_for(user=world.steward, view="datos"))
    content, audit = services.participant_list_export(
        user=world.steward, view="datos", scope=scope, allowed=True, purpose="Verificar el bono de asistencia"
    )
    rows = read_csv(content)
    header = rows[0]
    assert "Nacionalidad" not in header and "Situación migratoria (solo con consentimiento)" not in header
    assert {row[0] for row in rows[1:]} == {"a1", "a2", "a3", "a4", "a5", "a6", "s1", "b1", "b2", "b3", "b4"}
    assert len(rows) - 1 == 12  # enrolments (a1 has two)
    assert audit.kind == "row_level" and audit.sensitive_fields == [] and audit.row_count == 12
    assert audit.purpose == "Verificar el bono de asistencia"


def test_row_level_sensitive_fields_are_logged_and_consent_is_respected(world):
    scope = Scope(universe_for(user=world.steward, view="datos"))
    content, audit = services.participant_list_export(
        user=world.steward,
        view="datos",
        scope=scope,
        allowed=True,
        purpose="Derivar a orientación de regularización",
        sensitive_fields=["situacion_migratoria", "nacionalidad", "no-existe"],
    )
    rows = read_csv(content)
    header = rows[0]
    migratory = header.index("Situación migratoria (solo con consentimiento)")
    by_user = {row[0]: row for row in rows[1:]}
    assert by_user["a1"][migratory] == "Migrante con situación regular"
    assert by_user["a2"][migratory] == ""  # consent withdrawn
    assert by_user["a3"][migratory] == ""  # never consented
    assert audit.sensitive_fields == ["situacion_migratoria", "nacionalidad"]


def test_row_level_needs_permission_and_a_purpose(world):
    scope = Scope(universe_for(user=world.steward, view="datos"))
    with pytest.raises(PermissionDenied):
        services.participant_list_export(user=world.me, view="datos", scope=scope, allowed=False, purpose="x" * 20)
    with pytest.raises(ValidationError):
        services.participant_list_export(user=world.steward, view="datos", scope=scope, allowed=True, purpose="")
    assert not ExportAudit.objects.exists()


def test_participant_page_for_the_data_steward(world, client):
    client.force_login(world.steward)
    url = reverse("reports:participants")
    assert client.get(url).status_code == 200
    response = client.post(url, {"proposito": "corto"})
    assert response.status_code == 400
    response = client.post(
        url, {"proposito": "Lista de pago del bono de conectividad", "campos_sensibles": ["sexo"], "formato": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    audit = ExportAudit.objects.get()
    assert audit.user == world.steward and audit.sensitive_fields == ["sexo"] and audit.file_format == "xlsx"


@pytest.mark.parametrize("who", ["me", "pm", "donor", "t1"])
def test_only_data_stewards_reach_the_row_level_list(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("reports:participants")).status_code == 403
    assert report_views_for_user(user=getattr(world, who)).count("datos") == 0
