"""Role-based permission helpers. Every view in Ruta asks these, never ``Membership`` directly.

Roles are held per institution (``Membership``). Superusers pass every check.
Must not import from content, courses, certification or reports.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from .models import Institution, Membership, Role, User

#: Roles whose holders work for an institution (as opposed to learning in it).
STAFF_ROLES = frozenset(
    {
        Role.TRAINER,
        Role.MASTER_TRAINER,
        Role.EVALUATOR,
        Role.INSTITUTION_ADMIN,
        Role.ME_OFFICER,
        Role.PROGRAMME_MANAGER,
        Role.DATA_STEWARD,
    }
)
#: Roles that may reset a participant's password for them (no e-mail needed).
PASSWORD_HELPER_ROLES = frozenset({Role.TRAINER, Role.MASTER_TRAINER, Role.INSTITUTION_ADMIN})

AnyUser = User | AnonymousUser


def _roles_tuple(roles: str | Iterable[str]) -> tuple[str, ...]:
    return (roles,) if isinstance(roles, str) else tuple(roles)


def roles_of(user: AnyUser, institution: Institution | None = None) -> set[str]:
    """The roles a user holds, in one institution or anywhere."""
    if not user.is_authenticated:
        return set()
    qs = Membership.objects.filter(user=user, institution__is_active=True)
    if institution is not None:
        qs = qs.filter(institution=institution)
    return set(qs.values_list("role", flat=True))


def has_role(user: AnyUser, roles: str | Iterable[str], institution: Institution | None = None) -> bool:
    """True if the user holds any of ``roles`` (in ``institution`` if given). Superusers always do."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    qs = Membership.objects.filter(user=user, role__in=_roles_tuple(roles), institution__is_active=True)
    if institution is not None:
        qs = qs.filter(institution=institution)
    return qs.exists()


def institutions_with_role(user: AnyUser, roles: str | Iterable[str]) -> QuerySet[Institution]:
    """The active institutions where the user holds any of ``roles`` (all of them for superusers)."""
    if not user.is_authenticated or not user.is_active:
        return Institution.objects.none()
    if user.is_superuser:
        return Institution.objects.filter(is_active=True)
    return Institution.objects.filter(
        is_active=True, memberships__user=user, memberships__role__in=_roles_tuple(roles)
    ).distinct()


def is_staff_of(user: AnyUser, institution: Institution) -> bool:
    """True if the user works for the institution in any staff role."""
    return has_role(user, STAFF_ROLES, institution)


def can_manage_institution(user: AnyUser, institution: Institution) -> bool:
    """Institution admins manage their own institution's members, catalogue and branding."""
    return has_role(user, Role.INSTITUTION_ADMIN, institution)


def can_view_personal_data(user: AnyUser, institution: Institution) -> bool:
    """Only data stewards (and superusers) see sensitive profile fields, and only for their institution."""
    return has_role(user, Role.DATA_STEWARD, institution)


def can_reset_password_for(actor: AnyUser, target: User) -> bool:
    """A trainer, master trainer or admin may reset the password of a participant of their institution.

    Staff accounts are never reset this way (that would let a trainer take over a colleague).
    """
    if not actor.is_authenticated or actor == target:
        return False
    if actor.is_superuser:
        return not target.is_superuser
    if target.is_superuser or target.is_staff:
        return False
    target_staff = Membership.objects.filter(user=target, role__in=STAFF_ROLES).exists()
    if target_staff:
        return False
    shared = Membership.objects.filter(user=target, role=Role.PARTICIPANT).values("institution")
    return Membership.objects.filter(
        user=actor, role__in=PASSWORD_HELPER_ROLES, institution__in=shared, institution__is_active=True
    ).exists()
