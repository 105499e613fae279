"""A wrong report filter's message is linked to its box (the box's ``aria-describedby`` names it)."""

import pytest
from django.urls import reverse

from tests.html_ids import dangling_references, description, parse

pytestmark = pytest.mark.django_db


def test_a_wrong_date_filter_is_read_with_its_box(world, client):
    client.force_login(world.me)
    html = client.get(reverse("reports:report", args=["monitoreo"]), {"desde": "2026-13-01"}).content.decode()
    assert dangling_references(html) == []
    (box,) = [attrs for tag, attrs in parse(html).elements if tag == "input" and attrs.get("name") == "desde"]
    assert box["aria-invalid"] == "true"
    assert description(html, box["id"])  # the message, read with the box
