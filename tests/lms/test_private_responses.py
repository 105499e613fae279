"""lms.middleware.PrivateResponseMiddleware: what Ruta renders for a signed-in person never lands in a shared cache.

A CDN in front of Ruta (the README names Cloudflare's client-IP header) keeps ``.csv``/``.xlsx`` by their extension
for two hours when the answer says nothing, and ignores ``Vary: Cookie``: a trainer's roster would then be served
to whoever asks for the same URL next.
"""

import pytest
from django.urls import reverse

from tests.certification.factories import issue
from tests.courses.cohorts.factories import cohort_with_free_text, member_of, trainer_of
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def cohort():
    cohort, _lesson, _usage = cohort_with_free_text(name="Grupo Guayaquil")
    member_of(cohort, UserFactory(first_name="Andrés", last_name="Quishpe Tituaña", phone="+593991234567"))
    return cohort


@pytest.mark.parametrize("kind,fmt", [("participantes", "csv"), ("participantes", "xlsx"), ("notas", "csv")])
def test_a_trainers_roster_download_is_private_and_never_stored(client, cohort, kind, fmt):
    client.force_login(trainer_of(cohort))
    response = client.get(reverse("cohorts:export", args=[cohort.pk, kind, fmt]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert {"private", "no-store"} <= directives(response)


def test_a_signed_in_page_is_private_but_the_same_page_for_a_visitor_is_not(client, cohort):
    learner = member_of(cohort, UserFactory(first_name="Yolimar", last_name="Rodríguez", phone="+51987000111"))
    client.force_login(learner)
    mine = client.get(reverse("courses:dashboard"))
    assert mine.status_code == 200 and "private" in directives(mine)
    again = client.get(reverse("courses:dashboard"))  # the learners' cache answers the second visit: still private
    assert "private" in directives(again)
    client.logout()
    home = client.get("/")
    assert home.status_code == 200 and "private" not in directives(home)


def test_a_view_that_chose_public_keeps_it(client):
    issue()  # a signing key exists
    client.force_login(UserFactory())
    response = client.get(reverse("jwks"))  # Ruta's public keys: the same for everyone
    assert response.status_code == 200
    assert "public" in directives(response) and "private" not in directives(response)
