"""The accounts demo seeder: idempotent, and its people can log in as the demo summary says."""

import io

import pytest
from django.core.management.color import no_style
from django.urls import reverse

from lms.accounts import demo
from lms.accounts.models import Membership, User
from lms.demo.context import DEMO_PASSWORD, DemoContext

pytestmark = pytest.mark.django_db


def test_seed_is_idempotent_and_the_participant_logs_in_with_a_local_number(client):
    for _ in range(2):
        demo.seed(DemoContext(stdout=io.StringIO(), style=no_style()))
    assert User.objects.filter(username="participante").count() == 1
    assert Membership.objects.filter(user__username="participante").count() == 1
    response = client.post(reverse("account_login"), {"login": "987 000 001", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="participante").pk)
