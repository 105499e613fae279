import pytest
from django.contrib.auth.models import AnonymousUser

from lms.accounts import permissions
from lms.accounts.models import Role
from tests.lms.accounts.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_role_is_scoped_to_its_institution():
    ngo, ministry = InstitutionFactory(), InstitutionFactory()
    trainer = MembershipFactory(institution=ngo, role=Role.TRAINER).user
    assert permissions.has_role(trainer, Role.TRAINER, ngo)
    assert not permissions.has_role(trainer, Role.TRAINER, ministry)
    assert not permissions.has_role(trainer, Role.INSTITUTION_ADMIN, ngo)
    assert permissions.has_role(trainer, [Role.INSTITUTION_ADMIN, Role.TRAINER])


def test_anonymous_and_inactive_users_hold_no_role():
    ngo = InstitutionFactory()
    membership = MembershipFactory(institution=ngo, role=Role.INSTITUTION_ADMIN)
    assert not permissions.has_role(AnonymousUser(), Role.PARTICIPANT)
    membership.user.is_active = False
    membership.user.save()
    assert not permissions.has_role(membership.user, Role.INSTITUTION_ADMIN, ngo)
    assert list(permissions.institutions_with_role(AnonymousUser(), Role.TRAINER)) == []


def test_roles_in_a_deactivated_institution_do_not_count():
    ngo = InstitutionFactory(is_active=False)
    admin = MembershipFactory(institution=ngo, role=Role.INSTITUTION_ADMIN).user
    assert not permissions.can_manage_institution(admin, ngo)


def test_superuser_passes_every_check():
    ngo = InstitutionFactory()
    root = UserFactory(is_superuser=True)
    assert permissions.can_manage_institution(root, ngo)
    assert set(permissions.institutions_with_role(root, Role.TRAINER)) == {ngo}


def test_institutions_with_role_lists_only_those_institutions():
    a, b, c = InstitutionFactory(), InstitutionFactory(), InstitutionFactory()
    person = UserFactory()
    MembershipFactory(user=person, institution=a, role=Role.TRAINER)
    MembershipFactory(user=person, institution=b, role=Role.PARTICIPANT)
    MembershipFactory(user=person, institution=c, role=Role.TRAINER)
    assert set(permissions.institutions_with_role(person, Role.TRAINER)) == {a, c}
    assert permissions.roles_of(person, b) == {Role.PARTICIPANT}


def test_trainer_may_reset_password_only_for_accounts_their_institution_created():
    ngo, other = InstitutionFactory(), InstitutionFactory()
    trainer = MembershipFactory(institution=ngo, role=Role.TRAINER).user
    mine = MembershipFactory(institution=ngo, role=Role.PARTICIPANT, user=UserFactory(created_by_institution=ngo)).user
    theirs = MembershipFactory(institution=other, role=Role.PARTICIPANT).user
    MembershipFactory(institution=ngo, role=Role.PARTICIPANT, user=theirs)  # a participant here too: not enough
    colleague = MembershipFactory(institution=ngo, role=Role.TRAINER, user=UserFactory(created_by_institution=ngo)).user
    MembershipFactory(user=colleague, institution=ngo, role=Role.PARTICIPANT)
    assert permissions.can_reset_password_for(trainer, mine)
    assert not permissions.can_reset_password_for(trainer, theirs)
    assert not permissions.can_reset_password_for(trainer, colleague)
    assert not permissions.can_reset_password_for(mine, trainer)
    assert not permissions.can_reset_password_for(AnonymousUser(), mine)


def test_only_data_stewards_see_personal_data():
    ngo = InstitutionFactory()
    steward = MembershipFactory(institution=ngo, role=Role.DATA_STEWARD).user
    admin = MembershipFactory(institution=ngo, role=Role.INSTITUTION_ADMIN).user
    assert permissions.can_view_personal_data(steward, ngo)
    assert not permissions.can_view_personal_data(admin, ngo)
