"""Role-based permission helpers. Every view in Ruta asks these, never ``Membership`` directly.

Roles are held per institution (``Membership``). Superusers pass every check.
Must not import from content, courses, certification or reports.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest

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


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a ``@login_required`` view, for type checkers: ``request.user`` is an account."""

    user: User


def signed_in_user(user: AnyUser | None) -> User | None:
    """``user`` when it is a signed-in account, else None (narrows ``request.user`` for callers and type checkers)."""
    return user if isinstance(user, User) else None


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


def is_staff_anywhere(user: AnyUser) -> bool:
    """Superusers, Django staff, Wagtail editors (admin access through a group or a permission) and anyone holding
    a role other than participant in any institution.

    Such accounts are never in reach of another person's help (password resets, contact exports).
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(staff_anywhere_ids([user.pk]))


def staff_anywhere_ids(user_ids: Iterable[int]) -> set[int]:
    """Of ``user_ids``, those for which ``is_staff_anywhere`` holds (two queries, for exports and rosters)."""
    ids = list(user_ids)
    flagged = set(
        User.objects.filter(pk__in=ids).filter(Q(is_superuser=True) | Q(is_staff=True)).values_list("pk", flat=True)
    )
    flagged |= set(
        Membership.objects.filter(user_id__in=ids).exclude(role=Role.PARTICIPANT).values_list("user_id", flat=True)
    )
    admin_access = Q(
        groups__permissions__codename="access_admin", groups__permissions__content_type__app_label=("wagtailadmin")
    ) | Q(user_permissions__codename="access_admin", user_permissions__content_type__app_label="wagtailadmin")
    flagged |= set(User.objects.filter(pk__in=ids).filter(admin_access).values_list("pk", flat=True))
    return flagged


def can_reset_password_for(actor: AnyUser, target: User) -> bool:
    """A trainer, master trainer or admin may set a temporary password only for an account that their
    institution created and whose owner has never signed in on their own (``User.signed_in_on_own_at``).

    Staff accounts (any role but participant anywhere, Django staff, superusers) are never in scope. A
    participant membership is *not* enough: being added to a cohort must never hand one's account to its trainer.
    Superusers (platform support, who can set any password in the admin anyway) may help any non-staff account.
    """
    if not actor.is_authenticated or not actor.is_active or actor.pk == target.pk:
        return False
    if not target.is_active or is_staff_anywhere(target):
        return False
    if actor.is_superuser:
        return True
    if target.created_by_institution_id is None or target.signed_in_on_own_at is not None:
        return False
    return Membership.objects.filter(
        user=actor,
        role__in=PASSWORD_HELPER_ROLES,
        institution_id=target.created_by_institution_id,
        institution__is_active=True,
    ).exists()
