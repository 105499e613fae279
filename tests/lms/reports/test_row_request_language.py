"""The notices about a row-level list request reach each person in their own language, not the sender's."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from courses.cohorts.models import Notification
from lms.accounts.models import User
from lms.reports import services


def test_each_side_of_a_request_is_told_in_their_own_language(world):
    User.objects.filter(pk=world.steward.pk).update(language="en")
    world.steward.refresh_from_db()
    with translation.override("es"):  # the officer's screen is in Spanish; the steward reads English
        request = services.row_export_request_create(
            user=world.me, institution=world.alt, purpose="Verificar la lista del bono de asistencia"
        )
    asked = Notification.objects.get(user=world.steward, url=reverse("reports:row_requests"))
    assert asked.title.startswith("Someone is asking for the participant list of")
    with translation.override("en"):  # the steward decides with her screen in English
        services.row_export_request_decide(request=request, steward=world.steward, approve=True)
    told = Notification.objects.get(user=world.me, url=reverse("reports:row_requests"))
    assert told.title.startswith("Tu solicitud de la lista de participantes fue aprobada")
