"""Row-level list with approval (DOMAIN §8 story 50): an M&E officer asks, a data steward of the institution
decides, the officer downloads once with exactly the approved fields, and everything is logged."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from courses.cohorts.models import Notification
from lms.accounts.models import Membership, Role
from lms.reports import services
from lms.reports.models import ExportAudit, RowExportRequest
from tests.lms.accounts.factories import UserFactory


def rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def ask(world, **kwargs):
    defaults = {"purpose": "Verificar la lista del bono de asistencia", "sensitive_fields": ["nacionalidad"]}
    return services.row_export_request_create(user=world.me, institution=world.alt, **{**defaults, **kwargs})


def test_officer_asks_steward_approves_officer_downloads_once(world):
    request = ask(world, sensitive_fields=["nacionalidad", "no-existe"])
    assert request.status == "pending" and request.sensitive_fields == ["nacionalidad"]
    assert Notification.objects.filter(user=world.steward, url=reverse("reports:row_requests")).exists()
    with pytest.raises(ValidationError):  # nothing leaves before approval
        services.row_export_request_download(request=request, user=world.me)

    services.row_export_request_decide(request=request, steward=world.steward, approve=True)
    request.refresh_from_db()
    assert request.status == "approved" and request.approved_until > timezone.now() + timedelta(days=6)
    assert Notification.objects.filter(user=world.me, title__contains="aprobada").exists()
    with pytest.raises(PermissionDenied):  # only the requester
        services.row_export_request_download(request=request, user=world.steward)

    content, audit = services.row_export_request_download(request=request, user=world.me)
    table = rows(content)
    assert "Nacionalidad" in table[0] and "Situación migratoria (solo con consentimiento)" not in table[0]
    assert {row[0] for row in table[1:]} == {"a1", "a2", "a3", "a4", "a5", "a6", "s1", "b1", "b2", "b3", "b4"}
    assert audit.user == world.me and audit.kind == "row_level" and audit.sensitive_fields == ["nacionalidad"]
    assert "bono de asistencia" in audit.purpose and world.steward.printed_name in audit.purpose
    with pytest.raises(ValidationError, match="una vez"):
        services.row_export_request_download(request=request, user=world.me)
    assert ExportAudit.objects.count() == 1


def test_who_may_ask_and_who_may_decide(world):
    for outsider in (world.pm, world.donor, world.t1, world.steward):
        with pytest.raises(PermissionDenied):
            services.row_export_request_create(user=outsider, institution=world.alt, purpose="x" * 20)
    with pytest.raises(PermissionDenied):  # an M&E officer of another institution
        services.row_export_request_create(user=world.unmsm_me, institution=world.alt, purpose="x" * 20)
    with pytest.raises(ValidationError):
        ask(world, purpose="corto")

    request = ask(world)
    other_steward = UserFactory()
    Membership.objects.create(user=other_steward, institution=world.fud, role=Role.DATA_STEWARD)
    with pytest.raises(PermissionDenied):
        services.row_export_request_decide(request=request, steward=other_steward, approve=True)
    Membership.objects.create(user=world.me, institution=world.alt, role=Role.DATA_STEWARD)
    with pytest.raises(PermissionDenied):  # nobody approves their own request
        services.row_export_request_decide(request=request, steward=world.me, approve=True)
    with pytest.raises(ValidationError):  # a rejection says why
        services.row_export_request_decide(request=request, steward=world.steward, approve=False)
    services.row_export_request_decide(request=request, steward=world.steward, approve=False, note="Usa el agregado.")
    with pytest.raises(ValidationError):
        services.row_export_request_download(request=request, user=world.me)
    with pytest.raises(ValidationError):  # decided once
        services.row_export_request_decide(request=request, steward=world.steward, approve=True)


def test_an_approval_lapses(world):
    request = ask(world)
    services.row_export_request_decide(request=request, steward=world.steward, approve=True)
    RowExportRequest.objects.filter(pk=request.pk).update(approved_until=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="venció"):
        services.row_export_request_download(request=request, user=world.me)
    assert not ExportAudit.objects.exists()


def test_the_pages(world, client):
    client.force_login(world.me)
    url = reverse("reports:row_requests")
    assert (
        "Pedir la lista de participantes" in client.get(reverse("reports:report", args=["monitoreo"])).content.decode()
    )
    response = client.post(url, {"accion": "pedir", "institucion": world.alt.pk, "proposito": "Lista de pago del bono"})
    assert response.status_code == 302
    request = RowExportRequest.objects.get()

    client.force_login(world.steward)
    page = client.get(url).content.decode()
    assert "Lista de pago del bono" in page and "Aprobar" in page
    client.post(url, {"accion": "aprobar", "solicitud": request.pk})
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == world.steward

    client.force_login(world.me)
    assert "Descargar (una sola vez)" in client.get(url).content.decode()
    download = reverse("reports:row_request_download", args=[request.pk])
    response = client.post(download)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    response = client.post(download, follow=True)
    assert "una vez" in response.content.decode()


@pytest.mark.parametrize("who", ["pm", "donor", "t1"])
def test_others_cannot_open_the_requests_page(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("reports:row_requests")).status_code == 403


def test_the_page_says_what_stops_a_request_or_a_decision(world, client):
    url = reverse("reports:row_requests")
    client.force_login(world.me)
    response = client.post(url, {"accion": "pedir", "proposito": "Lista de pago del bono"})
    assert response.status_code == 400 and "Elige la institución." in response.content.decode()
    response = client.post(url, {"accion": "pedir", "institucion": world.fud.pk, "proposito": "Lista de pago"})
    assert response.status_code == 400 and "Elige la institución." in response.content.decode()
    response = client.post(
        url, {"accion": "pedir", "institucion": world.alt.pk, "proposito": "corto", "campos_sensibles": ["sexo"]}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "al menos 10 caracteres" in page
    assert ">corto</textarea>" in page and 'value="sexo" checked' in page  # what was typed stays
    assert not RowExportRequest.objects.exists()

    request = ask(world)
    client.force_login(world.steward)
    response = client.post(url, {"accion": "rechazar", "solicitud": request.pk})
    assert response.status_code == 400 and "Explica por qué se rechaza." in response.content.decode()
    assert client.post(url, {"accion": "aprobar", "solicitud": request.pk + 1}).status_code == 403
    client.post(url, {"accion": "rechazar", "solicitud": request.pk, "nota": "Usa el agregado."})
    request.refresh_from_db()
    assert request.status == "rejected" and request.decision_note == "Usa el agregado."
