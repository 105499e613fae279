"""Writes on accounts: consent, profile, data export and deletion, helper password resets.

Must not import from content, courses, certification or reports; other apps add to a person's
data export through the ``user_data_exported`` signal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from .models import ConsentRecord, Profile, User


def consent_record(*, user: User, purpose: str, granted: bool, text_version: str | None = None) -> ConsentRecord:
    """Append a consent decision; the latest record per purpose is the one in force."""
    return ConsentRecord.objects.create(
        user=user,
        purpose=purpose,
        granted=granted,
        text_version=text_version or settings.RUTA_CONSENT_VERSION,
    )


@transaction.atomic
def profile_get_or_create(*, user: User) -> Profile:
    """Every user has at most one profile; it is created empty on first use."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile
