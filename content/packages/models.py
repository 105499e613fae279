"""Stored packages (SCORM, H5P) that lessons play, and learners' SCORM run-time data per attempt.

Files live in the private storage (``lms.files.private_storage``, outside ``MEDIA_ROOT``) under
``paquetes/<uuid>/``; they are only ever served by
``content.packages.views.package_file`` with a sandboxing Content-Security-Policy. Must not import courses.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentPackage(models.Model):
    """One uploaded package whose files are kept so lessons can play it (SCORM SCOs, H5P content)."""

    class Engine(models.TextChoices):
        SCORM12 = "scorm12", "SCORM 1.2"
        SCORM2004 = "scorm2004", "SCORM 2004"
        H5P = "h5p", "H5P"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    engine = models.CharField(_("motor"), max_length=16, choices=Engine.choices)
    title = models.CharField(_("título"), max_length=255)
    version = models.CharField(_("versión del formato"), max_length=60, blank=True)
    storage_prefix = models.CharField(max_length=120, editable=False)
    file_count = models.PositiveIntegerField(default=0)
    total_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    provenance = models.JSONField(_("procedencia"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paquete de contenido")
        verbose_name_plural = _("paquetes de contenido")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_engine_display()})"

    def storage_name(self, path: str) -> str:
        return f"{self.storage_prefix}{path}"


class ScormAttempt(models.Model):
    """A learner's SCORM run-time data for one SCO (usage id) of a package: resumable, one row per attempt."""

    package = models.ForeignKey(ContentPackage, on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_attempts")
    usage_id = models.CharField(max_length=64)
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attempt_number = models.PositiveIntegerField(default=1)
    cmi = models.JSONField(default=dict, blank=True)  # the whole CMI tree as scorm-again sends it
    completion_status = models.CharField(max_length=20, blank=True)  # completed | incomplete | not attempted ...
    success_status = models.CharField(max_length=20, blank=True)  # passed | failed | unknown
    score_scaled = models.FloatField(null=True, blank=True)  # 0..1
    suspend_data = models.TextField(blank=True)
    location = models.CharField(max_length=1000, blank=True)
    session_time = models.CharField(max_length=40, blank=True)
    total_seconds = models.FloatField(default=0)
    interactions = models.JSONField(default=list, blank=True)
    # The lesson's pass mark for this SCO (0..1, from the manifest), when it has one: then only a score that reaches
    # it (or the SCO's own "passed") passes; completing the SCO without a score does not.
    mastery_score = models.FloatField(null=True, blank=True)
    # The best the package ever reported, kept whatever later commits say (a relaunch at the bookmark may write
    # "completed" over "failed", or no score over a score): the highest score (0..1), and "passed" once it reported
    # passed, else "failed" once it reported failed. The learner is judged by these, as by an activity's best try.
    best_score_scaled = models.FloatField(null=True, blank=True)
    best_success_status = models.CharField(max_length=20, blank=True)
    commits = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("intento SCORM")
        verbose_name_plural = _("intentos SCORM")
        constraints = [
            models.UniqueConstraint(
                fields=["package", "user", "usage_id", "attempt_number"], name="packages_scormattempt_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.usage_id}#{self.attempt_number}"

    @property
    def completed(self) -> bool:
        return (
            self.completion_status == "completed"
            or self.success_status in ("passed", "failed")
            or self.best_success_status in ("passed", "failed")
        )

    @property
    def best_score(self) -> float | None:
        """The highest score (0..1) the package reported in this attempt (rows older than that record: the last)."""
        scores = [s for s in (self.best_score_scaled, self.score_scaled) if s is not None]
        return max(scores) if scores else None

    @property
    def reported_success(self) -> str:
        """ "passed" once the package reported passed, else "failed" once it reported failed, else ""."""
        statuses = {self.best_success_status, self.success_status}
        return "passed" if "passed" in statuses else "failed" if "failed" in statuses else ""

    @property
    def passed(self) -> bool:
        """Passed by the SCO or by its score, judged by the best it reported (a reported "failed" is not undone by
        a later "completed"); without a pass mark, a completed SCO that reports no success passes (content only)."""
        success = self.reported_success
        if success:
            return success == "passed"
        if self.mastery_score is not None:
            best = self.best_score
            return best is not None and best + 1e-9 >= self.mastery_score
        return self.completion_status == "completed"

    def passes(self, *, graded: bool, pass_mark: float | None = None) -> bool:
        """Whether the attempt passes the activity that plays it.

        A graded package (its score counts for the course) passes only when it reported "passed" or, reporting no
        success at all, when its best score reaches ``pass_mark`` (0..1: the manifest's mastery score, else the
        course's pass mark): completing it without a score, or not taking its test, never passes. An ungraded
        package (content) passes as ``passed`` says."""
        if not graded:
            return self.passed
        success = self.reported_success
        if success:
            return success == "passed"
        best = self.best_score
        threshold = pass_mark if pass_mark is not None else self.mastery_score
        return best is not None and threshold is not None and best + 1e-9 >= threshold
