"""Certificate programmes (what a certificate attests), certificates, signing-key records and the audit log.

Owns certificates. May import courses, content, lms.accounts and themes; never lms.reports.
Rules that cross models live in ``services.py``; here are only per-row helpers.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.models import Orderable

from lms.files import private_storage

from .codes import code_display


class CertificateProgramme(ClusterableModel):
    """What a kind of certificate attests, who issues it, who signs it, how long it lasts and how it looks."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Curso")
        LEARNING_PATH = "learning_path", _("Ruta de aprendizaje")
        COMPETENCY_STANDARD = "competency_standard", _("Norma de competencia")
        TRAINER_QUALIFICATION = "trainer_qualification", _("Certificación de facilitador·a")

    class Language(models.TextChoices):
        SPANISH = "es", _("Español")
        BILINGUAL = "es-en", _("Bilingüe (español e inglés)")

    name = models.CharField(_("nombre"), max_length=200)
    slug = models.SlugField(_("identificador"), max_length=80, unique=True)
    kind = models.CharField(_("qué certifica"), max_length=30, choices=Kind.choices, default=Kind.COURSE)
    title = models.CharField(
        _("título en el certificado"),
        max_length=160,
        help_text=_("Lo que se lee en el certificado, p. ej. «Gestión de negocios — IMESUN GIN»."),
    )
    title_en = models.CharField(_("título en inglés"), max_length=160, blank=True)
    description = models.TextField(_("descripción / criterios"), blank=True)
    course = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("curso"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Curso cuya finalización da el certificado; para una ruta de aprendizaje, el programa que agrupa "
            "sus cursos (se emite al completarlos todos)."
        ),
    )
    reference = models.CharField(
        _("referencia"),
        max_length=80,
        blank=True,
        help_text=_("Identificador de la ruta, norma o submódulo (p. ej. IMESUN-GIN) cuando no es un curso."),
    )
    auto_issue = models.BooleanField(_("emitir automáticamente al completar"), default=True)
    min_score = models.PositiveSmallIntegerField(
        _("nota mínima (0–100)"), null=True, blank=True, help_text=_("Vacío: basta con completar el curso.")
    )
    hours = models.PositiveSmallIntegerField(_("horas"), null=True, blank=True)
    issuer = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institución emisora"),
        on_delete=models.PROTECT,
        related_name="certificate_programmes",
    )
    co_issuers = models.ManyToManyField(
        "accounts.Institution", verbose_name=_("instituciones coemisoras"), blank=True, related_name="+"
    )
    validity_months = models.PositiveSmallIntegerField(
        _("vigencia (meses)"), null=True, blank=True, help_text=_("Vacío: no vence.")
    )
    language = models.CharField(_("idioma"), max_length=5, choices=Language.choices, default=Language.SPANISH)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    primary_colour = models.CharField(_("color principal"), max_length=7, default="#0B5394")
    accent_colour = models.CharField(_("color de acento"), max_length=7, default="#B45309")
    is_active = models.BooleanField(_("activo"), default=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("slug"), FieldPanel("kind"), FieldPanel("title"), FieldPanel("title_en")],
            heading=_("Qué certifica"),
        ),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                PageChooserPanel("course", ["courses.CoursePage", "courses.ProgrammePage"]),
                FieldPanel("reference"),
                FieldPanel("auto_issue"),
                FieldPanel("min_score"),
            ],
            heading=_("Regla de emisión"),
        ),
        FieldPanel("hours"),
        MultiFieldPanel([FieldPanel("issuer"), FieldPanel("co_issuers")], heading=_("Emisión")),
        FieldPanel("validity_months"),
        InlinePanel("signatories", label=_("Firmantes"), max_num=3),
        MultiFieldPanel(
            [FieldPanel("language"), FieldPanel("logo"), FieldPanel("primary_colour"), FieldPanel("accent_colour")],
            heading=_("Plantilla"),
        ),
        FieldPanel("is_active"),
    ]

    class Meta:
        verbose_name = _("programa de certificación")
        verbose_name_plural = _("programas de certificación")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def expiry_for(self, issued_on: datetime.date) -> datetime.date | None:
        """The expiry date of a certificate issued on ``issued_on`` (None when it never expires)."""
        if not self.validity_months:
            return None
        month_index = issued_on.month - 1 + self.validity_months
        year, month = issued_on.year + month_index // 12, month_index % 12 + 1
        for day in (issued_on.day, 30, 29, 28):
            try:
                return datetime.date(year, month, day)
            except ValueError:
                continue
        raise AssertionError("unreachable")


class Signatory(Orderable):
    """A person whose name, title and signature appear on a programme's certificates."""

    programme = ParentalKey(CertificateProgramme, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField(_("nombre"), max_length=120)
    title = models.CharField(_("cargo"), max_length=160)
    signature_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("imagen de la firma"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldPanel("name"), FieldPanel("title"), FieldPanel("signature_image")]

    class Meta(Orderable.Meta):
        verbose_name = _("firmante")
        verbose_name_plural = _("firmantes")

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """The public half of every key that ever signed a certificate (private keys live in files or settings)."""

    kid = models.CharField(_("id de clave"), max_length=20, unique=True)
    public_key = models.CharField(_("clave pública (base64url)"), max_length=64)
    first_used_at = models.DateTimeField(_("primer uso"), auto_now_add=True)

    class Meta:
        verbose_name = _("clave de firma")
        verbose_name_plural = _("claves de firma")
        ordering = ["first_used_at"]

    def __str__(self) -> str:
        return self.kid


class CertificateQuerySet(models.QuerySet):
    def not_revoked(self):
        return self.filter(revoked_at__isnull=True)

    def current(self):
        """Certificates neither revoked, suspended nor replaced."""
        return self.filter(revoked_at__isnull=True, suspended_at__isnull=True, replaced_by__isnull=True)


class Certificate(models.Model):
    """One signed certificate. Public fields are frozen at issue time and covered by the signature."""

    class Status(models.TextChoices):
        VALID = "valid", _("Válido")
        EXPIRED = "expired", _("Vencido")
        REVOKED = "revoked", _("Revocado")
        REPLACED = "replaced", _("Reemplazado")
        SUSPENDED = "suspended", _("Suspendido")

    code = models.CharField(_("código"), max_length=16, unique=True)
    source_key = models.CharField(
        _("origen"),
        max_length=120,
        unique=True,
        help_text=_("Qué dio lugar al certificado, p. ej. enrollment:42. Uno por origen."),
    )
    programme = models.ForeignKey(
        CertificateProgramme, verbose_name=_("programa"), on_delete=models.PROTECT, related_name="certificates"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("titular"), on_delete=models.PROTECT, related_name="certificates"
    )
    holder_name = models.CharField(_("nombre impreso"), max_length=200)
    achievement = models.CharField(_("logro"), max_length=200)
    hours = models.PositiveSmallIntegerField(_("horas"), null=True, blank=True)
    competency_units = models.JSONField(_("unidades de competencia"), default=list, blank=True)
    trainer_name = models.CharField(_("facilitador·a"), max_length=200, blank=True)
    issuer = models.ForeignKey(
        "accounts.Institution", verbose_name=_("institución emisora"), on_delete=models.PROTECT, related_name="+"
    )
    issuer_name = models.CharField(_("emisor impreso"), max_length=200)
    issued_on = models.DateField(_("fecha de emisión"))
    expires_on = models.DateField(_("vence el"), null=True, blank=True)
    kid = models.CharField(_("id de clave"), max_length=20)
    signature = models.CharField(_("firma (base64url)"), max_length=100)
    revoked_at = models.DateTimeField(_("revocado el"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspendido el"), null=True, blank=True)
    status_index = models.PositiveIntegerField(
        _("posición en la lista de estado"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("Su bit en las listas de estado (Bitstring Status List) que publica la institución emisora."),
    )
    holder_salt = models.CharField(_("sal del titular"), max_length=32, blank=True)
    holder_did = models.CharField(
        _("DID del titular"),
        max_length=300,
        blank=True,
        help_text=_("Identificador de la billetera digital que la persona dio para su credencial (opcional)."),
    )
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("reemplazado por"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )
    pdf = models.FileField(_("PDF"), upload_to="certificados/pdf/", blank=True, storage=private_storage)
    image = models.FileField(_("imagen"), upload_to="certificados/img/", blank=True, storage=private_storage)
    reminder_sent_at = models.DateTimeField(_("recordatorio enviado el"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificado")
        verbose_name_plural = _("certificados")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["holder", "-issued_on"]), models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return f"{self.display_code} · {self.holder_name}"

    @property
    def display_code(self) -> str:
        return code_display(self.code)

    def status_on(self, today: datetime.date | None = None) -> str:
        """Revoked and replaced win over expiry; expiry is checked against ``today`` (local date)."""
        if self.replaced_by_id:
            return self.Status.REPLACED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.suspended_at:
            return self.Status.SUSPENDED
        today = today or timezone.localdate()
        if self.expires_on and self.expires_on < today:
            return self.Status.EXPIRED
        return self.Status.VALID

    @property
    def status(self) -> str:
        return self.status_on()

    @property
    def downloadable(self) -> bool:
        """A revoked, suspended or replaced certificate's files are not served: they would look valid once printed.

        An expired one is: it prints its expiry date, and its QR leads to «Vencido».
        """
        return self.status in (self.Status.VALID, self.Status.EXPIRED)

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)


class CertificateEvent(models.Model):
    """Audit log: who issued, revoked, re-issued or rendered a certificate, when, and why (never public)."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("Emitido")
        REVOKED = "revoked", _("Revocado")
        SUSPENDED = "suspended", _("Suspendido")
        REINSTATED = "reinstated", _("Suspensión levantada")
        REISSUED = "reissued", _("Reemitido")
        RENDERED = "rendered", _("PDF generado")
        REMINDED = "reminded", _("Recordatorio de vencimiento")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("acción"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("por"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("motivo"), blank=True)
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True)

    class Meta:
        verbose_name = _("evento de certificado")
        verbose_name_plural = _("eventos de certificados")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.certificate.code} · {self.action}"


class CertificateNotice(models.Model):
    """An in-app notice for a holder without e-mail (e.g. «tu certificado vence pronto»)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificate_notices")
    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="notices")
    message = models.CharField(_("mensaje"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("aviso de certificado")
        verbose_name_plural = _("avisos de certificados")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message


class WalletOffer(models.Model):
    """A one-time offer of a certificate's credential to the holder's wallet (VC-API exchange with DID
    authentication). The token names the exchange URL; the challenge is what the wallet must sign."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="wallet_offers")
    token = models.CharField(max_length=64, unique=True)
    challenge = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    holder_did = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("oferta a billetera")
        verbose_name_plural = _("ofertas a billetera")

    def __str__(self) -> str:
        return f"{self.certificate_id}:{self.created_at:%Y-%m-%d %H:%M}"


class BulkIssueJob(models.Model):
    """A batch issue for a cohort or course, run by a Celery task; ``done``/``total`` drive the progress bar."""

    class State(models.TextChoices):
        PENDING = "pending", _("En cola")
        RUNNING = "running", _("En curso")
        DONE = "done", _("Terminado")
        FAILED = "failed", _("Con errores")

    programme = models.ForeignKey(CertificateProgramme, on_delete=models.CASCADE, related_name="bulk_jobs")
    enrollment_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("emisión masiva")
        verbose_name_plural = _("emisiones masivas")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.programme} · {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)
