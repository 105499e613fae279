"""The trainer certification path (DOMAIN.md §3.1): tracks per methodology and sub-module, each person's path
through them, master-trainer status per methodology, practice observations and the history of every step.

Rules live in ``certification.trainers.services``; this module holds rows and one-row helpers only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_checklist() -> list[str]:
    return [
        "Prepara la sesión y los materiales con anticipación",
        "Aplica la metodología y sus actividades participativas",
        "Parte de los conocimientos previos de las y los participantes",
        "Usa lenguaje inclusivo y cuida la participación de todas las personas",
        "Gestiona el tiempo y cumple los objetivos de la sesión",
        "Da retroalimentación útil a cada participante",
    ]


class TrainerTrack(models.Model):
    """A certifiable unit for trainers: one sub-module of a methodology (IMESUN-GIN, Get Ahead...)."""

    methodology = models.CharField(_("metodología"), max_length=60, help_text=_("Por ejemplo IMESUN, Get Ahead."))
    sub_module = models.CharField(_("submódulo"), max_length=60, blank=True, help_text=_("Por ejemplo GIN, ISUN."))
    name = models.CharField(_("nombre"), max_length=120)
    slug = models.SlugField(_("identificador"), max_length=60, unique=True)
    tot_course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("curso de formación de facilitadores"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    practice_course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("curso que se dicta en la práctica"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Si se indica, el grupo de práctica debe dictar este curso."),
    )
    min_practice_completions = models.PositiveSmallIntegerField(
        _("participantes que deben completar la práctica"),
        default=5,
        help_text=_("Cuántas personas del grupo de práctica deben completar el curso."),
    )
    certifying_institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institución que certifica"),
        on_delete=models.PROTECT,
        related_name="trainer_tracks",
        help_text=_("La OIT o la dueña de la metodología: su administración aprueba la certificación."),
    )
    programme = models.ForeignKey(
        "certification.CertificateProgramme",
        verbose_name=_("programa de certificado"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("El certificado que se emite (tipo «certificación de facilitador·a»)."),
    )
    checklist = models.JSONField(_("lista de observación"), default=default_checklist, blank=True)
    is_active = models.BooleanField(_("activa"), default=True)

    class Meta:
        verbose_name = _("certificación de facilitadores (submódulo)")
        verbose_name_plural = _("certificaciones de facilitadores (submódulos)")
        ordering = ["methodology", "sub_module", "name"]

    def __str__(self) -> str:
        return self.name


class MasterTrainer(models.Model):
    """Master trainer is a status per methodology: who may supervise and recommend trainers in it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="master_statuses")
    methodology = models.CharField(_("metodología"), max_length=60)
    active = models.BooleanField(_("vigente"), default=True)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("master trainer")
        verbose_name_plural = _("master trainers")
        constraints = [models.UniqueConstraint(fields=["user", "methodology"], name="unique_master_methodology")]

    def __str__(self) -> str:
        return f"{self.user} · {self.methodology}"


class TrainerPath(models.Model):
    """One person's path to certification in one track, from nomination to certificate (or revocation)."""

    class State(models.TextChoices):
        APPLICANT = "applicant", _("Postulante")
        IN_TRAINING = "in_training", _("En formación")
        IN_PRACTICE = "in_practice", _("En práctica")
        RECOMMENDED = "recommended", _("Recomendada o recomendado")
        CERTIFIED = "certified", _("Certificada o certificado")
        SUSPENDED = "suspended", _("Suspendida o suspendido")
        REVOKED = "revoked", _("Revocada o revocado")

    trainer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_paths")
    track = models.ForeignKey(TrainerTrack, on_delete=models.PROTECT, related_name="paths")
    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institución que postula"),
        on_delete=models.PROTECT,
        related_name="trainer_paths",
    )
    state = models.CharField(_("estado"), max_length=20, choices=State.choices, default=State.APPLICANT)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("master trainer que supervisa"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_paths",
    )
    commitment_letter = models.BooleanField(_("carta de compromiso recibida"), default=False)
    tot_cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("grupo de formación de facilitadores"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    practice_cohort = models.ForeignKey(
        "cohorts.Cohort",
        verbose_name=_("grupo de práctica"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    certificate = models.ForeignKey(
        "certification.Certificate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    certified_at = models.DateTimeField(_("certificada o certificado el"), null=True, blank=True)
    status_reason = models.TextField(_("motivo"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ruta de certificación de facilitador·a")
        verbose_name_plural = _("rutas de certificación de facilitadores")
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["trainer", "track"], name="unique_trainer_track")]

    def __str__(self) -> str:
        return f"{self.trainer} · {self.track}"


class PracticeObservation(models.Model):
    """The supervising master trainer's observation checklist of a practice delivery, and their verdict."""

    path = models.ForeignKey(TrainerPath, on_delete=models.CASCADE, related_name="observations")
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    items = models.JSONField(_("lista de observación"), default=dict)
    comments = models.TextField(_("comentarios"), blank=True)
    recommended = models.BooleanField(_("recomienda la certificación"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("observación de práctica")
        verbose_name_plural = _("observaciones de práctica")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.path} · {self.observer}"


class PathEvent(models.Model):
    """One step of a trainer path (state change, observation, decision) with who took it and why."""

    path = models.ForeignKey(TrainerPath, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paso de la ruta")
        verbose_name_plural = _("pasos de la ruta")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.path} · {self.from_state} → {self.to_state}"

    @property
    def to_state_label(self) -> str:
        return TrainerPath.State(self.to_state).label if self.to_state in TrainerPath.State.values else self.to_state
