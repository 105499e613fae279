"""What learners read: "tú" everywhere, and dates written out in Spanish ("6 de diciembre de 2026", not "6 Dic")."""

import datetime

import pytest
from django.urls import reverse

from certification.models import Certificate
from lms.accounts.models import ConsentRecord
from tests.certification.factories import issue
from tests.courses.cohorts.factories import CohortFactory, LiveSessionFactory, member_of
from tests.courses.factories import EnrollmentFactory, build_course
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

DECEMBER_6 = datetime.datetime(2026, 12, 6, 15, 0, tzinfo=datetime.UTC)


def test_consent_and_my_courses_write_dates_out_in_spanish(client):
    person = UserFactory(first_name="Dayana")
    record = ConsentRecord.objects.create(user=person, purpose=ConsentRecord.Purpose.TERMS, granted=True)
    ConsentRecord.objects.filter(pk=record.pk).update(created_at=DECEMBER_6)
    EnrollmentFactory(user=person, course=build_course(), completed_at=DECEMBER_6, progress=100)
    client.force_login(person)
    for url in (reverse("accounts:consent"), reverse("courses:dashboard")):
        html = client.get(url).content.decode()
        assert "6 de diciembre de 2026" in html, url
        assert "6 Dic" not in html
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Dec. 6, 2026" in english, url  # the same page in English is not half Spanish
        assert "de December" not in english


def test_a_participant_reads_session_dates_in_spanish(client):
    cohort = CohortFactory()
    person = member_of(cohort)
    LiveSessionFactory(cohort=cohort, starts_at=DECEMBER_6, title="Costos y precios")
    client.force_login(person)
    html = client.get(reverse("cohorts:home")).content.decode()
    assert "6 de diciembre, 10:00" in html  # Lima time
    assert "6 Dic" not in html


def test_my_certificates_show_the_date_written_out(client):
    certificate = issue()
    Certificate.objects.filter(pk=certificate.pk).update(issued_on=datetime.date(2026, 12, 6))
    client.force_login(certificate.holder)
    html = client.get(reverse("certification:my_certificates")).content.decode()
    assert "6 de diciembre de 2026" in html


def test_login_and_sign_up_errors_say_tu_not_usted(client):
    html = client.post(
        reverse("account_signup"),
        {"first_name": "Ana", "phone": "987 654 321", "password1": "Caminante-2026", "password2": "otra-cosa-2026"},
    ).content.decode()
    assert "Escribe la misma contraseña las dos veces." in html
    assert "Debe escribir" not in html
    client.force_login(UserFactory())
    html = client.post(reverse("account_change_password"), {"oldpassword": "", "password1": "x"}).content.decode()
    assert "Por favor" not in html and " su contraseña" not in html


def test_allauth_pages_a_learner_reaches_say_tu_not_usted(client):
    """django-allauth's own Spanish says «usted»: the pages a learner reaches are overridden to «tú»."""
    import re

    usted = re.compile(r"\b(usted|Usted|su contraseña|su cuenta|Por favor|Introduzca|Utilice|Ha olvidado)\b")
    client.force_login(UserFactory(email="ana@example.org"))
    for url in ("/accounts/email/", "/accounts/reauthenticate/", "/accounts/password/change/", "/cuenta/"):
        text = re.sub(r"<[^>]+>", " ", client.get(url).content.decode())
        assert not usted.findall(text), (url, usted.findall(text))
    assert "Escribe tu contraseña:" in re.sub(r"<[^>]+>", " ", client.get("/accounts/reauthenticate/").content.decode())
