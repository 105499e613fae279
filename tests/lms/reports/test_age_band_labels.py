"""Age bands are translated like every other label: an English report, CSV or XLSX export says «15 to 17 years»
next to «Under 15», not the Spanish «15 a 17 años»."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from lms.reports.dimensions import DIMENSIONS

pytestmark = pytest.mark.django_db

ENGLISH = {
    "%(low)s a %(high)s años": "%(low)s to %(high)s years",
    "%(low)s años o más": "%(low)s years or over",
}


@pytest.fixture
def english_bands():
    """The English the lead adds to the catalogue (catalogues are compiled separately), put in the loaded one."""
    catalog = trans_real.translation("en")._catalog
    missing = [msgid for msgid in ENGLISH if msgid not in catalog]
    for msgid, msgstr in ENGLISH.items():
        catalog[msgid] = msgstr
    yield
    for msgid in missing:
        for part in catalog._catalogs:
            part.pop(msgid, None)


def test_age_band_labels_follow_the_active_language(english_bands):
    with translation.override("en"):
        labels = {key: str(label) for key, label in DIMENSIONS["edad"].labels().items()}
    assert labels["menos-15"] == "Under 15"
    assert labels["15-17"] == "15 to 17 years"
    assert labels["60+"] == "60 years or over"
    with translation.override("es"):
        labels = {key: str(label) for key, label in DIMENSIONS["edad"].labels().items()}
    assert labels["15-17"] == "15 a 17 años" and labels["60+"] == "60 años o más"


def test_english_report_page_and_exports_have_english_age_bands(world, client, english_bands):
    client.force_login(world.me)
    page = client.get(reverse("reports:report", args=["monitoreo"]), {"por": "edad"}, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "25 to 29 years" in html and "60 years or over" in html
    assert "años" not in html

    response = client.get(
        reverse("reports:export", args=["monitoreo", "csv"]), {"por": "edad"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    cells = {cell for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for cell in row}
    assert {"Under 15", "15 to 17 years", "60 years or over"} <= cells
    assert not any("años" in cell for cell in cells)

    response = client.get(
        reverse("reports:export", args=["monitoreo", "xlsx"]), {"por": "edad"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    assert {"Under 15", "15 to 17 years", "60 years or over"} <= values
    assert not any("años" in value for value in values)
