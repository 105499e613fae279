"""lms/admin_site.py: the Django admin (/django-admin/) opens for superusers only; staff work in the Wagtail admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.lms.accounts.factories import UserFactory, staff_with

pytestmark = pytest.mark.django_db


def test_django_admin_refuses_staff_who_are_not_superusers(client):
    client.force_login(staff_with(("wagtailadmin", "access_admin"), ("courses", "view_enrollment")))
    response = client.get("/django-admin/")
    assert response.status_code == 302 and "/django-admin/login/" in response["Location"]
    changelist = client.get(reverse("admin:courses_enrollment_changelist"))
    assert changelist.status_code == 302


def test_django_admin_opens_for_superusers(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:courses_enrollment_changelist")).status_code == 200
