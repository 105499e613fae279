"""A group's announcements reach the participant where they look: the menu, the home page and "Mis cursos"."""

import re

import pytest
from django.urls import reverse

from courses.cohorts import services
from courses.services import enrollment_create
from tests.courses.cohorts.factories import CohortFactory, member_of, trainer_of
from tests.lms.accounts.factories import UserFactory
from tests.query_counting import assert_max_data_queries

pytestmark = pytest.mark.django_db


def menu_badge(html: str) -> str | None:
    match = re.search(r'Avisos <span class="badge warn">(\d+)<span class="visually-hidden">', html)
    return match.group(1) if match else None


@pytest.fixture
def announced(client):
    cohort = CohortFactory(name="Emprendedoras de San Juan de Lurigancho")
    trainer = trainer_of(cohort)
    learner = member_of(cohort, UserFactory(first_name="María José", last_name="Pérez Núñez", email=""))
    enrollment_create(user=learner, course=cohort.course)
    services.announcement_send(cohort=cohort, author=trainer, title="Sesión del jueves", body="Traigan su cuaderno.")
    services.announcement_send(cohort=cohort, author=trainer, title="Cambio de aula", body="Aula 3.")
    client.force_login(learner)
    return learner


def test_unread_announcements_show_in_the_menu_the_home_page_and_mis_cursos(client, announced):
    home = client.get("/").content.decode()
    assert menu_badge(home) == "2"
    assert "Tienes 2 avisos nuevos" in home
    assert "Emprendedoras de San Juan de Lurigancho: Sesión del jueves" in home
    mine = client.get(reverse("courses:dashboard")).content.decode()
    assert menu_badge(mine) == "2"
    assert "Tienes 2 avisos nuevos" in mine and "Cambio de aula" in mine


def test_once_read_the_announcements_stop_calling_for_attention(client, announced):
    client.post(reverse("cohorts:notifications"))
    home = client.get("/").content.decode()
    assert menu_badge(home) is None
    assert "avisos nuevos" not in home and "aviso nuevo" not in home
    assert "Avisos" in home  # the link stays, to read old ones


def test_people_in_no_group_see_no_notice_and_the_page_asks_once(client):
    client.force_login(UserFactory())
    with assert_max_data_queries(12):
        home = client.get("/").content.decode()
    assert menu_badge(home) is None and "avisos nuevos" not in home
