"""Writes on accounts: consent, profile, data export and deletion, helper password resets.

Must not import from content, courses, certification or reports; other apps add to a person's data
export through the ``signals.user_data_requested`` signal and clean up through ``signals.account_deleted``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify

from . import permissions
from .models import ConsentRecord, HelperPasswordReset, Membership, Profile, Role, User
from .signals import account_deleted, password_reset_by_helper, user_data_requested

#: The Django group through which the institution-admin role reaches the Wagtail admin: admin access,
#: «Importar paquetes» (migration ``courses/imports/0004_institution_admin_group``) and add/change/publish under
#: «Cursos importados» (``0006_institution_admin_imported_courses``), narrowed to their institutions' own courses
#: by ``courses/page_permissions.py``.
#: Its members follow the role (``institution_admin_group_sync``): nobody is added to it by hand.
INSTITUTION_ADMIN_GROUP = "Administración de la institución"

#: Letters and digits that are hard to confuse when read aloud or copied from a phone screen.
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
#: Keys of the data export that belong to lms.accounts; other apps may not overwrite them.
DATA_EXPORT_CORE_KEYS = frozenset(
    {"format", "generated_at", "account", "profile", "consents", "memberships", "password_resets_by_helper"}
)


def username_generate(*, first_name: str, last_name: str = "") -> str:
    """A free username made from the person's name (``maria-jose-perez``); nobody is asked to invent one.

    When the name is taken, four random digits are added (not a counter, which would tell how many people share
    the name). Never all digits, so it can never be read as a phone number at login.
    """
    base = slugify(f"{first_name} {last_name}")[:30].strip("-") or "participante"
    if base.isdigit():
        base = f"participante-{base}"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}-{secrets.randbelow(9000) + 1000}"
    return candidate


def account_signup_attempt_announce(*, user: User, identifier: str) -> None:
    """Queue ``account_signup_attempt_notify`` for after the sign-up's transaction: the sign-up page must answer
    in the same time whether or not the number or address had an account, so no e-mail is sent while it waits."""
    from .tasks import account_signup_attempt_notify_task  # tasks import services

    account_signup_attempt_notify_task.delay_on_commit(user.pk, identifier)


def account_signup_attempt_notify(*, user_id: int, identifier: str) -> bool:
    """Tell the owner of ``identifier`` (by e-mail, when they have one) that someone tried to sign up with it.

    Called instead of saying on the sign-up page that the account exists (which would tell anyone who owns a
    number or an address). There is no SMS gateway: owners without e-mail are not told.
    """
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email or not user.is_active:
        return False
    context = {"user": user, "identifier": identifier, "base_url": settings.RUTA_BASE_URL}
    with translation.override(user_language(user=user)):
        subject = render_to_string("account/email/signup_attempt_subject.txt", context).strip()
        message = render_to_string("account/email/signup_attempt_message.txt", context)
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[user.email])
    return True


def user_language(*, user: User | None) -> str:
    """The language to write to ``user`` in: theirs when Ruta offers it, else the site's (Spanish)."""
    code = getattr(user, "language", "") or ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def user_language_set(*, user: User, language: str | None) -> bool:
    """Remember the language a person uses Ruta in (one Ruta offers: ``en-us`` is ``en``), so that notices and
    e-mails reach them in it whoever sends them. Returns True when it changed."""
    if user.pk is None or not language:
        return False
    try:
        code = translation.get_supported_language_variant(language)
    except LookupError:
        return False
    changed = User.objects.filter(pk=user.pk).exclude(language=code).update(language=code)
    user.language = code
    return bool(changed)


def consent_record(
    *,
    user: User,
    purpose: str,
    granted: bool,
    text_version: str | None = None,
    recorded_by: User | None = None,
) -> ConsentRecord:
    """Append a consent decision; the latest record per purpose is the one in force.

    ``recorded_by`` is the staff member who wrote down what the person said (None: the person decided online).
    """
    if purpose not in ConsentRecord.Purpose.values:
        raise ValueError(f"Unknown consent purpose: {purpose!r}")
    return ConsentRecord.objects.create(
        user=user,
        purpose=purpose,
        granted=granted,
        text_version=text_version or settings.RUTA_CONSENT_VERSION,
        recorded_by=recorded_by if recorded_by is not None and recorded_by.pk != user.pk else None,
    )


@transaction.atomic
def profile_get_or_create(*, user: User) -> Profile:
    """Every user has at most one profile; it is created empty on first use."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, fields: dict[str, Any]) -> Profile:
    """Save the printed name and the optional profile fields; every field may be empty."""
    user.first_name = (first_name or "").strip()
    user.last_name = (last_name or "").strip()
    user.save(update_fields=["first_name", "last_name"])
    profile = profile_get_or_create(user=user)
    allowed = {field.name for field in Profile._meta.get_fields()} - {"id", "user", "updated_at"}
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(f"Not a profile field: {name!r}")
        setattr(profile, name, value)
    profile.save()
    return profile


def user_phone_update(*, user: User, phone: str | None) -> bool:
    """Set or remove the login phone (E.164); True when stored. No SMS check (no gateway).

    Two accounts never share a number: when another account has ``phone``, nothing changes and False is returned.
    The page answers the same either way (``views.phone_edit``), as sign-up does, so that it never tells whether
    a number has an account.
    """
    phone = phone or None
    if phone and User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        return False
    user.phone = phone
    user.phone_verified = False
    user.save(update_fields=["phone", "phone_verified"])
    return True


def _temporary_password() -> str:
    chunk = partial(secrets.choice, _TEMPORARY_ALPHABET)
    return "-".join("".join(chunk() for _ in range(4)) for _ in range(3))


def helper_password_reset_create(*, actor: User, target: User) -> str:
    """Set and return a temporary password; only when ``can_reset_password_for``, always logged and announced.

    ``password_reset_by_helper`` is sent inside the transaction so that the person's notice (in-app, and
    e-mail when they have an address) is written with the log row or not at all.
    """
    if not permissions.can_reset_password_for(actor, target):
        raise PermissionDenied("This person may not reset that account's password.")
    password = _temporary_password()
    with transaction.atomic():
        target.set_password(password)
        target.password_is_temporary = True
        target.save(update_fields=["password", "password_is_temporary"])
        reset = HelperPasswordReset.objects.create(actor=actor, target=target)
        password_reset_by_helper.send(sender=User, reset=reset)
    return password


def user_signed_in_on_own_mark(*, user: User) -> bool:
    """Record, once, that the person used the account on their own (own password or a non-temporary login).

    From then on no trainer can set a temporary password for them. Returns True when this call recorded it.
    """
    if user.pk is None or user.signed_in_on_own_at is not None:
        return False
    now = timezone.now()
    updated = User.objects.filter(pk=user.pk, signed_in_on_own_at__isnull=True).update(signed_in_on_own_at=now)
    user.signed_in_on_own_at = now
    return bool(updated)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything Ruta holds about ``user``: accounts' own sections plus those returned by other apps."""
    profile = Profile.objects.filter(user=user).first()
    data: dict[str, Any] = {
        "format": "ruta-user-data/1",
        "generated_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "printed_name": user.printed_name,
            "email": user.email,
            "phone": user.phone or "",
            "phone_verified": user.phone_verified,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
        "profile": None,
        "consents": [
            {
                "purpose": record.purpose,
                "granted": record.granted,
                "text_version": record.text_version,
                "recorded_by_staff": record.recorded_by_id is not None,
                "created_at": _iso(record.created_at),
            }
            for record in ConsentRecord.objects.filter(user=user).order_by("created_at", "id")
        ],
        "memberships": [
            {
                "institution": membership.institution.name,
                "institution_slug": membership.institution.slug,
                "role": membership.role,
                "scope": membership.scope,
                "created_at": _iso(membership.created_at),
            }
            for membership in Membership.objects.filter(user=user).select_related("institution").order_by("pk")
        ],
        "password_resets_by_helper": [
            {"created_at": _iso(reset.created_at), "by": reset.actor.printed_name if reset.actor else None}
            for reset in HelperPasswordReset.objects.filter(target=user).select_related("actor").order_by("pk")
        ],
    }
    if profile is not None:
        data["profile"] = {
            "sex": profile.sex,
            "birth_year": profile.birth_year,
            "nationality": profile.nationality,
            "country": profile.country,
            "region": profile.region,
            "city": profile.city,
            "migratory_status": profile.migratory_status,
            "id_document_type": profile.id_document_type,
            "disability": profile.disability,
            "updated_at": _iso(profile.updated_at),
        }
    for receiver, section in user_data_requested.send(sender=User, user=user):
        if not section:
            continue
        if not isinstance(section, dict):
            raise TypeError(f"{receiver!r} must return a dict for user_data_requested, not {type(section)!r}")
        clash = set(section) & set(data)
        if clash:
            raise ValueError(f"{receiver!r} returned sections that already exist: {sorted(clash)}")
        data.update(section)
    return data


@transaction.atomic
def account_deletion_request(*, user: User) -> None:
    """Record the request and deactivate the account now; a background task anonymises it after commit."""
    from .tasks import account_delete_task  # tasks import services

    now = timezone.now()
    # Deactivated at once, so nobody can log in while the anonymisation waits in the queue.
    User.objects.filter(pk=user.pk).update(is_active=False)
    User.objects.filter(pk=user.pk, deletion_requested_at__isnull=True).update(deletion_requested_at=now)
    user_id = user.pk
    transaction.on_commit(lambda: account_delete_task.delay(user_id))


def account_delete(*, user_id: int) -> bool:
    """Anonymise the account, drop its profile, e-mails and roles, keep consent records; idempotent.

    Returns True when something was deleted, False when the account was already anonymised or is unknown.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        anonymous_name = f"eliminado-{user_id}"
        if user is None or (user.username == anonymous_name and not user.is_active):
            return False
        user.username = anonymous_name
        user.first_name = ""
        user.last_name = ""
        user.email = ""
        user.phone = None
        user.phone_verified = False
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.deletion_requested_at = user.deletion_requested_at or timezone.now()
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.filter(user=user).delete()
        Profile.objects.filter(user=user).delete()
        Membership.objects.filter(user=user).delete()
        account_deleted.send(sender=User, user_id=user_id)
    return True


#: The group's own rights (app label, codename): opening the Wagtail admin and importing packages. Its page rights
#: under «Cursos importados» are granted where that programme is made (``courses.imports.services``).
INSTITUTION_ADMIN_GROUP_PERMISSIONS = (("wagtailadmin", "access_admin"), ("imports", "add_packageimport"))


def institution_admin_group() -> Any:
    """The institution-admin group. Its migration creates it; should it be missing (deleted by hand, a database
    flushed and not migrated again), it is created here with its two permissions, so role holders are never
    silently left out of the admin."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    group, created = Group.objects.get_or_create(name=INSTITUTION_ADMIN_GROUP)
    if created:
        wanted = Q(pk__in=[])
        for app_label, codename in INSTITUTION_ADMIN_GROUP_PERMISSIONS:
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))
    return group


def institution_admin_group_sync(*, user_ids: Iterable[int]) -> None:
    """Put in ``INSTITUTION_ADMIN_GROUP`` those of ``user_ids`` who are active and hold the institution-admin role in
    an active institution, and take the others out (a role removed, an institution closed, an account disabled)."""
    ids = set(user_ids)
    if not ids:
        return
    group = institution_admin_group()
    holders = set(
        Membership.objects.filter(
            user_id__in=ids, role=Role.INSTITUTION_ADMIN, institution__is_active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if holders:
        group.user_set.add(*holders)
    if ids - holders:
        group.user_set.remove(*(ids - holders))
