"""Writes on cohorts: creating them, adding people (one by one, by code or from a file), live sessions and
attendance, announcements and in-app notifications.

Every write that touches more than one row runs in one transaction. Enrolments go through
``courses.services.enrollment_create``. Must not import certification or reports.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.models import CoursePage, Enrollment, ProgrammePage
from courses.services import enrollment_create
from lms.accounts import permissions
from lms.accounts.models import ConsentRecord, HelperPasswordReset, Institution, Membership, Profile, Role, User
from lms.accounts.selectors import consent_current
from lms.accounts.services import consent_record, helper_password_reset_create, user_language

from . import selectors
from .importing import RosterFileError, RosterRow, roster_parse
from .models import (
    COHORT_FIELDS_EDITABLE,
    Announcement,
    Attendance,
    Cohort,
    CohortInvitation,
    CohortMember,
    CohortTrainer,
    LiveSession,
    Notification,
    RosterImport,
    new_cohort_code,
)
from .places import region_canonical

_BATCH = 500
logger = logging.getLogger(__name__)


# --- Notifications ------------------------------------------------------------------------------------


def notice_language(user: User | None) -> translation.override:
    """A notice is written in its reader's language (``User.language``, Spanish by default), never in the one the
    sender's screen shows: build its title and body inside ``with notice_language(person):``."""
    return translation.override(user_language(user=user))


def _languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each person's notice language, for notices created in bulk (one query)."""
    return {
        person.pk: user_language(user=person) for person in User.objects.filter(pk__in=list(user_ids)).only("language")
    }


def notification_send(
    *, user: User, title: str, body: str = "", url: str = "", email: bool = True, replace_unread: bool = False
) -> Notification:
    """Every notice is stored in-app; it is also e-mailed (by a task, after commit) when the person has an address.

    Build ``title`` and ``body`` inside ``notice_language(user)``. With ``replace_unread``, a notice with the same
    title and link that the person has not read yet takes the new body (and moves to the top) instead of a second
    one being stacked: for notices that only their date or time would tell apart. It is e-mailed again (once, if
    the first e-mail has not left yet), since what it reports happened again.
    """
    title, url = title[:200], url[:300]
    if replace_unread:
        pending = (
            Notification.objects.filter(user=user, read_at__isnull=True, title=title, url=url)
            .order_by("-created_at", "-pk")
            .first()
        )
        if pending is not None:
            pending.body = body
            pending.created_at = timezone.now()
            pending.emailed_at = None
            pending.save(update_fields=["body", "created_at", "emailed_at"])
            if email and user.email:
                _email_after_commit([pending.pk])
            return pending
    notification = Notification.objects.create(user=user, title=title, body=body, url=url)
    if email and user.email:
        _email_after_commit([notification.pk])
    return notification


def notification_helper_reset_send(*, reset: HelperPasswordReset) -> Notification:
    """Tell a person that someone of an institution set a temporary password for them (in-app, and e-mail when
    they have an address), so a reset they did not ask for never goes unnoticed.

    Someone who never signed in (a roster import or the trainer's form created the account) is welcomed: they had
    no password before. Recovery by e-mail is suggested only to people who have an address. Generating the
    first-login sheet again updates the unread notice instead of stacking another one.
    """
    person = reset.target
    with notice_language(person):
        actor = reset.actor.printed_name if reset.actor else _("alguien del equipo")
        institution = person.created_by_institution
        when = timezone.localtime(reset.created_at).strftime("%d/%m/%Y %H:%M")
        values = {"actor": actor, "institution": institution, "when": when}
        if person.last_login is None:  # no password before this one: a welcome, not a warning
            title = _("Tu cuenta en Ruta está lista")
            if institution is not None:
                text = _(
                    "%(actor)s, de %(institution)s, creó una contraseña temporal para que entres por primera vez "
                    "(%(when)s). Al entrar, elige tu propia contraseña."
                )
            else:
                text = _(
                    "%(actor)s creó una contraseña temporal para que entres por primera vez (%(when)s). Al entrar, "
                    "elige tu propia contraseña."
                )
            body = text % values
            if person.email:
                body += " " + _("También puedes elegir tu contraseña con «¿Olvidaste tu contraseña?» y tu correo.")
            return notification_send(
                user=person, title=title, body=body, url=reverse("account_change_password"), replace_unread=True
            )
        title = _("Se creó una contraseña temporal para tu cuenta")
        if person.email and institution is not None:
            text = _(
                "%(actor)s, de %(institution)s, creó una contraseña temporal para tu cuenta el %(when)s. "
                "Tu contraseña anterior ya no funciona. Si no lo pediste tú, recupera tu cuenta con «¿Olvidaste tu "
                "contraseña?» y tu correo, y avisa a %(institution)s."
            )
        elif person.email:
            text = _(
                "%(actor)s creó una contraseña temporal para tu cuenta el %(when)s. Tu contraseña anterior ya no "
                "funciona. Si no lo pediste tú, recupera tu cuenta con «¿Olvidaste tu contraseña?» y tu correo."
            )
        elif institution is not None:  # no e-mail to recover with: the institution can help
            text = _(
                "%(actor)s, de %(institution)s, creó una contraseña temporal para tu cuenta el %(when)s. Tu "
                "contraseña anterior ya no funciona. Si no lo pediste tú, avisa a %(institution)s."
            )
        else:
            text = _(
                "%(actor)s creó una contraseña temporal para tu cuenta el %(when)s. Tu contraseña anterior ya no "
                "funciona. Si no lo pediste tú, pide ayuda a tu facilitador·a."
            )
        body = text % values
    return notification_send(
        user=person, title=title, body=body, url=reverse("account_change_password"), replace_unread=True
    )


def _email_after_commit(notification_ids: list[int]) -> None:
    from .tasks import notification_email_send_task

    for notification_id in notification_ids:
        notification_email_send_task.delay_on_commit(notification_id)


def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification to its person once, if they (still) have an address; a retry never sends twice."""
    from django.conf import settings

    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
        )
        if notification is None or notification.emailed_at or not notification.user.email:
            return False
        link = f"\n\n{settings.RUTA_BASE_URL}{notification.url}" if notification.url else ""
        # One line whatever the title holds (a group's name, a subject): a line break would make every send fail.
        subject = " ".join(notification.title.split())[:200]
        send_mail(subject, notification.body + link, None, [notification.user.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """A person marks their own notifications as read (all of them when no ids are given)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


# --- Cohorts ------------------------------------------------------------------------------------------


def _unique_code() -> str:
    for _attempt in range(20):
        code = new_cohort_code()
        if not Cohort.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not find a free cohort code")


@transaction.atomic
def cohort_create(
    *,
    institution: Institution,
    name: str,
    course: CoursePage | None = None,
    programme: ProgrammePage | None = None,
    trainers: Sequence[User] = (),
    created_by: User | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    mode: str = Cohort.Mode.VIRTUAL,
    country: str = "PE",
    region: str = "",
    city: str = "",
    funding_source: str = "",
    women_only: bool = False,
) -> Cohort:
    """A cohort delivers exactly one course or one learning path; its trainers must work for its institution."""
    if (course is None) == (programme is None):
        raise ValidationError(_("Elige un curso o una ruta de aprendizaje (solo uno)."), code="course")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(_("La fecha de fin no puede ser anterior a la de inicio."), code="dates")
    if region:
        canonical = region_canonical(country, region)
        if canonical is None:
            raise ValidationError(_("La región «%(region)s» no existe en este país.") % {"region": region})
        region = canonical
    cohort = Cohort.objects.create(
        institution=institution,
        name=name,
        course=course,
        programme=programme,
        code=_unique_code(),
        created_by=created_by,
        starts_on=starts_on,
        ends_on=ends_on,
        mode=mode,
        country=country,
        region=region,
        city=city,
        funding_source=funding_source.strip(),
        women_only=women_only,
    )
    for index, trainer in enumerate(trainers):
        cohort_trainer_add(cohort=cohort, trainer=trainer, lead=index == 0)
    return cohort


def cohort_trainer_add(*, cohort: Cohort, trainer: User, lead: bool = False) -> CohortTrainer:
    """A trainer teaches a cohort of an institution they hold a trainer role in (a lead trainer is unique)."""
    if not Membership.objects.filter(
        user=trainer, institution=cohort.institution, role__in=[Role.TRAINER, Role.MASTER_TRAINER]
    ).exists():
        Membership.objects.get_or_create(user=trainer, institution=cohort.institution, role=Role.TRAINER)
    if lead:
        CohortTrainer.objects.filter(cohort=cohort, lead=True).update(lead=False)
    link, created = CohortTrainer.objects.get_or_create(cohort=cohort, user=trainer, defaults={"lead": lead})
    if not created and lead and not link.lead:
        link.lead = True
        link.save(update_fields=["lead"])
    return link


@transaction.atomic
def cohort_trainers_set(*, cohort: Cohort, trainers: Sequence[User]) -> None:
    """A cohort keeps at least one trainer; the lead stays if still listed, otherwise the first listed leads."""
    if not trainers:
        raise ValidationError(_("El grupo necesita al menos una persona facilitadora."), code="no_trainer")
    keep = {t.pk for t in trainers}
    CohortTrainer.objects.filter(cohort=cohort).exclude(user_id__in=keep).delete()
    has_lead = CohortTrainer.objects.filter(cohort=cohort, lead=True).exists()
    for index, trainer in enumerate(trainers):
        cohort_trainer_add(cohort=cohort, trainer=trainer, lead=not has_lead and index == 0)


@transaction.atomic
def cohort_update(*, cohort: Cohort, trainers: Sequence[User] | None = None, **fields) -> Cohort:
    """Edit a cohort's details (and its trainers, when given) as one change; creation's rules on dates and region
    apply, and a cohort keeps at least one trainer."""
    if trainers is not None:
        cohort_trainers_set(cohort=cohort, trainers=trainers)
    for key, value in fields.items():
        if key not in COHORT_FIELDS_EDITABLE:
            raise TypeError(key)
        setattr(cohort, key, value)
    if cohort.starts_on and cohort.ends_on and cohort.ends_on < cohort.starts_on:
        raise ValidationError(_("La fecha de fin no puede ser anterior a la de inicio."), code="dates")
    if cohort.region:
        canonical = region_canonical(cohort.country, cohort.region)
        if canonical is None:
            raise ValidationError(_("La región «%(region)s» no existe en este país.") % {"region": cohort.region})
        cohort.region = canonical
    cohort.save()
    return cohort


def cohort_delete(*, cohort: Cohort) -> None:
    """Only an empty cohort (no participants, no sessions) can be deleted; others keep their history."""
    if cohort.members.exists() or cohort.sessions.exists():
        raise ValidationError(
            _("No se puede eliminar un grupo con participantes o sesiones: sus registros se conservan."),
            code="not_empty",
        )
    cohort.delete()


# --- Members ------------------------------------------------------------------------------------------


def _enrol(*, cohort: Cohort, user: User, source: str) -> None:
    enrollment_source = Enrollment.Source.IMPORT if source == CohortMember.Source.IMPORT else Enrollment.Source.COHORT
    for course in selectors.cohort_courses(cohort):
        enrollment_create(user=user, course=course, source=enrollment_source, check_prerequisites=False)


@transaction.atomic
def cohort_member_add(*, cohort: Cohort, user: User, source: str = CohortMember.Source.MANUAL) -> CohortMember:
    """Add a person to a cohort once, make them a participant of its institution and enrol them in its course(s)."""
    member, created = CohortMember.objects.get_or_create(cohort=cohort, user=user, defaults={"source": source})
    if created:
        Membership.objects.get_or_create(user=user, institution=cohort.institution, role=Role.PARTICIPANT)
        _enrol(cohort=cohort, user=user, source=source)
        with notice_language(user):
            notification_send(user=user, title=_welcome(cohort), url="/grupos/")
    return member


def _welcome(cohort: Cohort) -> str:
    return _("Te damos la bienvenida al grupo «%(name)s»") % {"name": cohort.name}


def _username_base(first_name: str, last_name: str) -> str:
    return slugify(f"{first_name} {last_name}")[:24].strip("-") or "participante"


def _username_for(first_name: str, last_name: str) -> str:
    base = _username_base(first_name, last_name)
    while True:
        candidate = f"{base}-{secrets.token_hex(2)}"
        if not User.objects.filter(username=candidate).exists():
            return candidate


def _usernames_for(rows: list[RosterRow]) -> list[str]:
    """A free username per row (given, or name + 4 random hex digits), checked against the database in one query."""
    names = [r.username or f"{_username_base(r.first_name, r.last_name)}-{secrets.token_hex(2)}" for r in rows]
    while True:
        taken = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        seen: set[str] = set()
        clashes = []
        for index, name in enumerate(names):
            if name in taken or name in seen:
                clashes.append(index)
            seen.add(name)
        if not clashes:
            return names
        for index in clashes:
            row = rows[index]
            if row.username:  # a given username that exists would have matched that account
                raise IntegrityError(f"username {row.username} taken")
            names[index] = f"{_username_base(row.first_name, row.last_name)}-{secrets.token_hex(3)}"


def user_match(*, phone: str = "", email: str = "", username: str = "") -> tuple[User | None, str]:
    """The one account with this phone, e-mail or username; (None, error) when they point to different people."""
    found: dict[int, User] = {}
    if phone:
        for user in User.objects.filter(phone=phone):
            found[user.pk] = user
    if email:
        for user in User.objects.filter(email__iexact=email)[:2]:
            found[user.pk] = user
    if username:
        for user in User.objects.filter(username__iexact=username):
            found[user.pk] = user
    if len(found) > 1:
        return None, _("El teléfono, el correo o el usuario corresponden a personas distintas.")
    return (next(iter(found.values())) if found else None), ""


@dataclass(frozen=True)
class PersonAdded:
    """What adding one person by their details did. ``outcome`` is one of:

    - ``created``: a new account (created by the cohort's institution) was made and added to the cohort;
    - ``added``: an existing account was added directly (only an institution admin, for a person who already is a
      participant of the institution and holds no staff role anywhere);
    - ``invited``: an existing account was sent an invitation; nothing changes for it until the person accepts;
    - ``already_invited`` / ``declined``: an invitation for this cohort was already sent / declined (nothing sent);
    - ``already_member``: the account is already in the cohort (``member`` is that membership: the phone, e-mail
      or username typed may belong to a member other than the name typed).
    """

    outcome: str
    member: CohortMember | None = None
    invitation: CohortInvitation | None = None


def _contact_typed(*, phone: str, email: str, username: str) -> str:
    return phone or email or username


def _admin_may_enrol_directly(*, actor: User | None, cohort: Cohort, user: User) -> bool:
    """An institution admin may skip the invitation only for the institution's own participants (no new role,
    no staff account): the person already studies with the institution, and the admin answers for its roster."""
    if actor is None or not permissions.can_manage_institution(actor, cohort.institution):
        return False
    if permissions.is_staff_anywhere(user):
        return False
    return Membership.objects.filter(user=user, institution=cohort.institution, role=Role.PARTICIPANT).exists()


@transaction.atomic
def cohort_member_add_person(
    *,
    cohort: Cohort,
    actor: User | None,
    first_name: str,
    last_name: str = "",
    phone: str = "",
    email: str = "",
    username: str = "",
    region: str = "",
    city: str = "",
    share_contact: bool = False,
) -> PersonAdded:
    """Add one person by their details. An existing account (same phone, e-mail or username) is never duplicated
    and never given a role silently: it gets an invitation it may accept or decline. A new account is created
    without password, recorded as created by ``actor`` for the cohort's institution (its trainers may then set a
    temporary password until the person signs in on their own). ``share_contact`` is the trainer's note that the
    new person agreed to share phone and e-mail with the cohort's team (ignored for existing accounts)."""
    user, error = user_match(phone=phone, email=email, username=username)
    if error:
        raise ValidationError(error, code="ambiguous")
    if user is not None:
        member = CohortMember.objects.filter(cohort=cohort, user=user).select_related("user").first()
        if member is not None:  # the trainer's own member: the page may say whose number (or e-mail) it is
            return PersonAdded(outcome="already_member", member=member)
        if _admin_may_enrol_directly(actor=actor, cohort=cohort, user=user):
            return PersonAdded(outcome="added", member=cohort_member_add(cohort=cohort, user=user))
        invitation, outcome = cohort_invitation_send(
            cohort=cohort,
            user=user,
            invited_by=actor,
            typed_name=f"{first_name} {last_name}".strip(),
            typed_contact=_contact_typed(phone=phone, email=email, username=username),
        )
        return PersonAdded(outcome=outcome, invitation=invitation)
    if username and User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Ese usuario ya existe."), code="username")
    user = User(
        username=username or _username_for(first_name, last_name),
        first_name=first_name,
        last_name=last_name,
        phone=phone or None,
        email=email,
        created_by=actor,
        created_by_institution=cohort.institution,
    )
    user.set_unusable_password()
    user.save()
    if region or city:
        Profile.objects.update_or_create(
            user=user, defaults={"country": cohort.country, "region": region, "city": city}
        )
    if share_contact:
        consent_record(user=user, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=True, recorded_by=actor)
    return PersonAdded(outcome="created", member=cohort_member_add(cohort=cohort, user=user))


# --- Invitations ----------------------------------------------------------------------------------------------


def _invitation_notify(invitation: CohortInvitation) -> None:
    cohort = invitation.cohort
    inviter = invitation.invited_by.printed_name if invitation.invited_by else str(cohort.institution)
    with notice_language(invitation.user):
        notification_send(
            user=invitation.user,
            title=_("Te invitan al grupo «%(name)s»") % {"name": cohort.name},
            body=_(
                "%(inviter)s, de %(institution)s, te invita al grupo «%(name)s». Si aceptas, te inscribimos en su "
                "curso y el equipo del grupo verá tu avance. Tú decides: puedes aceptar o rechazar la invitación."
            )
            % {"inviter": inviter, "institution": cohort.institution, "name": cohort.name},
            url=reverse("cohorts:invitations"),
        )


@transaction.atomic
def cohort_invitation_send(
    *, cohort: Cohort, user: User, invited_by: User | None, typed_name: str = "", typed_contact: str = ""
) -> tuple[CohortInvitation, str]:
    """Invite an existing account to a cohort (in-app notice, e-mailed when the person has an address).

    Once per cohort and person: a pending invitation is not sent again and a declined one is not repeated (the
    person can still join with the cohort's code). Returns the invitation and ``invited``, ``already_invited``
    or ``declined``.
    """
    invitation, created = CohortInvitation.objects.select_for_update().get_or_create(
        cohort=cohort,
        user=user,
        defaults={"invited_by": invited_by, "typed_name": typed_name[:300], "typed_contact": typed_contact[:254]},
    )
    if not created:
        if invitation.status == CohortInvitation.Status.PENDING:
            return invitation, "already_invited"
        if invitation.status == CohortInvitation.Status.DECLINED:
            return invitation, "declined"
        # Accepted, then taken out of the cohort: a new invitation is a new question.
        invitation.status = CohortInvitation.Status.PENDING
        invitation.invited_by = invited_by
        invitation.typed_name = typed_name[:300]
        invitation.typed_contact = typed_contact[:254]
        invitation.decided_at = None
        invitation.save()
    _invitation_notify(invitation)
    return invitation, "invited"


def _contact_consent_set(*, user: User, share_contact: bool | None) -> None:
    """Record the person's own answer about sharing their contact with their cohorts' teams when it changes."""
    if share_contact is None:
        return
    if consent_current(user, ConsentRecord.Purpose.COHORT_CONTACT) != share_contact:
        consent_record(user=user, purpose=ConsentRecord.Purpose.COHORT_CONTACT, granted=share_contact)


def _pending_invitation(*, invitation_id: int, user: User) -> CohortInvitation:
    invitation = (
        CohortInvitation.objects.select_for_update()
        .select_related("cohort")
        .filter(pk=invitation_id, user=user, status=CohortInvitation.Status.PENDING)
        .first()
    )
    if invitation is None:
        raise CohortInvitation.DoesNotExist
    return invitation


@transaction.atomic
def cohort_invitation_accept(*, invitation_id: int, user: User, share_contact: bool = False) -> CohortMember:
    """The invited person (and only they) accepts: they join the cohort, its institution and its course(s).

    Raises ``CohortInvitation.DoesNotExist`` for an invitation that is not theirs or no longer pending.
    """
    invitation = _pending_invitation(invitation_id=invitation_id, user=user)
    invitation.status = CohortInvitation.Status.ACCEPTED
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])
    _contact_consent_set(user=user, share_contact=share_contact)
    return cohort_member_add(cohort=invitation.cohort, user=user, source=CohortMember.Source.INVITATION)


@transaction.atomic
def cohort_invitation_decline(*, invitation_id: int, user: User) -> CohortInvitation:
    """The invited person declines: nothing about their account changes and the invitation is not sent again."""
    invitation = _pending_invitation(invitation_id=invitation_id, user=user)
    invitation.status = CohortInvitation.Status.DECLINED
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])
    return invitation


def cohort_invitations_forget(*, user_id: int) -> int:
    """An account was deleted: drop its invitations (they hold the phone or e-mail a trainer typed)."""
    deleted, _detail = CohortInvitation.objects.filter(user_id=user_id).delete()
    return deleted


def cohort_join_by_code(*, user: User, code: str, share_contact: bool | None = None) -> CohortMember:
    """A signed-in person joins an open cohort with its short code (shared by WhatsApp, for people without e-mail).

    ``share_contact`` is the person's own answer to "share my phone and e-mail with the team" (None: not asked).
    A pending invitation to the same cohort counts as accepted. ``member.was_member`` (not stored) says whether
    the person was already in the cohort (nothing changed but the contact answer).
    """
    cohort = Cohort.objects.filter(code=(code or "").strip().upper()).first()
    if cohort is None or not cohort.join_open:
        raise ValidationError(_("No encontramos un grupo abierto con ese código. Revísalo e inténtalo otra vez."))
    if cohort.ends_on and cohort.ends_on < timezone.localdate():
        raise ValidationError(_("Este grupo ya terminó. Pide el código de un grupo nuevo."))
    with transaction.atomic():
        _contact_consent_set(user=user, share_contact=share_contact)
        CohortInvitation.objects.filter(cohort=cohort, user=user, status=CohortInvitation.Status.PENDING).update(
            status=CohortInvitation.Status.ACCEPTED, decided_at=timezone.now()
        )
        was_member = CohortMember.objects.filter(cohort=cohort, user=user).exists()
        member = cohort_member_add(cohort=cohort, user=user, source=CohortMember.Source.CODE)
        member.was_member = was_member  # type: ignore[attr-defined]
        return member


def cohort_member_remove(*, cohort: Cohort, user: User) -> None:
    """Take a person out of a cohort; their enrolment and progress are kept."""
    CohortMember.objects.filter(cohort=cohort, user=user).delete()


# --- Roster import (good rows in one transaction; bad rows listed for fixing) -------------------------------


@dataclass
class ImportPreview:
    """What importing a file would do: every row with its errors and whether it matches an existing account."""

    rows: list[RosterRow] = field(default_factory=list)
    file_error: str = ""
    matches: dict[int, int] = field(default_factory=dict)  # line → existing user id
    already_members: set[int] = field(default_factory=set)  # lines already in the cohort

    @property
    def error_rows(self) -> list[RosterRow]:
        return [r for r in self.rows if r.errors]

    @property
    def good_rows(self) -> list[RosterRow]:
        return [r for r in self.rows if not r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.error_rows

    @property
    def can_import(self) -> bool:
        """Something can be imported now: the file is readable and at least one row is correct."""
        return not self.file_error and bool(self.good_rows)

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.good_rows if r.line not in self.matches)

    @property
    def matched_count(self) -> int:
        """Correct rows of people who have an account and are not in the cohort yet (they get an invitation)."""
        return sum(1 for r in self.good_rows if r.line in self.matches and r.line not in self.already_members)

    @property
    def member_count(self) -> int:
        """Correct rows of people already in the cohort: importing changes nothing for them."""
        return sum(1 for r in self.good_rows if r.line in self.already_members)


def _chunks(items: list, size: int = _BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_rows(cohort: Cohort, rows: list[RosterRow]) -> ImportPreview:
    """Match rows to existing accounts in batches of 500 (queries and memory stay bounded)."""
    preview = ImportPreview(rows=rows)
    by_phone: dict[str, int] = {}
    by_email: dict[str, int] = {}
    by_username: dict[str, int] = {}
    phones = [r.phone for r in rows if r.phone]
    emails = [r.email.lower() for r in rows if r.email]
    usernames = [r.username for r in rows if r.username]
    for chunk in _chunks(phones):
        for phone, pk in User.objects.filter(phone__in=chunk).values_list("phone", "pk"):
            if phone:  # always, given the filter; the column is nullable
                by_phone[phone] = pk
    for chunk in _chunks(emails):
        for email, pk in User.objects.filter(email__in=chunk).values_list("email", "pk"):
            by_email.setdefault(email.lower(), pk)
    for chunk in _chunks(usernames):
        for username, pk in User.objects.filter(username__in=chunk).values_list("username", "pk"):
            by_username[username.lower()] = pk
    for row in rows:
        ids = {
            pk for pk in (by_phone.get(row.phone), by_email.get(row.email), by_username.get(row.username.lower())) if pk
        }
        if len(ids) > 1:
            row.fail(
                _("El teléfono, el correo o el usuario corresponden a personas distintas."),
                *(key for key in ("phone", "email", "username") if getattr(row, key)),
            )
        elif ids:
            preview.matches[row.line] = ids.pop()
    member_ids: set[int] = set()
    matched = list(preview.matches.values())
    for chunk in _chunks(matched):
        member_ids.update(
            CohortMember.objects.filter(cohort=cohort, user_id__in=chunk).values_list("user_id", flat=True)
        )
    preview.already_members = {line for line, pk in preview.matches.items() if pk in member_ids}
    return preview


def roster_preview(*, cohort: Cohort, content: bytes, filename: str) -> ImportPreview:
    """Parse and check a roster file against the database without writing anything."""
    try:
        rows = roster_parse(content=content, filename=filename, country=cohort.country)
    except RosterFileError as exc:
        return ImportPreview(file_error=str(exc))
    return _match_rows(cohort, rows)


def roster_import_upload(
    *, cohort: Cohort, actor: User, content: bytes, filename: str
) -> tuple[RosterImport, ImportPreview]:
    """Store an uploaded roster for confirmation and return its preview; nothing is imported yet."""
    preview = roster_preview(cohort=cohort, content=content, filename=filename)
    batch = RosterImport(cohort=cohort, created_by=actor, filename=filename[:200], rows=len(preview.rows))
    batch.file.save(f"roster-{cohort.pk}.{'xlsx' if content[:2] == b'PK' else 'csv'}", ContentFile(content), save=False)
    batch.save()
    return batch, preview


def roster_import_preview(*, batch: RosterImport) -> ImportPreview:
    """The preview of a stored roster file, recomputed (accounts may have changed since the upload)."""
    with batch.file.open("rb") as handle:
        content = handle.read()
    return roster_preview(cohort=batch.cohort, content=content, filename=batch.filename)


class RosterImportError(Exception):
    """The import was refused as a whole; ``preview`` says why."""

    def __init__(self, preview: ImportPreview):
        super().__init__(preview.file_error or _("El archivo tiene filas con errores."))
        self.preview = preview


def roster_import_apply(*, batch: RosterImport, actor: User) -> RosterImport:
    """Import the correct rows of the file in one transaction; rows with errors are left out (never half-applied).

    The preview is recomputed first, so a row that became wrong since the upload is left out too. Nothing is
    written when the file is unreadable, has no correct row, or a conflict appears while writing. New people get
    accounts created by the cohort's institution and join the cohort; rows matching an existing account send that
    person an invitation (``batch.matched`` counts the invitations sent). ``batch.skipped_rows`` holds the rows
    that were left out, for the trainer to fix, ``batch.already_members`` how many rows were people already in the
    cohort and ``batch.already_invited`` how many had been invited before (none stored).
    """
    if batch.status != RosterImport.Status.PREVIEW:
        raise ValidationError(_("Este archivo ya fue procesado."), code="done")
    preview = roster_import_preview(batch=batch)
    if not preview.can_import:
        raise RosterImportError(preview)
    cohort = batch.cohort
    good = preview.good_rows
    try:
        with transaction.atomic():
            created = _create_accounts(cohort, [r for r in good if r.line not in preview.matches], actor)
            for chunk in _chunks(created):
                _add_members(cohort, chunk)
            # People who already had an account are invited, never added: a file must not hand them to the team.
            invited = _invite_matches(cohort, preview, actor)
            batch.status = RosterImport.Status.APPLIED
            batch.created = len(created)
            batch.matched = invited
            batch.applied_at = timezone.now()
            batch.created_user_ids = created
            batch.save(update_fields=["status", "created", "matched", "applied_at", "created_user_ids"])
    except IntegrityError as exc:  # someone took a phone or username meanwhile: nothing was written
        logger.warning("roster import %s rolled back: %s", batch.pk, exc)
        preview.file_error = _(
            "No se importó nada: otra persona registró a la vez un teléfono, correo o usuario del archivo. "
            "Vuelve a subirlo."
        )
        raise RosterImportError(preview) from exc
    _roster_file_forget(batch)  # the people are in the database now; the file with their phones is not kept
    batch.skipped_rows = preview.error_rows  # type: ignore[attr-defined]
    batch.already_members = preview.member_count  # type: ignore[attr-defined]
    batch.already_invited = preview.matched_count - invited  # type: ignore[attr-defined]
    batch.created_ids = created  # type: ignore[attr-defined]
    return batch


def _invite_matches(cohort: Cohort, preview: ImportPreview, actor: User) -> int:
    """One invitation (in-app notice only: an import never sends a burst of e-mails) per matched account that is
    neither in the cohort nor already invited; returns how many were sent."""
    rows = {row.line: row for row in preview.good_rows}
    targets = {pk: line for line, pk in preview.matches.items() if line in rows and line not in preview.already_members}
    sent = 0
    for chunk in _chunks(list(targets)):
        asked = set(CohortInvitation.objects.filter(cohort=cohort, user_id__in=chunk).values_list("user_id", flat=True))
        invitations = []
        for pk in chunk:
            if pk in asked:
                continue
            row = rows[targets[pk]]
            invitations.append(
                CohortInvitation(
                    cohort=cohort,
                    user_id=pk,
                    invited_by=actor,
                    typed_name=row.display_name[:300],
                    typed_contact=_contact_typed(phone=row.phone, email=row.email, username=row.username)[:254],
                )
            )
        CohortInvitation.objects.bulk_create(invitations)
        languages = _languages_of(invitation.user_id for invitation in invitations)
        notices = []
        for invitation in invitations:
            with translation.override(languages.get(invitation.user_id, settings.LANGUAGE_CODE)):
                notices.append(
                    Notification(
                        user_id=invitation.user_id,
                        title=(_("Te invitan al grupo «%(name)s»") % {"name": cohort.name})[:200],
                        body=_("Tú decides: puedes aceptar o rechazar la invitación."),
                        url=reverse("cohorts:invitations"),
                    )
                )
        Notification.objects.bulk_create(notices)
        sent += len(invitations)
    return sent


@dataclass
class FirstLogin:
    """One line of the sheet a trainer hands out after an import: who, the phone they log in with, and a
    temporary password (to be changed at the first login)."""

    name: str
    phone: str
    username: str
    password: str


def roster_import_first_logins(*, batch: RosterImport, actor: User) -> list[FirstLogin]:
    """Give every account this import created a new temporary password, in one go, and return the sheet.

    Each password goes through ``helper_password_reset_create``: only accounts the institution created and whose
    owner never signed in on their own are included (the others are skipped silently: they already chose their
    password), every reset is logged and announced to the person. Generating the sheet again replaces the
    passwords of the previous one.
    """
    if batch.status != RosterImport.Status.APPLIED:
        raise ValidationError(_("Esta importación no creó cuentas."), code="not_applied")
    sheet: list[FirstLogin] = []
    for chunk in _chunks(list(batch.created_user_ids)):
        people = User.objects.filter(pk__in=chunk, is_active=True).order_by("last_name", "first_name", "pk")
        for person in people:
            if not permissions.can_reset_password_for(actor, person):
                continue
            password = helper_password_reset_create(actor=actor, target=person)
            name = f"{person.first_name} {person.last_name}".strip()
            sheet.append(FirstLogin(name=name, phone=person.phone or "", username=person.username, password=password))
    return sheet


def _roster_file_forget(batch: RosterImport) -> None:
    if batch.file:
        batch.file.delete(save=False)
        batch.save(update_fields=["file"])


def _create_accounts(cohort: Cohort, rows: list[RosterRow], actor: User) -> list[int]:
    """Create accounts (no usable password, no e-mail sent) in batches, recorded as created by ``actor`` for the
    cohort's institution; returns their ids."""
    created_ids: list[int] = []
    unusable = make_password(None)  # one hash-free marker for all; each person sets a password later
    for chunk in _chunks(rows):
        usernames = _usernames_for(chunk)
        users = [
            User(
                username=username,
                first_name=row.first_name[:150],
                last_name=row.last_name[:150],
                phone=row.phone or None,
                email=row.email,
                password=unusable,
                created_by=actor,
                created_by_institution=cohort.institution,
            )
            for row, username in zip(chunk, usernames, strict=True)
        ]
        User.objects.bulk_create(users)
        ids = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
        Profile.objects.bulk_create(
            [
                Profile(user_id=ids[u.username], country=cohort.country, region=row.region, city=row.city)
                for u, row in zip(users, chunk, strict=True)
            ]
        )
        created_ids.extend(ids[u.username] for u in users)
    return created_ids


def _add_members(cohort: Cohort, user_ids: list[int]) -> None:
    existing = set(CohortMember.objects.filter(cohort=cohort, user_id__in=user_ids).values_list("user_id", flat=True))
    new_ids = [pk for pk in user_ids if pk not in existing]
    CohortMember.objects.bulk_create(
        [CohortMember(cohort=cohort, user_id=pk, source=CohortMember.Source.IMPORT) for pk in new_ids]
    )
    Membership.objects.bulk_create(
        [Membership(user_id=pk, institution=cohort.institution, role=Role.PARTICIPANT) for pk in new_ids],
        ignore_conflicts=True,
    )
    languages = _languages_of(new_ids)
    welcome: dict[str, str] = {}
    for language in {*languages.values(), settings.LANGUAGE_CODE}:
        with translation.override(language):
            welcome[language] = _welcome(cohort)[:200]
    Notification.objects.bulk_create(
        [
            Notification(user_id=pk, title=welcome[languages.get(pk, settings.LANGUAGE_CODE)], url="/grupos/")
            for pk in new_ids
        ]
    )  # in-app only: a bulk import never sends a burst of e-mails
    for course in selectors.cohort_courses(cohort):
        enrolled = dict(Enrollment.objects.filter(course=course, user_id__in=new_ids).values_list("user_id", "status"))
        # New enrolments are created in bulk (5,000 rows in seconds); the same rule as ``enrollment_create`` with
        # ``source=IMPORT`` and no prerequisite check: one row per (user, course), nothing else.
        Enrollment.objects.bulk_create(
            [
                Enrollment(user_id=pk, course=course, source=Enrollment.Source.IMPORT)
                for pk in new_ids
                if pk not in enrolled
            ],
            ignore_conflicts=True,
        )
        withdrawn = [pk for pk, status in enrolled.items() if status == Enrollment.Status.WITHDRAWN]
        for user in User.objects.filter(pk__in=withdrawn):
            enrollment_create(user=user, course=course, source=Enrollment.Source.IMPORT, check_prerequisites=False)


def roster_import_discard(*, batch: RosterImport) -> None:
    """Forget a previewed file (the stored copy is deleted)."""
    if batch.status == RosterImport.Status.PREVIEW:
        batch.file.delete(save=False)
        batch.status = RosterImport.Status.DISCARDED
        batch.save(update_fields=["status", "file"])


def roster_import_expire(*, now: datetime | None = None) -> int:
    """Discard previews left unconfirmed longer than ``RUTA_COHORT_IMPORT_KEEP_HOURS`` (default 48), so no roster
    with names and phones stays stored; also deletes any file an applied or discarded import still holds.
    Returns how many files were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=getattr(settings, "RUTA_COHORT_IMPORT_KEEP_HOURS", 48))
    stale = RosterImport.objects.exclude(file="").filter(
        Q(status=RosterImport.Status.PREVIEW, created_at__lt=cutoff) | ~Q(status=RosterImport.Status.PREVIEW)
    )
    deleted = 0
    for batch in stale.iterator():
        if batch.status == RosterImport.Status.PREVIEW:
            roster_import_discard(batch=batch)
        else:
            _roster_file_forget(batch)
        deleted += 1
    return deleted


# --- Live sessions and attendance -------------------------------------------------------------------------


def session_create(
    *, cohort: Cohort, title: str, starts_at, duration_minutes: int = 120, location: str = ""
) -> LiveSession:
    """A live session of a cohort, with a fresh 4-digit check-in code."""
    return LiveSession.objects.create(
        cohort=cohort, title=title, starts_at=starts_at, duration_minutes=duration_minutes, location=location
    )


@transaction.atomic
def attendance_mark(*, session: LiveSession, marks: dict[int, str], marked_by: User) -> int:
    """Record present/absent/excused for members of the session's cohort; people outside it are refused."""
    valid = set(Attendance.Status.values)
    members = set(
        CohortMember.objects.filter(cohort=session.cohort, user_id__in=list(marks)).values_list("user_id", flat=True)
    )
    outsiders = set(marks) - members
    if outsiders:
        raise PermissionDenied("not a member")
    existing = {a.user_id: a for a in Attendance.objects.filter(session=session, user_id__in=list(marks))}
    changed = 0
    to_create = []
    for user_id, status in marks.items():
        if status not in valid:
            raise ValidationError(_("Estado de asistencia no válido."))
        current = existing.get(user_id)
        if current is None:
            to_create.append(
                Attendance(
                    session=session,
                    user_id=user_id,
                    status=status,
                    method=Attendance.Method.TRAINER,
                    marked_by=marked_by,
                )
            )
        elif current.status != status:
            current.status = status
            current.method = Attendance.Method.TRAINER
            current.marked_by = marked_by
            current.save(update_fields=["status", "method", "marked_by", "marked_at"])
            changed += 1
    Attendance.objects.bulk_create(to_create)
    return changed + len(to_create)


def attendance_check_in(*, user: User, code: str) -> Attendance:
    """A participant checks in to a session of one of their cohorts with its code, while check-in is open."""
    code = (code or "").strip()
    now = timezone.now()
    candidates = LiveSession.objects.filter(check_in_code=code, cohort__members__user=user).select_related("cohort")
    session = next((s for s in candidates if s.check_in_open(now)), None)
    if session is None:
        raise ValidationError(
            _("El código no corresponde a una sesión abierta de tus grupos. Pide el código a tu facilitador·a.")
        )
    attendance, created = Attendance.objects.get_or_create(
        session=session,
        user=user,
        defaults={"status": Attendance.Status.PRESENT, "method": Attendance.Method.CODE},
    )
    if not created and attendance.status != Attendance.Status.PRESENT:
        attendance.status = Attendance.Status.PRESENT
        attendance.method = Attendance.Method.CODE
        attendance.save(update_fields=["status", "method", "marked_at"])
    return attendance


# --- Announcements -----------------------------------------------------------------------------------------


@transaction.atomic
def announcement_send(*, cohort: Cohort, author: User, title: str, body: str) -> Announcement:
    """Post a message to every member: an in-app notification for all, an e-mail to those who have an address."""
    announcement = Announcement.objects.create(cohort=cohort, author=author, title=title, body=body)
    members = list(User.objects.filter(cohort_memberships__cohort=cohort).only("pk", "email"))
    url = "/grupos/notificaciones/"
    notifications = Notification.objects.bulk_create(
        [Notification(user=m, title=f"{cohort.name}: {title}"[:200], body=body, url=url) for m in members]
    )
    with_email = [n.pk for n, m in zip(notifications, members, strict=True) if m.email]
    _email_after_commit(with_email)
    announcement.emailed = len(with_email)
    announcement.save(update_fields=["emailed"])
    return announcement
