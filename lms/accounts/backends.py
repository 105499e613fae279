"""The one authentication backend for passwords: username, e-mail or phone, with one password hash per attempt.

allauth's backend (listed after Django's ``ModelBackend``) hashed a password twice for a known e-mail and once
for an unknown one, so the time of a failed login told whether an e-mail had an account (issue #17). Here the
typed identifier finds at most one account, its password is checked once, and an unknown identifier costs one
dummy hash; then the chain stops, so no later backend hashes again. A number that reads as two countries'
(``987654321``: Peru's, or Ecuador's without its 0) may be two accounts: the password is checked against each,
and such a number costs two hashes whether none, one or both exist.
"""

from __future__ import annotations

import functools
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from allauth.account.internal.userkit import filter_users_by_email, get_user_by_username
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.forms import ValidationError
from django.http import HttpRequest

from .adapter import AccountAdapter
from .models import Institution, Membership, Role
from .phones import phone_readings_anywhere


def account_for_login(identifier: str) -> AbstractBaseUser | None:
    """The account a typed username, e-mail or phone number (any format) points to first, or None."""
    accounts = accounts_for_login(identifier)
    return accounts[0] if accounts else None


def accounts_for_login(identifier: str) -> list[AbstractBaseUser]:
    """The accounts a typed username, e-mail or phone number (any format) may be: one, or none; several only for a
    number that reads as several countries' (``987654321``: Peru's, or Ecuador's without its 0)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return []
    try:
        validate_email(identifier)
    except ValidationError:
        pass
    else:
        users = filter_users_by_email(identifier, prefer_verified=True, for_login=True)
        if users:
            return [users[0]]
    user = get_user_by_username(identifier)
    if user is not None:
        return [user]
    return list(AccountAdapter().get_users_by_phone(identifier))


def password_checks_for(identifier: str) -> int:
    """How many password hashes a login with ``identifier`` costs: one per account it may be, which depends on what
    was typed only (``987654321`` may be two accounts, so it costs two whether none, one or both exist)."""
    return max(1, len(phone_readings_anywhere(identifier)))


class RutaAuthenticationBackend(AuthenticationBackend):
    """The same number of password hashes for a login attempt whether or not the identifier has an account."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> AbstractBaseUser | None:
        password = credentials.get("password")
        if not password:
            return None
        identifier = credentials.get("phone") or credentials.get("email") or credentials.get("username") or ""
        users = accounts_for_login(identifier)
        self._did_check_password = False
        # A number that may be two people's (Ñusta's +51 987 654 321 and José's +593 98 765 4321): the login is the
        # one whose password was typed. Every other failure costs the same hashes, accounts or not.
        for user in users:
            if (match := self._check_password(user, password)) is not None:
                return match
        for _unused in range(password_checks_for(identifier) - len(users)):
            self._mitigate_timing_attack(password)
        # Ends the chain: ModelBackend (kept for sessions it created) would hash the password a second time.
        raise PermissionDenied

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        """The session's account, read with whether it holds any role beyond participant in an active institution
        (``ruta_holds_other_roles``): what a learner writes then changes only their own kept pages
        (``lms/learnercache.py``), known without another query. Every signed-in request reads this, so it is one
        plain statement (the ORM's ``Exists`` annotation cost more to build than a second query)."""
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        users = list(model._default_manager.raw(_ACCOUNT_WITH_ROLES(), [str(Role.PARTICIPANT), pk]))
        user = users[0] if users else None
        if user is None or not self.user_can_authenticate(user):
            return None
        user.ruta_holds_other_roles = bool(user.ruta_holds_other_roles)  # SQLite answers 0/1
        return user


@functools.cache
def _ACCOUNT_WITH_ROLES() -> str:  # noqa: N802 - a constant, built once the models are ready
    users, memberships, institutions = (m._meta.db_table for m in (get_user_model(), Membership, Institution))
    return (
        f"SELECT u.*, EXISTS (SELECT 1 FROM {memberships} m JOIN {institutions} i ON i.id = m.institution_id"  # noqa: S608
        f" WHERE m.user_id = u.id AND i.is_active AND m.role <> %s) AS ruta_holds_other_roles"
        f" FROM {users} u WHERE u.id = %s"
    )
