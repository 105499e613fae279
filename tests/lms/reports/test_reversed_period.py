"""A period whose «Desde» is after its «Hasta» is a form error, not a report of `<5` everywhere (audit of
2026-12-08): the page says what is wrong and shows no figures, the export answers 400 and writes no audit row."""

import pytest
from django.urls import reverse

from lms.reports.models import ExportAudit
from tests.html_ids import dangling_references, description, parse

pytestmark = pytest.mark.django_db

REVERSED = {"desde": "2026-12-01", "hasta": "2026-01-01"}
MESSAGE = "La fecha «Desde» debe ser anterior o igual a la fecha «Hasta»."


def test_a_reversed_period_is_a_form_error_on_the_trainers_page(world, client):
    client.force_login(world.t1)
    response = client.get(reverse("reports:report", args=["facilitacion"]), REVERSED)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Algún filtro no es válido" in html
    assert 'id="resumen"' not in html and "<table" not in html  # no figures at all, not even «<5»
    (box,) = [attrs for tag, attrs in parse(html).elements if tag == "input" and attrs.get("name") == "hasta"]
    assert box["aria-invalid"] == "true"
    assert MESSAGE in description(html, box["id"])  # read with the «Hasta» box
    assert dangling_references(html) == []


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_reversed_period_is_refused_by_the_export(world, client, file_format):
    client.force_login(world.t1)
    response = client.get(reverse("reports:export", args=["facilitacion", file_format]), REVERSED)
    assert response.status_code == 400
    assert not ExportAudit.objects.exists()


def test_a_one_day_period_is_still_a_report(world, client):
    client.force_login(world.me)
    response = client.get(reverse("reports:report", args=["monitoreo"]), {"desde": "2026-03-01", "hasta": "2026-03-01"})
    assert response.status_code == 200
    assert MESSAGE not in response.content.decode() and 'id="resumen"' in response.content.decode()
    export = client.get(
        reverse("reports:export", args=["monitoreo", "csv"]), {"desde": "2026-03-01", "hasta": "2026-03-01"}
    )
    assert export.status_code == 200
