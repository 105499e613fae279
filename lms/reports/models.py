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
