"""Content's tables: XBlock learner state (the runtime's key-value store) and activity submissions.

Package models live in ``content.packages``. Nothing here imports courses or certification.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class XBlockState(models.Model):
    """One learner-scoped XBlock field value, keyed like ``xblock.runtime.KeyValueStore.Key``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xblock_states")
    scope = models.CharField(max_length=32)  # e.g. "user_state", "preferences", "user_info"
    block_scope_id = models.CharField(max_length=100, blank=True)  # usage id, block type, or "" for all blocks
    field_name = models.CharField(max_length=64)
    value = models.JSONField(null=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("estado de actividad")
        verbose_name_plural = _("estados de actividades")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "block_scope_id", "scope", "field_name"], name="content_xblockstate_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.block_scope_id}:{self.field_name}"


class Submission(models.Model):
    """One recorded answer to an activity: an attempt. Unique per user and client-generated submission id."""

    class Status(models.TextChoices):
        GRADED = "graded", _("Calificada")
        PENDING = "pending", _("Pendiente de revisión")
        COMPLETED = "completed", _("Completada")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_submissions")
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    usage_id = models.CharField(max_length=64)
    block_type = models.CharField(max_length=64)
    submission_id = models.UUIDField()
    attempt_number = models.PositiveIntegerField()
    answer = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    score = models.FloatField(null=True, blank=True)  # 0..1; None while pending review
    passed = models.BooleanField(default=False)
    completed = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)  # what the learner is shown: feedback per answer
    created_at = models.DateTimeField(auto_now_add=True)
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    rubric_scores = models.JSONField(default=dict, blank=True)
    grader_feedback = models.TextField(blank=True)

    class Meta:
        verbose_name = _("respuesta a una actividad")
        verbose_name_plural = _("respuestas a actividades")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "submission_id"], name="content_submission_unique_per_user")
        ]
        indexes = [
            models.Index(fields=["user", "usage_id"], name="content_sub_user_usage"),
            models.Index(fields=["usage_id", "status"], name="content_sub_usage_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.usage_id} · #{self.attempt_number}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class KeptAnswer(models.Model):
    """An answer that arrived for an activity (or lesson) removed after the learner answered it, typically offline:
    kept as sent, never graded, shown to the learner's trainers so nothing the learner did is lost."""

    class Reason(models.TextChoices):
        ACTIVITY_REMOVED = "activity_removed", _("La actividad ya no está en la lección")
        LESSON_REMOVED = "lesson_removed", _("La lección ya no está publicada")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kept_answers")
    page_id = models.PositiveIntegerField()  # not a foreign key: the lesson may be gone
    page_title = models.CharField(max_length=255, blank=True)
    path = models.CharField(max_length=500, blank=True)  # the lesson's address when answered (its course's prefix)
    usage_id = models.CharField(max_length=64)
    submission_id = models.UUIDField()
    answer = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=24, choices=Reason.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("respuesta a una actividad retirada")
        verbose_name_plural = _("respuestas a actividades retiradas")
        ordering = ["received_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "submission_id"], name="content_keptanswer_unique")]
        indexes = [models.Index(fields=["user", "path"], name="content_kept_user_path")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.usage_id} · {self.get_reason_display()}"
