"""What the trainer and the participant read when someone is already in the cohort, and long names in a roster
file: the message names who the number belongs to, a re-imported roster says those people are already members,
a name longer than an account holds is an error in the preview (never cut silently), re-joining says so."""

import io

import pytest
from django.urls import reverse

from courses.cohorts.models import CohortMember, RosterImport
from lms.accounts.models import User
from tests.courses.cohorts.factories import CohortFactory, member_of, trainer_of
from tests.lms.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(name="GIN Guayaquil", country="EC", region="Guayas", city="Guayaquil")


@pytest.fixture
def trainer_client(client, cohort):
    client.force_login(trainer_of(cohort, UserFactory(first_name="Carmen", last_name="Salazar")))
    return client


def _upload(client, cohort, text: str):
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "lista.csv"
    response = client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload})
    assert response.status_code == 302
    return response.url


def test_adding_a_number_that_is_a_members_names_that_member(trainer_client, cohort):
    url = reverse("cohorts:member_add", args=[cohort.pk])
    first = trainer_client.post(
        url, {"first_name": "Wendy", "last_name": "Quiñónez", "phone": "+593-98-111-2233"}, follow=True
    )
    assert "Creamos una cuenta para Wendy Quiñónez" in first.content.decode()
    again = trainer_client.post(
        url, {"first_name": "Úrsula", "last_name": "Oña", "phone": "593 98 111 2233"}, follow=True
    )
    html = again.content.decode()
    assert "Ese número ya es de Wendy Quiñónez, que está en el grupo." in html
    assert "Úrsula Oña ya está en el grupo" not in html
    assert not User.objects.filter(first_name="Úrsula").exists()
    assert CohortMember.objects.filter(cohort=cohort).count() == 1


def test_re_importing_a_roster_says_those_people_are_already_in_the_cohort(trainer_client, cohort):
    roster = "nombres;apellidos;teléfono\nÁngela;Muñoz;0987222001\nYésica;Pérez;0987222002\nLuis;Ñañez;0987222003\n"
    done = trainer_client.post(_upload(trainer_client, cohort, roster), {"confirm": "1"}, follow=True)
    assert "Listo: 3 cuentas nuevas en el grupo" in done.content.decode()

    # The same file again, with one new person: the preview and the result count the three members.
    preview_url = _upload(trainer_client, cohort, roster + "Rosa;Chalá;0987222004\n")
    html = trainer_client.get(preview_url).content.decode()
    assert "3 personas del archivo ya están en el grupo: importar no cambia nada para ellas." in html
    assert "1 cuentas nuevas; 0 ya tienen cuenta y recibirán una invitación" in html
    done = trainer_client.post(preview_url, {"confirm": "1"}, follow=True).content.decode()
    assert "Listo: 1 cuentas nuevas en el grupo. Enviamos 0 invitaciones" in done
    assert "3 personas del archivo ya estaban en el grupo: no cambió nada para ellas." in done
    assert CohortMember.objects.filter(cohort=cohort).count() == 4


def test_a_name_longer_than_an_account_holds_is_a_row_error_not_cut(trainer_client, cohort):
    surname = "Quiñónez" + "a" * 192  # 200 characters
    roster = f"nombres;apellidos;teléfono\nWendy;{surname};0987222011\nÚrsula;Oña;0987222012\n"
    preview_url = _upload(trainer_client, cohort, roster)
    html = trainer_client.get(preview_url).content.decode()
    assert "Los apellidos son demasiado largos: tienen 200 caracteres y el máximo es 150." in html
    assert "Hay 1 fila con errores: no se importará." in html
    assert "Todo está bien" not in html
    trainer_client.post(preview_url, {"confirm": "1"})
    assert RosterImport.objects.get(pk=preview_url.rstrip("/").split("/")[-1]).created == 1
    assert User.objects.filter(first_name="Úrsula").exists()
    assert not User.objects.filter(first_name="Wendy").exists()  # never stored with a cut surname


def test_re_joining_with_the_code_says_you_already_belong(client, cohort):
    person = member_of(cohort, UserFactory(first_name="Úrsula", last_name="Oña"))
    client.force_login(person)
    html = client.post(reverse("cohorts:join"), {"code": cohort.code}, follow=True).content.decode()
    assert "Ya eres parte del grupo «GIN Guayaquil»." in html
    assert "Te uniste" not in html
    newcomer = UserFactory(first_name="Wendy", last_name="Quiñónez")
    client.force_login(newcomer)
    html = client.post(reverse("cohorts:join"), {"code": cohort.code}, follow=True).content.decode()
    assert "¡Te uniste al grupo «GIN Guayaquil»!" in html
