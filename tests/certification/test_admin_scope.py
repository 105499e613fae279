"""Staff of one institution issue and list certificates only for their own institution (security audit)."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.models import Certificate
from lms.accounts.models import Role
from tests.certification.factories import ProgrammeFactory, holder, issue
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _staff_of(institution, role=Role.INSTITUTION_ADMIN):
    person = UserFactory(first_name="Lucía", last_name="Fernández Ortiz")
    person.user_permissions.add(Permission.objects.get(codename="access_admin"))
    MembershipFactory(user=person, institution=institution, role=role)
    return person


@pytest.fixture
def ministerio():
    return InstitutionFactory(name="Ministerio de Trabajo y Promoción del Empleo", slug="mtpe")


@pytest.fixture
def ong():
    return InstitutionFactory(name="Asociación Mujeres Emprendedoras del Ecuador", slug="ame-ec", country="EC")


def _issue_post(client, programme, issuer, username="yelitza-contreras", reference="acta-2026-014"):
    return client.post(
        reverse("certification_admin:issue"),
        {
            "programme": programme.pk,
            "username": username,
            "reference": reference,
            "issuer": issuer.pk if issuer else "",
        },
    )


def test_an_institution_admin_cannot_issue_in_another_institutions_name(client, ministerio, ong):
    programme = ProgrammeFactory(issuer=ong)
    person = holder(username="yelitza-contreras", first_name="Yelitza", last_name="Contreras Rivas")
    client.force_login(_staff_of(ong))
    offered = client.get(reverse("certification_admin:issue")).context["form"].fields["issuer"].queryset
    assert list(offered) == [ong]
    response = _issue_post(client, programme, ministerio)
    assert response.status_code == 200 and "issuer" in response.context["form"].errors
    assert not Certificate.objects.filter(holder=person).exists()


def test_a_co_issuer_of_one_programme_is_refused_for_another(client, ministerio, ong):
    shared = ProgrammeFactory(issuer=ong)
    shared.co_issuers.add(ministerio)
    own = ProgrammeFactory(issuer=ong)
    person = holder(username="yelitza-contreras", first_name="Yelitza", last_name="Contreras Rivas")
    client.force_login(_staff_of(ong))
    response = _issue_post(client, own, ministerio)
    assert response.status_code == 200
    assert "Elige la institución del programa o una de sus instituciones coemisoras." in response.content.decode()
    assert not Certificate.objects.filter(holder=person).exists()


def test_an_institution_admin_may_name_a_co_issuer_of_the_programme(client, ministerio, ong):
    programme = ProgrammeFactory(issuer=ong)
    programme.co_issuers.add(ministerio)
    person = holder(username="yelitza-contreras", first_name="Yelitza", last_name="Contreras Rivas")
    client.force_login(_staff_of(ong, Role.PROGRAMME_MANAGER))
    offered = client.get(reverse("certification_admin:issue")).context["form"].fields["issuer"].queryset
    assert set(offered) == {ong, ministerio}
    assert _issue_post(client, programme, ministerio).status_code == 302
    assert Certificate.objects.get(holder=person).issuer == ministerio


def test_an_institution_admin_is_not_offered_other_institutions_programmes(client, ministerio, ong):
    theirs = ProgrammeFactory(issuer=ministerio)
    ProgrammeFactory(issuer=ong)
    holder(username="yelitza-contreras")
    client.force_login(_staff_of(ong))
    response = _issue_post(client, theirs, None)
    assert response.status_code == 200 and "programme" in response.context["form"].errors
    assert not Certificate.objects.exists()


def test_a_superuser_still_chooses_any_active_institution(client, ministerio, ong):
    programme = ProgrammeFactory(issuer=ong)
    person = holder(username="yelitza-contreras")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert _issue_post(client, programme, ministerio).status_code == 302
    assert Certificate.objects.get(holder=person).issuer == ministerio


def test_the_list_shows_and_searches_only_the_admins_institution(client, ministerio, ong):
    theirs = issue(
        programme=ProgrammeFactory(issuer=ministerio),
        user=holder(first_name="Yelitza", last_name="Contreras Rivas"),
    )
    ours = issue(programme=ProgrammeFactory(issuer=ong), user=holder(first_name="Yesenia", last_name="Quispe Mamani"))
    client.force_login(_staff_of(ong))
    html = client.get(reverse("certification_admin:list")).content.decode()
    assert ours.display_code in html and theirs.display_code not in html
    found = client.get(reverse("certification_admin:list"), {"q": "Ye"}).content.decode()
    assert "Yesenia Quispe Mamani" in found and "Yelitza" not in found
    by_code = client.get(reverse("certification_admin:list"), {"q": theirs.code}).content.decode()
    assert theirs.display_code not in by_code


def test_the_global_permission_and_superusers_see_every_certificate(client, ministerio, ong):
    certificates = [issue(programme=ProgrammeFactory(issuer=i)) for i in (ministerio, ong)]
    officer = _staff_of(ong)
    officer.user_permissions.add(Permission.objects.get(codename="add_certificate"))
    for person in (officer, UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(person)
        html = client.get(reverse("certification_admin:list")).content.decode()
        assert all(c.display_code in html for c in certificates)


def test_the_scoped_list_does_not_query_per_certificate(client, ong, django_assert_max_num_queries):
    programme = ProgrammeFactory(issuer=ong)
    client.force_login(_staff_of(ong))
    url = reverse("certification_admin:list")
    first = issue(programme=programme)
    client.get(url)  # warm caches (content types, site, permissions)
    with CaptureQueriesContext(connection) as one_certificate:
        client.get(url)
    more = [issue(programme=programme, user=holder(first_name=f"Ñusta {n}")) for n in range(5)]
    with django_assert_max_num_queries(len(one_certificate.captured_queries)):
        html = client.get(url).content.decode()
    assert all(c.display_code in html for c in [first, *more])
