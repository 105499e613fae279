"""Security issue #17, finding 1: a trainer must not be able to take over a participant's account by adding them
to a cohort. Adding an existing account sends an invitation the person accepts or declines; it never gives the
trainer's institution a role over them, a temporary-password reset, or their phone and e-mail."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse

from courses.cohorts import services
from courses.cohorts.models import CohortInvitation, CohortMember, Notification
from courses.models import Enrollment
from lms.accounts.models import ConsentRecord, HelperPasswordReset, Membership, Profile, Role
from lms.accounts.selectors import consent_current
from lms.accounts.services import consent_record
from tests.courses.cohorts.factories import CohortFactory, member_of, trainer_of
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "clave-segura-123"


@pytest.fixture
def world():
    """A Peruvian NGO whose trainer runs a cohort in Lima, and an Ecuadorian institution with its own people."""
    lima = InstitutionFactory(name="ONG Alternativa", acronym="Alternativa", slug="alternativa", country="PE")
    quito = InstitutionFactory(name="Servicio de Empleo Quito", slug="empleo-quito", country="EC")
    cohort = CohortFactory(institution=lima, name="GIN Comas 2026")
    trainer = trainer_of(cohort, UserFactory(username="carmen", first_name="Carmen", last_name="Salazar"))
    # A participant the Ecuadorian institution created (never signed in on her own), with sensitive data.
    victim = UserFactory(
        username="majo-alvarez",
        first_name="María José",
        last_name="Álvarez Guerrero",
        phone="+593991234567",
        email="majo@example.org",
        created_by_institution=quito,
    )
    MembershipFactory(user=victim, institution=quito, role=Role.PARTICIPANT)
    Profile.objects.create(user=victim, nationality="VE", migratory_status=Profile.MigratoryStatus.IN_PROCESS)
    consent_record(user=victim, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=True)
    # An Ecuadorian trainer (staff) with a Peruvian number.
    colleague = MembershipFactory(
        institution=quito,
        role=Role.TRAINER,
        user=UserFactory(username="luis-quito", first_name="Luis", last_name="Chávez", phone="+51987650001"),
    ).user
    return SimpleNamespace(lima=lima, quito=quito, cohort=cohort, trainer=trainer, victim=victim, colleague=colleague)


def _add(client, cohort, **data):
    return client.post(reverse("cohorts:member_add", args=[cohort.pk]), data, follow=True)


def _export(client, cohort):
    return client.get(reverse("cohorts:export", args=[cohort.pk, "participantes", "csv"])).content.decode("utf-8-sig")


def test_adding_a_participant_of_another_institution_by_phone_gives_the_trainer_nothing(client, world):
    client.force_login(world.trainer)
    response = _add(client, world.cohort, first_name="Majo", phone="+593 99 123 4567")
    html = response.content.decode()
    assert "Invitación enviada" in html and "Majo" in html
    # The message reveals nothing about the person beyond what the trainer typed.
    for secret in ("María José", "Álvarez", "majo-alvarez", "majo@example.org"):
        assert secret not in html

    assert not CohortMember.objects.filter(cohort=world.cohort, user=world.victim).exists()
    assert not Membership.objects.filter(user=world.victim, institution=world.lima).exists()

    # No temporary password: the helper pages do not know her, and a direct POST changes nothing.
    reset_url = reverse("accounts:helper_reset", args=[world.victim.pk])
    assert client.get(reset_url).status_code == 404
    assert client.post(reset_url).status_code == 404
    world.victim.refresh_from_db()
    assert world.victim.check_password(PASSWORD)
    assert not world.victim.password_is_temporary
    assert not HelperPasswordReset.objects.exists()
    assert "majo" not in client.get(reverse("accounts:helper_search"), {"q": "991234567"}).content.decode().lower()

    # Not in the roster, not in the export (her consent is for the teams of *her* cohorts).
    text = _export(client, world.cohort)
    for secret in ("+593991234567", "majo@example.org", "majo-alvarez", "María José"):
        assert secret not in text
    assert client.get(reverse("cohorts:member_detail", args=[world.cohort.pk, world.victim.pk])).status_code == 404

    # The dashboard lists the pending invitation with what the trainer typed, never the account's own name.
    dashboard = client.get(reverse("cohorts:dashboard", args=[world.cohort.pk])).content.decode()
    assert "Invitaciones enviadas" in dashboard and "invitación enviada" in dashboard
    assert "Majo" in dashboard and "+593991234567" in dashboard
    assert "María José" not in dashboard and "Álvarez" not in dashboard


def test_even_after_she_accepts_the_trainer_cannot_reset_her_password(client, world):
    services.cohort_member_add_person(
        cohort=world.cohort, actor=world.trainer, first_name="Majo", phone="+593991234567"
    )
    invitation = CohortInvitation.objects.get(user=world.victim)
    services.cohort_invitation_accept(invitation_id=invitation.pk, user=world.victim, share_contact=True)
    assert CohortMember.objects.filter(cohort=world.cohort, user=world.victim).exists()
    client.force_login(world.trainer)
    page = client.get(reverse("cohorts:member_detail", args=[world.cohort.pk, world.victim.pk])).content.decode()
    assert reverse("accounts:helper_reset", args=[world.victim.pk]) not in page
    assert client.post(reverse("accounts:helper_reset", args=[world.victim.pk])).status_code == 404
    world.victim.refresh_from_db()
    assert world.victim.check_password(PASSWORD)
    # She agreed to share her contact with her cohorts' teams: now the export lists it.
    assert "+593991234567" in _export(client, world.cohort)


def test_a_staff_member_added_as_participant_stays_out_of_reach(client, world):
    consent_record(user=world.colleague, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=True)
    client.force_login(world.trainer)
    assert "Invitación enviada" in _add(client, world.cohort, first_name="Luis", phone="987 650 001").content.decode()
    invitation = CohortInvitation.objects.get(user=world.colleague)
    services.cohort_invitation_accept(invitation_id=invitation.pk, user=world.colleague, share_contact=True)
    assert client.post(reverse("accounts:helper_reset", args=[world.colleague.pk])).status_code == 404
    world.colleague.refresh_from_db()
    assert world.colleague.check_password(PASSWORD)
    text = _export(client, world.cohort)
    assert "luis-quito" in text  # listed as a member ...
    assert "+51987650001" not in text  # ... but never with a staff member's contact, consent or not
    page = client.get(reverse("cohorts:member_detail", args=[world.cohort.pk, world.colleague.pk])).content.decode()
    assert "+51987650001" not in page


def test_export_lists_contact_only_for_participants_who_consented(client, world):
    shares = member_of(world.cohort, UserFactory(username="rosa", phone="+51987111001", email="rosa@example.org"))
    consent_record(user=shares, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=True)
    silent = member_of(world.cohort, UserFactory(username="ana", phone="+593987654321", email="ana@example.org"))
    withdrew = member_of(world.cohort, UserFactory(username="yoli", phone="+51987111003"))
    consent_record(user=withdrew, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=True)
    consent_record(user=withdrew, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=False)
    client.force_login(world.trainer)
    text = _export(client, world.cohort)
    assert "+51987111001" in text and "rosa@example.org" in text
    assert "ana" in text and "+593987654321" not in text and "ana@example.org" not in text
    assert "yoli" in text and "+51987111003" not in text
    assert silent.pk and withdrew.pk


# --- The invitation, from the person's side ------------------------------------------------------------------


def test_invited_person_is_notified_and_accepts_on_the_invitations_page(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.cohort_member_add_person(
            cohort=world.cohort, actor=world.trainer, first_name="Majo", email="MAJO@example.org"
        )
    notice = Notification.objects.get(user=world.victim)
    assert notice.title == "Te invitan al grupo «GIN Comas 2026»"
    assert notice.url == reverse("cohorts:invitations")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["majo@example.org"]
    assert "aceptar o rechazar" in mail.outbox[0].body

    client.force_login(world.victim)
    home = client.get(reverse("cohorts:home")).content.decode()
    assert "Tienes 1 invitación a un grupo." in home and reverse("cohorts:invitations") in home
    page = client.get(reverse("cohorts:invitations")).content.decode()
    assert "GIN Comas 2026" in page and "Carmen Salazar, de Alternativa, te invita" in page
    assert "Aceptar y unirme" in page and "Rechazar" in page
    invitation = CohortInvitation.objects.get(user=world.victim)
    response = client.post(
        reverse("cohorts:invitations"), {"invitation": invitation.pk, "answer": "accept", "share_contact": "on"}
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.ACCEPTED
    member = CohortMember.objects.get(cohort=world.cohort, user=world.victim)
    assert member.source == CohortMember.Source.INVITATION
    assert Membership.objects.filter(user=world.victim, institution=world.lima, role=Role.PARTICIPANT).exists()
    assert Enrollment.objects.filter(user=world.victim, course=world.cohort.course).exists()
    assert consent_current(world.victim, ConsentRecord.Purpose.COHORT_CONTACT)
    assert "No tienes invitaciones pendientes." in client.get(reverse("cohorts:invitations")).content.decode()


def test_declining_changes_nothing_and_is_not_asked_again(client, world):
    services.cohort_member_add_person(
        cohort=world.cohort, actor=world.trainer, first_name="Majo", phone="+593991234567"
    )
    invitation = CohortInvitation.objects.get(user=world.victim)
    client.force_login(world.victim)
    response = client.post(reverse("cohorts:invitations"), {"invitation": invitation.pk, "answer": "decline"})
    assert response.status_code == 302
    assert "No cambiamos nada en tu cuenta" in client.get(response["Location"]).content.decode()
    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.DECLINED
    assert not CohortMember.objects.filter(user=world.victim, cohort=world.cohort).exists()
    assert not Membership.objects.filter(user=world.victim, institution=world.lima).exists()
    # The trainer tries again: no second notice, and the trainer is told it was not accepted.
    client.force_login(world.trainer)
    html = _add(client, world.cohort, first_name="Majo", phone="+593 99 123 4567").content.decode()
    assert "Majo no aceptó la invitación" in html
    assert Notification.objects.filter(user=world.victim, title__startswith="Te invitan").count() == 1
    assert "no aceptó" in client.get(reverse("cohorts:dashboard", args=[world.cohort.pk])).content.decode()


def test_nobody_can_answer_someone_elses_invitation(client, world):
    services.cohort_member_add_person(
        cohort=world.cohort, actor=world.trainer, first_name="Majo", phone="+593991234567"
    )
    invitation = CohortInvitation.objects.get(user=world.victim)
    for intruder in (world.trainer, world.colleague, UserFactory()):
        client.force_login(intruder)
        assert "GIN Comas" not in client.get(reverse("cohorts:invitations")).content.decode()
        for answer in ("accept", "decline"):
            response = client.post(reverse("cohorts:invitations"), {"invitation": invitation.pk, "answer": answer})
            assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == CohortInvitation.Status.PENDING
    assert not CohortMember.objects.filter(cohort=world.cohort).exists()


def test_joining_with_the_code_answers_a_pending_invitation_and_records_the_contact_choice(client, world):
    services.cohort_member_add_person(
        cohort=world.cohort, actor=world.trainer, first_name="Majo", phone="+593991234567"
    )
    client.force_login(world.victim)
    page = client.get(reverse("cohorts:join_link", args=[world.cohort.code])).content.decode()
    assert "Comparto mi celular y mi correo con el equipo de mis grupos" in page
    assert "checked" in page  # her consent is already in force: the box shows it
    client.post(reverse("cohorts:join_link", args=[world.cohort.code]), {})  # she unticks it
    assert CohortMember.objects.filter(cohort=world.cohort, user=world.victim).exists()
    assert CohortInvitation.objects.get(user=world.victim).status == CohortInvitation.Status.ACCEPTED
    assert not consent_current(world.victim, ConsentRecord.Purpose.COHORT_CONTACT)


# --- Who may still enrol directly ----------------------------------------------------------------------------


def test_institution_admin_enrols_the_institutions_own_participants_directly_but_invites_others(client, world):
    admin = MembershipFactory(institution=world.lima, role=Role.INSTITUTION_ADMIN).user
    earlier = CohortFactory(institution=world.lima, name="GIN Comas 2025")
    own = member_of(earlier, UserFactory(first_name="Rosa", phone="+51987222001"))
    client.force_login(admin)
    assert "Agregamos a Rosa al grupo." in _add(client, world.cohort, first_name="Rosa", phone="987 222 001").text
    assert CohortMember.objects.filter(cohort=world.cohort, user=own).exists()
    assert "Invitación enviada" in _add(client, world.cohort, first_name="Majo", phone="+593 99 123 4567").text
    assert not CohortMember.objects.filter(cohort=world.cohort, user=world.victim).exists()
    # A trainer always invites, even the institution's own participants.
    second = member_of(earlier, UserFactory(first_name="Ana", phone="+51987222002"))
    client.force_login(world.trainer)
    assert "Invitación enviada" in _add(client, world.cohort, first_name="Ana", phone="987 222 002").text
    assert not CohortMember.objects.filter(cohort=world.cohort, user=second).exists()


def test_new_participant_form_records_who_created_the_account_and_the_contact_consent(client, world):
    client.force_login(world.trainer)
    html = _add(
        client, world.cohort, first_name="Ñusta", last_name="Huamán", phone="987 333 444", share_contact="on"
    ).text
    assert "Creamos una cuenta para Ñusta Huamán" in html
    member = CohortMember.objects.get(cohort=world.cohort, user__phone="+51987333444")
    person = member.user
    assert (person.created_by, person.created_by_institution) == (world.trainer, world.lima)
    record = ConsentRecord.objects.get(user=person, purpose=ConsentRecord.Purpose.COHORT_CONTACT)
    assert record.granted and record.recorded_by == world.trainer
    assert "+51987333444" in _export(client, world.cohort)
    # Created by this institution and never used on her own: the trainer may set a temporary password.
    assert client.post(reverse("accounts:helper_reset", args=[person.pk])).status_code == 200


def test_deleting_the_account_drops_its_invitations(world):
    from lms.accounts.services import account_delete

    services.cohort_member_add_person(
        cohort=world.cohort, actor=world.trainer, first_name="Majo", phone="+593991234567"
    )
    assert CohortInvitation.objects.filter(user=world.victim).exists()
    account_delete(user_id=world.victim.pk)
    assert not CohortInvitation.objects.filter(typed_contact="+593991234567").exists()
