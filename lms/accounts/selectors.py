"""Reads on accounts that span models: consent in force, the participants a helper may assist.

Must not import from content, courses, certification or reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.crypto import constant_time_compare, salted_hmac

from . import permissions
from .models import ConsentRecord, User
from .phones import phone_candidates


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    label: str
    granted: bool
    text_version: str | None
    decided_at: datetime | None
    current_text_version: str

    @property
    def outdated(self) -> bool:
        """Granted under an earlier version of the text than the one in force."""
        return self.granted and self.text_version != self.current_text_version


def consent_current(user: User, purpose: str) -> bool:
    """True when the latest record for ``purpose`` grants it; no record means no consent."""
    if not getattr(user, "pk", None):
        return False
    latest = ConsentRecord.objects.filter(user=user, purpose=purpose).order_by("-created_at", "-id").first()
    return bool(latest and latest.granted)


def consent_granted_user_ids(*, user_ids: Iterable[int], purpose: str) -> set[int]:
    """Of ``user_ids``, those whose latest decision for ``purpose`` grants it (batched, for rosters and exports)."""
    ids = list(user_ids)
    granted: set[int] = set()
    for start in range(0, len(ids), 500):
        seen: set[int] = set()
        records = (
            ConsentRecord.objects.filter(user_id__in=ids[start : start + 500], purpose=purpose)
            .order_by("user_id", "-created_at", "-id")
            .values_list("user_id", "granted")
        )
        for user_id, is_granted in records:
            if user_id not in seen:
                seen.add(user_id)
                if is_granted:
                    granted.add(user_id)
    return granted


def consent_states_for_user(*, user: User) -> list[ConsentState]:
    """The state in force for every purpose, in the order of ``ConsentRecord.Purpose``."""
    latest: dict[str, ConsentRecord] = {}
    for decision in ConsentRecord.objects.filter(user=user).order_by("-created_at", "-id"):
        latest.setdefault(decision.purpose, decision)
    states = []
    for purpose, label in ConsentRecord.Purpose.choices:
        record = latest.get(purpose)
        states.append(
            ConsentState(
                purpose=purpose,
                label=str(label),
                granted=bool(record and record.granted),
                text_version=record.text_version if record else None,
                decided_at=record.created_at if record else None,
                current_text_version=settings.RUTA_CONSENT_VERSION,
            )
        )
    return states


def participant_list_for_helper(*, actor: User, query: str, limit: int = 20) -> list[User]:
    """Accounts created by the institutions where ``actor`` may reset passwords whose owners have never signed
    in on their own (``permissions.can_reset_password_for``), matching ``query``.

    Matches username, phone (any format) or names; an empty query returns nobody.
    """
    query = (query or "").strip()
    if len(query) < 2:
        return []
    institutions = permissions.institutions_with_role(actor, permissions.PASSWORD_HELPER_ROLES)
    match = Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 6:
        # The stored number has no trunk 0: "099 123 4567" is +593 99 123 4567.
        match |= Q(phone__endswith=digits) | Q(phone__in=phone_candidates(query))
    words = query.split()
    if len(words) > 1:
        match |= Q(first_name__icontains=words[0]) & Q(last_name__icontains=words[-1])
    candidates: QuerySet[User] = (
        User.objects.filter(created_by_institution__in=institutions, signed_in_on_own_at__isnull=True, is_active=True)
        .filter(match)
        .order_by("username")[: limit * 2]
    )
    return [user for user in candidates if permissions.can_reset_password_for(actor, user)][:limit]


def learner_tag(*, user: User | AnonymousUser) -> str:
    """A short tag that tells, in the browser, which learner queued an answer or downloaded a course on a shared
    phone. Not personal data: an HMAC of the user id with the site's secret key (it cannot be turned back into the
    user id without the key, and it is stable across sessions). Empty for anonymous visitors."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return ""
    return _learner_tag_with(user, settings.SECRET_KEY)


def _learner_tag_with(user: User | AnonymousUser, secret: str) -> str:
    return salted_hmac("ruta.accounts.learner_tag", str(user.pk), secret=secret).hexdigest()[:16]


def learner_tags_previous(*, user: User | AnonymousUser) -> list[str]:
    """The tags this learner had under the secret keys kept in SECRET_KEY_FALLBACKS: a page gives them to the
    phone's scripts, which take the answers kept under them as this learner's (and send them)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return []
    return [_learner_tag_with(user, secret) for secret in getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def learner_tag_is_own(*, user: User | AnonymousUser, tag: str) -> bool:
    """Whether ``tag`` (an answer kept on a phone says whose it is) is this learner's: made with the current secret key
    or with one of SECRET_KEY_FALLBACKS, so that answers kept offline before the key was changed are still sent."""
    if not tag or not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return False
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(constant_time_compare(tag, _learner_tag_with(user, secret)) for secret in secrets)
