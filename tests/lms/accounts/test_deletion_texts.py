"""The deletion and privacy pages say what happens to certificates: they stay verifiable with the printed name."""

import pytest
from django.urls import reverse

from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

KEPT = "Tus certificados no se borran"
HOW_TO_REVOKE = "pídelo a la institución que los emitió"


def test_delete_page_says_certificates_keep_the_printed_name(client):
    client.force_login(UserFactory(first_name="Ñusta", last_name="Quispe Huamán", phone="+51987000222", email=""))
    body = client.get(reverse("accounts:account_delete")).content.decode()
    assert KEPT in body
    assert "tu nombre tal como se imprimió" in body
    assert HOW_TO_REVOKE in body


def test_privacy_page_says_certificates_keep_the_printed_name(client):
    body = client.get(reverse("accounts:privacy")).content.decode()
    assert KEPT in body
    assert HOW_TO_REVOKE in body
    # It no longer promises, unqualified, that deleting erases the name everywhere.
    assert "en pocos minutos, borramos tu nombre" not in body
