"""The roster upload page says what the import does: rows with errors are left out and the correct ones can be
imported now (it used to say that nothing is imported unless every row is right)."""

import io

import pytest
from django.urls import reverse

from courses.cohorts.models import CohortMember
from tests.courses.cohorts.factories import CohortFactory, trainer_of
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_upload_page_promises_what_the_preview_then_does(client):
    cohort = CohortFactory(name="Finanzas Quito", country="EC")
    client.force_login(trainer_of(cohort, UserFactory(first_name="Dayana", last_name="Muñoz Guzmán")))
    page = client.get(reverse("cohorts:import_upload", args=[cohort.pk])).content.decode()
    assert "solo se importa si todas las filas están bien" not in page
    assert "las filas con errores se marcan y no se importan" in page
    assert "Puedes importar las filas correctas" in page

    upload = io.BytesIO("nombres,apellidos,teléfono\nJosé,Ñaupari,12\nMaría José,Cedeño,099 123 4567\n".encode())
    upload.name = "lista.csv"
    preview = client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload}, follow=True)
    assert "Importar la fila correcta" in preview.content.decode()
    batch = cohort.imports.get()
    client.post(reverse("cohorts:import_preview", args=[cohort.pk, batch.pk]), {"confirm": "1"})
    assert [m.user.phone for m in CohortMember.objects.filter(cohort=cohort)] == ["+593991234567"]
