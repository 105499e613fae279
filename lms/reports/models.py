"""The only rows reports writes: an audit trail of every export (who, when, what, which fields, why).

Reports reads every other app and writes nothing else. Must not be imported by any other app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportAudit(models.Model):
    """One export of a report: aggregated (suppressed) or row-level (personal data, data stewards only)."""

    class Kind(models.TextChoices):
        AGGREGATE = "aggregate", _("Agregado (con celdas pequeñas ocultas)")
        ROW_LEVEL = "row_level", _("Lista de participantes (datos personales)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quién"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="report_exports",
    )
    created_at = models.DateTimeField(_("cuándo"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    view = models.CharField(_("vista"), max_length=30)
    file_format = models.CharField(_("formato"), max_length=10)
    filters = models.JSONField(_("filtros"), default=dict, blank=True)
    fields = models.JSONField(_("campos"), default=list, blank=True)
    sensitive_fields = models.JSONField(_("campos sensibles"), default=list, blank=True)
    purpose = models.TextField(_("para qué"), blank=True)
    row_count = models.PositiveIntegerField(_("filas"), default=0)

    class Meta:
        verbose_name = _("exportación de informe")
        verbose_name_plural = _("exportaciones de informes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} · {self.user} · {self.kind} · {self.file_format}"


class RowExportRequest(models.Model):
    """An M&E officer's request for the row-level participant list of their institution, decided by one of its
    data stewards (DOMAIN §8 story 50: aggregated by default, record-level only with approval). An approved
    request is downloaded once, within ``APPROVAL_DAYS``, with exactly the fields approved."""

    APPROVAL_DAYS = 7

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        APPROVED = "approved", _("Aprobada")
        REJECTED = "rejected", _("Rechazada")
        DOWNLOADED = "downloaded", _("Descargada")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quién pide"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="row_export_requests",
    )
    institution = models.ForeignKey(
        "accounts.Institution", verbose_name=_("institución"), on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.TextField(_("para qué"))
    sensitive_fields = models.JSONField(_("campos sensibles"), default=list, blank=True)
    file_format = models.CharField(_("formato"), max_length=10, default="csv")
    status = models.CharField(_("estado"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("pedida el"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("quién decidió"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decidida el"), null=True, blank=True)
    decision_note = models.TextField(_("nota de la decisión"), blank=True)
    approved_until = models.DateTimeField(_("descargable hasta"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("descargada el"), null=True, blank=True)
    audit = models.OneToOneField(
        ExportAudit, verbose_name=_("registro"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("solicitud de lista de participantes")
        verbose_name_plural = _("solicitudes de listas de participantes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} · {self.requester} · {self.get_status_display()}"
