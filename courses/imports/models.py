"""One row per package import: the uploaded file, the doctor's report, progress, provenance and what it made.

Rules live in ``courses.imports.services``. Must not import certification.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.files import private_storage


class PackageImport(models.Model):
    """An uploaded package on its way to becoming a draft course (or modules of an existing one)."""

    class Status(models.TextChoices):
        INSPECTED = "inspected", _("Revisado, listo para importar")
        REFUSED = "refused", _("Rechazado")
        QUEUED = "queued", _("En cola")
        RUNNING = "running", _("Importando")
        DONE = "done", _("Importado")
        FAILED = "failed", _("Falló")

    upload = models.FileField(_("archivo"), upload_to="paquetes/subidas/%Y/%m/", storage=private_storage)
    original_name = models.CharField(_("nombre del archivo"), max_length=255)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("estado"), max_length=16, choices=Status.choices, default=Status.INSPECTED)
    progress = models.PositiveSmallIntegerField(_("avance (%)"), default=0)
    # When the import was queued or last moved forward: an import that stops moving was lost with its worker.
    progress_at = models.DateTimeField(null=True, blank=True, editable=False)
    format = models.CharField(_("formato"), max_length=20, blank=True)
    format_label = models.CharField(_("formato"), max_length=60, blank=True)
    title = models.CharField(_("título"), max_length=255, blank=True)
    report = models.JSONField(_("informe del paquete"), default=dict, blank=True)
    provenance = models.JSONField(_("procedencia"), default=dict, blank=True)
    target_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("importar dentro de"),
    )
    course_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("curso creado o ampliado"),
    )
    # The institution the uploader imports for: the course the import creates belongs to it
    # (``CoursePage.institution``), so that institution's admins may adapt and publish it.
    institution = models.ForeignKey(
        "accounts.Institution",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("institución"),
    )
    package = models.ForeignKey(
        "packages.ContentPackage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.JSONField(_("resultado"), default=dict, blank=True)
    error = models.TextField(_("motivo"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("importación de paquete")
        verbose_name_plural = _("importaciones de paquetes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} · {self.get_status_display()}"

    @property
    def importable(self) -> bool:
        return bool(self.report.get("importable"))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.REFUSED)
