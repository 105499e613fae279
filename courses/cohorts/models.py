"""Cohorts (one edition × place × institution × funder of a course or learning path), their members and
trainers, live sessions and attendance, announcements, roster imports and in-app notifications.

Rules live in ``courses.cohorts.services`` and ``courses.cohorts.selectors``.
Must not import certification or reports.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.files import private_storage

from .places import COUNTRIES

#: Letters and digits that are hard to confuse when read aloud or typed on a phone (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_cohort_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


def new_session_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(4))


class Cohort(models.Model):
    """A group of participants taking one course (or one learning path) with its trainers, dates and place."""

    class Mode(models.TextChoices):
        SELF_PACED = "self_paced", _("A su ritmo")
        VIRTUAL = "virtual", _("Virtual")
        BLENDED = "blended", _("Semipresencial")
        IN_PERSON = "in_person", _("Presencial")

    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("institución"), on_delete=models.PROTECT, related_name="cohorts"
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("curso"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohorts",
    )
    programme = models.ForeignKey(
        "courses.ProgrammePage",
        verbose_name=_("ruta de aprendizaje"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohorts",
        help_text=_("En lugar de un curso, un programa completo: sus cursos en orden."),
    )
    name = models.CharField(_("nombre del grupo"), max_length=160)
    code = models.CharField(_("código para unirse"), max_length=12, unique=True, default=new_cohort_code)
    starts_on = models.DateField(_("fecha de inicio"), null=True, blank=True)
    ends_on = models.DateField(_("fecha de fin"), null=True, blank=True)
    mode = models.CharField(_("modalidad"), max_length=20, choices=Mode.choices, default=Mode.VIRTUAL)
    country = models.CharField(_("país"), max_length=2, choices=list(COUNTRIES.items()), default="PE")
    region = models.CharField(_("región / provincia"), max_length=100, blank=True)
    city = models.CharField(_("ciudad"), max_length=100, blank=True)
    funding_source = models.CharField(
        _("fuente de financiamiento"), max_length=40, blank=True, help_text=_("Opcional, p. ej. USAID, Asdi, AECID.")
    )
    women_only = models.BooleanField(_("solo mujeres"), default=False, help_text=_("Por ejemplo, Get Ahead."))
    join_open = models.BooleanField(
        _("se puede unir con el código"), default=True, help_text=_("Permite unirse con el código o el enlace.")
    )
    stuck_after_days = models.PositiveSmallIntegerField(
        _("días sin actividad para pedir ayuda"),
        default=7,
        help_text=_("Quien no avanza en este número de días aparece como «necesita apoyo»."),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitadoras y facilitadores"),
        through="CohortTrainer",
        related_name="cohorts_taught",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("grupo")
        verbose_name_plural = _("grupos")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(course__isnull=False, programme__isnull=True)
                | Q(course__isnull=True, programme__isnull=False),
                name="cohort_course_xor_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> str:
        return ", ".join(str(p) for p in (self.city, self.region, COUNTRIES.get(self.country, self.country)) if p)


# The fields a person fills in for a cohort, in the order its form shows them; the form, the views and the services
# read them from here. What a cohort delivers, for which institution and in which country is chosen once, when it
# is created; the rest can be edited later.
COHORT_FIELDS = (
    "institution",
    "name",
    "course",
    "programme",
    "starts_on",
    "ends_on",
    "mode",
    "country",
    "region",
    "city",
    "funding_source",
    "women_only",
    "join_open",
    "stuck_after_days",
)
COHORT_FIELDS_FIXED = ("institution", "course", "programme", "country")
COHORT_FIELDS_EDITABLE = tuple(name for name in COHORT_FIELDS if name not in COHORT_FIELDS_FIXED)


class CohortTrainer(models.Model):
    """A trainer teaching a cohort; the lead trainer is the one named on participants' certificates."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="trainer_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_trainer_links")
    lead = models.BooleanField(_("facilitación principal"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("facilitador·a del grupo")
        verbose_name_plural = _("facilitación del grupo")
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="unique_cohort_trainer")]
        ordering = ["-lead", "added_at", "id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.cohort}"


class CohortMember(models.Model):
    """A participant in a cohort. A person may be in several cohorts."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Agregada por el equipo")
        IMPORT = "import", _("Importación de archivo")
        CODE = "code", _("Código o enlace del grupo")
        INVITATION = "invitation", _("Aceptó una invitación")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships")
    source = models.CharField(_("origen"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    joined_at = models.DateTimeField(_("se unió el"), auto_now_add=True)

    class Meta:
        verbose_name = _("participante del grupo")
        verbose_name_plural = _("participantes del grupo")
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="unique_cohort_member")]
        ordering = ["user__first_name", "user__last_name", "id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.cohort}"


class LiveSession(models.Model):
    """A live class of a cohort (virtual or in person) where attendance is taken."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("tema de la sesión"), max_length=160)
    starts_at = models.DateTimeField(_("fecha y hora"))
    duration_minutes = models.PositiveSmallIntegerField(_("duración (minutos)"), default=120)
    location = models.CharField(_("lugar o enlace"), max_length=300, blank=True)
    check_in_code = models.CharField(_("código de asistencia"), max_length=8, default=new_session_code)

    class Meta:
        verbose_name = _("sesión en vivo")
        verbose_name_plural = _("sesiones en vivo")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.title

    def check_in_window(self) -> tuple:
        """Participants may check in from 30 minutes before the start until 2 hours after the end."""
        return (
            self.starts_at - timedelta(minutes=30),
            self.starts_at + timedelta(minutes=self.duration_minutes) + timedelta(hours=2),
        )

    def check_in_open(self, now=None) -> bool:
        start, end = self.check_in_window()
        return start <= (now or timezone.now()) <= end


class Attendance(models.Model):
    """Whether one participant attended one live session (stipends depend on it, so every change is kept)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Presente")
        ABSENT = "absent", _("Ausente")
        EXCUSED = "excused", _("Justificada")

    class Method(models.TextChoices):
        TRAINER = "trainer", _("Registrada por facilitación")
        CODE = "code", _("Código de la sesión")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("asistencia"), max_length=10, choices=Status.choices)
    method = models.CharField(_("registro"), max_length=10, choices=Method.choices, default=Method.TRAINER)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("asistencia")
        verbose_name_plural = _("asistencias")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="unique_attendance")]

    def __str__(self) -> str:
        return f"{self.user} · {self.session} · {self.status}"


class Announcement(models.Model):
    """A message from the cohort's trainers to every member (in-app, and by e-mail where there is one)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("asunto"), max_length=160)
    body = models.TextField(_("mensaje"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed = models.PositiveIntegerField(_("correos enviados"), default=0)

    class Meta:
        verbose_name = _("aviso")
        verbose_name_plural = _("avisos")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class RosterImport(models.Model):
    """An uploaded roster file waiting for confirmation (preview), then applied or discarded as a whole."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Vista previa")
        APPLIED = "applied", _("Importado")
        DISCARDED = "discarded", _("Descartado")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to="cohorts/imports/%Y/%m/", storage=private_storage)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEW)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    #: Accounts this import created, so the trainer can print their first temporary passwords in one go.
    created_user_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("importación de participantes")
        verbose_name_plural = _("importaciones de participantes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} · {self.status}"


class Notification(models.Model):
    """An in-app message for one person. Nothing depends on e-mail: every notice lands here first."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("título"), max_length=200)
    body = models.TextField(_("mensaje"), blank=True)
    url = models.CharField(_("enlace"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notificación")
        verbose_name_plural = _("notificaciones")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class CohortInvitation(models.Model):
    """A trainer asked an existing account to join a cohort; nothing changes for the person until they accept.

    ``typed_name`` and ``typed_contact`` are what the trainer wrote: the roster shows only those, never the
    account's own name, username, phone or e-mail (the invitation must not reveal who holds the account).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        ACCEPTED = "accepted", _("Aceptada")
        DECLINED = "declined", _("Rechazada")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    typed_name = models.CharField(_("nombre escrito por el equipo"), max_length=300, blank=True)
    typed_contact = models.CharField(_("dato de contacto escrito por el equipo"), max_length=254, blank=True)
    status = models.CharField(_("estado"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitación a un grupo")
        verbose_name_plural = _("invitaciones a grupos")
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="unique_cohort_invitation")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.typed_name or self.typed_contact} · {self.cohort} · {self.status}"
