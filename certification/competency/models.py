"""Competency standards, their instruments, and the assessment of candidates against them.

Owns: standards (versioned, owned by a certifying body) with units, performance criteria, question banks and
rubrics; applications (one candidate × one standard version), the instruments' records (knowledge attempts,
observation checklists, evidence, rubric scores), verdicts per unit, appeals, conflicts of interest and the
audit trail. Rules live in ``services.py``; reads that span models in ``selectors.py``.
Must not import from lms.reports.
"""

from __future__ import annotations

import posixpath
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from lms.accounts.models import Institution
from lms.files import private_storage, truthful_name

FALLBACK_NAME = "evidencia"


class CompetencyStandard(models.Model):
    """One version of a competency standard (norma de competencia). Published versions are never edited."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        PUBLISHED = "published", _("Vigente")
        RETIRED = "retired", _("Reemplazada")

    certifying_body = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="competency_standards",
        verbose_name=_("entidad certificadora"),
    )
    code = models.CharField(_("código"), max_length=30, help_text=_("Igual en todas las versiones de la norma."))
    version = models.PositiveSmallIntegerField(_("versión"), default=1)
    title = models.CharField(_("título"), max_length=200)
    occupation = models.CharField(_("ocupación"), max_length=120)
    description = models.TextField(_("descripción"), blank=True)
    training_url = models.URLField(
        _("enlace a formación"), blank=True, help_text=_("Dónde prepararse para las unidades aún no logradas.")
    )
    status = models.CharField(_("estado"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    previous_version = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_versions",
        verbose_name=_("versión anterior"),
    )
    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)

    class Meta:
        verbose_name = _("norma de competencia")
        verbose_name_plural = _("normas de competencia")
        ordering = ["title", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="competency_standard_code_version")]
        permissions = [("publish_competencystandard", _("Puede publicar versiones de normas de competencia"))]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class CompetencyUnit(ClusterableModel):
    """A unit of competency: what a person must show, with criteria, knowledge and evidence requirements.

    Clusterable so the Wagtail admin edits a draft unit together with its criteria, question bank and rubric
    (InlinePanel)."""

    standard = models.ForeignKey(
        CompetencyStandard, on_delete=models.CASCADE, related_name="units", verbose_name=_("norma de competencia")
    )
    code = models.CharField(_("código"), max_length=30)
    order = models.PositiveSmallIntegerField(_("orden"), default=0)
    title = models.CharField(_("título"), max_length=250)
    is_socioemotional = models.BooleanField(_("competencia socioemocional"), default=False)
    required_knowledge = models.JSONField(_("conocimientos requeridos"), default=list, blank=True)
    evidence_requirements = models.JSONField(_("evidencias requeridas"), default=list, blank=True)
    question_count = models.PositiveSmallIntegerField(
        _("preguntas por prueba"), default=5, help_text=_("Cuántas preguntas se sortean del banco en cada intento.")
    )
    pass_threshold = models.PositiveSmallIntegerField(
        _("puntaje mínimo de la prueba (%)"), default=70, help_text=_("Porcentaje de respuestas correctas.")
    )
    knowledge_max_attempts = models.PositiveSmallIntegerField(
        _("intentos de la prueba"), default=2, help_text=_("Cuántas veces puede rendirse la prueba en una postulación.")
    )
    rubric_threshold = models.PositiveSmallIntegerField(_("puntaje mínimo de la rúbrica (%)"), default=60)
    training_url = models.URLField(_("enlace a formación"), blank=True)

    class Meta:
        verbose_name = _("unidad de competencia")
        verbose_name_plural = _("unidades de competencia")
        ordering = ["standard", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="competency_unit_code")]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"

    @property
    def gap_training_url(self) -> str:
        return self.training_url or self.standard.training_url


class PerformanceCriterion(models.Model):
    """A criterion the evaluator observes (met / not met / not observed). Critical ones must be met."""

    unit = ParentalKey(CompetencyUnit, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("orden"), default=0)
    text = models.CharField(_("criterio de desempeño"), max_length=400)
    is_critical = models.BooleanField(_("crítico"), default=True)

    class Meta:
        verbose_name = _("criterio de desempeño")
        verbose_name_plural = _("criterios de desempeño")
        ordering = ["unit", "order", "id"]

    def __str__(self) -> str:
        return self.text


class BankQuestion(models.Model):
    """A question in a unit's bank, stored as one of content's activity definitions (block type + value)."""

    unit = ParentalKey(CompetencyUnit, on_delete=models.CASCADE, related_name="questions")
    block_type = models.CharField(_("tipo de actividad"), max_length=40)
    value = models.JSONField(_("definición"), default=dict)
    is_active = models.BooleanField(_("activa"), default=True)

    class Meta:
        verbose_name = _("pregunta del banco")
        verbose_name_plural = _("preguntas del banco")
        ordering = ["unit", "id"]

    def __str__(self) -> str:
        return str(self.value.get("question") or self.value.get("prompt") or self.block_type)[:80]


class RubricCriterion(models.Model):
    """A row of the rubric used to grade product or portfolio evidence; levels are scored 0..max_level."""

    unit = ParentalKey(CompetencyUnit, on_delete=models.CASCADE, related_name="rubric")
    order = models.PositiveSmallIntegerField(_("orden"), default=0)
    title = models.CharField(_("aspecto"), max_length=200)
    levels = models.JSONField(
        _("niveles"), default=list, help_text=_("Descripción de cada nivel, del más bajo (0) al más alto.")
    )
    weight = models.PositiveSmallIntegerField(_("peso"), default=1)

    class Meta:
        verbose_name = _("criterio de rúbrica")
        verbose_name_plural = _("criterios de rúbrica")
        ordering = ["unit", "order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def max_level(self) -> int:
        return max(len(self.levels) - 1, 1)


class ConflictOfInterest(models.Model):
    """An evaluator's declaration that they must not assess a person (relative, employer, former student...)."""

    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coi_declared")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coi_against")
    reason = models.CharField(_("motivo"), max_length=250)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflicto de interés")
        verbose_name_plural = _("conflictos de interés")
        constraints = [models.UniqueConstraint(fields=["evaluator", "candidate"], name="competency_coi_unique")]

    def __str__(self) -> str:
        return f"{self.evaluator} ≠ {self.candidate}"


class Application(models.Model):
    """A candidate's assessment against one version of a standard, from application to decision."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Postulación recibida")
        ASSIGNED = "assigned", _("Evaluador o evaluadora asignada")
        SCHEDULED = "scheduled", _("Evaluación programada")
        SUBMITTED = "submitted", _("Resultado por validar")
        DECIDED = "decided", _("Resultado validado")
        APPEALED = "appealed", _("En apelación")
        WITHDRAWN = "withdrawn", _("Retirada")

    class Result(models.TextChoices):
        NONE = "", _("Sin resultado")
        COMPETENT = "competent", _("Competente")
        NOT_YET = "not_yet", _("Aún no competente")

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="competency_applications",
        verbose_name=_("persona candidata"),
    )
    standard = models.ForeignKey(
        CompetencyStandard,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("norma de competencia"),
    )
    units = models.ManyToManyField(CompetencyUnit, related_name="applications", verbose_name=_("unidades a evaluar"))
    status = models.CharField(_("estado"), max_length=12, choices=Status.choices, default=Status.APPLIED)
    result = models.CharField(_("resultado"), max_length=10, choices=Result.choices, blank=True, default="")
    experience_years = models.PositiveSmallIntegerField(_("años de experiencia"), default=0)
    experience = models.TextField(_("experiencia declarada"))
    self_assessment = models.JSONField(
        _("autoevaluación"),
        default=dict,
        blank=True,
        help_text=_("Por código de unidad: «puedo», «con_ayuda» o «aun_no»."),
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competency_evaluations",
        verbose_name=_("evaluador·a"),
    )
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competency_validations",
        verbose_name=_("quién valida"),
    )
    scheduled_at = models.DateTimeField(_("fecha de evaluación"), null=True, blank=True)
    location = models.CharField(_("lugar"), max_length=200, blank=True)
    overall_feedback = models.TextField(_("retroalimentación general"), blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reassessments",
        verbose_name=_("postulación anterior"),
    )
    created_at = models.DateTimeField(_("recibida el"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("resultado enviado el"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decidida el"), null=True, blank=True)

    class Meta:
        verbose_name = _("postulación")
        verbose_name_plural = _("postulaciones")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["standard", "status"]), models.Index(fields=["evaluator", "status"])]

    def __str__(self) -> str:
        return f"{self.candidate} · {self.standard}"

    @property
    def certifying_body(self) -> Institution:
        return self.standard.certifying_body

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.DECIDED, self.Status.WITHDRAWN)

    @property
    def can_be_recorded(self) -> bool:
        return self.status in (self.Status.ASSIGNED, self.Status.SCHEDULED)


class ApplicationDocument(models.Model):
    """An optional document the candidate attaches to the application (work certificate, reference letter)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("archivo"), upload_to="competency/documents/%Y/%m/", storage=private_storage)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name

    @property
    def download_name(self) -> str:
        """What the person called the file, ending with the extension of what its bytes were checked to be
        (the stored name's): "foto.html" holding a JPEG is offered as "foto.jpg"."""
        return truthful_name(self.original_name, posixpath.splitext(self.file.name)[1], fallback=FALLBACK_NAME)


class KnowledgeAttempt(models.Model):
    """One sitting of a unit's knowledge test. The questions drawn are stored, so the draw is reproducible."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="knowledge_attempts")
    unit = models.ForeignKey(CompetencyUnit, on_delete=models.PROTECT, related_name="knowledge_attempts")
    seed = models.CharField(max_length=64)
    question_ids = models.JSONField(default=list)
    answers = models.JSONField(default=dict, blank=True)
    score = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    started_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("intento de prueba de conocimientos")
        verbose_name_plural = _("intentos de prueba de conocimientos")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.unit_id} · {self.score}"


class ObservationRecord(models.Model):
    """A performance observation checklist as submitted from the evaluator's phone (idempotent on submission id)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="observations")
    unit = models.ForeignKey(CompetencyUnit, on_delete=models.PROTECT, related_name="observations")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submission_id = models.UUIDField(unique=True, default=uuid.uuid4)
    notes = models.TextField(_("notas"), blank=True)
    observed_at = models.DateTimeField(_("observado el"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lista de cotejo de desempeño")
        verbose_name_plural = _("listas de cotejo de desempeño")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.submission_id)


class ObservationMark(models.Model):
    class Mark(models.TextChoices):
        MET = "met", _("Cumple")
        NOT_MET = "not_met", _("No cumple")
        NOT_OBSERVED = "not_observed", _("No observado")

    record = models.ForeignKey(ObservationRecord, on_delete=models.CASCADE, related_name="marks")
    criterion = models.ForeignKey(PerformanceCriterion, on_delete=models.PROTECT, related_name="+")
    mark = models.CharField(max_length=14, choices=Mark.choices)
    note = models.CharField(_("nota"), max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["record", "criterion"], name="competency_mark_unique")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.mark}"


class Evidence(models.Model):
    """Product or portfolio evidence: an uploaded photo/file or a link (repository, deployed page)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Foto")
        FILE = "file", _("Archivo")
        LINK = "link", _("Enlace")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    unit = models.ForeignKey(CompetencyUnit, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("descripción"), max_length=200)
    file = models.FileField(_("archivo"), upload_to="competency/evidence/%Y/%m/", blank=True, storage=private_storage)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(_("enlace"), blank=True, max_length=500)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidencia")
        verbose_name_plural = _("evidencias")
        ordering = ["unit", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def download_name(self) -> str:
        """What the person called the file, ending with the extension of what its bytes were checked to be
        (the stored name's): "foto.html" holding a JPEG is offered as "foto.jpg"."""
        return truthful_name(self.original_name, posixpath.splitext(self.file.name)[1], fallback=FALLBACK_NAME)


class RubricScore(models.Model):
    """The evaluator's rubric grading of a unit's evidence: level per criterion, weighted percentage."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="rubric_scores")
    unit = models.ForeignKey(CompetencyUnit, on_delete=models.PROTECT, related_name="+")
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    levels = models.JSONField(default=dict)
    percent = models.FloatField(default=0)
    passed = models.BooleanField(default=False)
    comment = models.TextField(_("comentario"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["application", "unit"], name="competency_rubric_unique")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.unit_id} · {self.percent}%"


class UnitResult(models.Model):
    """The verdict on one unit in one application: competent or not yet, with feedback."""

    class Verdict(models.TextChoices):
        COMPETENT = "competent", _("Competente")
        NOT_YET = "not_yet", _("Aún no competente")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="unit_results")
    unit = models.ForeignKey(CompetencyUnit, on_delete=models.PROTECT, related_name="results")
    verdict = models.CharField(_("dictamen"), max_length=10, choices=Verdict.choices)
    feedback = models.TextField(_("retroalimentación"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__order", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["application", "unit"], name="competency_result_unique")]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.unit_id} · {self.verdict}"


class Appeal(models.Model):
    """The candidate's one appeal against a validated decision, reviewed by another evaluator of the body."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Pendiente")
        UPHELD = "upheld", _("Se modifica el resultado")
        REJECTED = "rejected", _("Se mantiene el resultado")

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="appeal")
    reason = models.TextField(_("motivo de la apelación"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="competency_appeals"
    )
    outcome = models.CharField(_("resultado"), max_length=10, choices=Outcome.choices, blank=True, default="")
    response = models.TextField(_("respuesta"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.application_id} · {self.outcome or 'pending'}"


class AuditEvent(models.Model):
    """Who did what, when, to an application. Append-only."""

    LABELS = {
        "applied": _("Postuló"),
        "evaluator_assigned": _("Asignó evaluador o evaluadora"),
        "validator_assigned": _("Asignó quién valida"),
        "scheduled": _("Programó la evaluación"),
        "knowledge_started": _("Empezó la prueba de conocimientos"),
        "knowledge_submitted": _("Envió la prueba de conocimientos"),
        "observation_recorded": _("Registró la lista de cotejo"),
        "evidence_added": _("Agregó una evidencia"),
        "rubric_scored": _("Calificó la rúbrica"),
        "unit_verdict": _("Registró el dictamen de una unidad"),
        "submitted": _("Envió el resultado para validación"),
        "returned": _("Devolvió el resultado para revisión"),
        "validated": _("Validó el resultado"),
        "certificate_issued": _("Se emitió el certificado"),
        "appealed": _("Apeló el resultado"),
        "appeal_assigned": _("Asignó quién revisa la apelación"),
        "appeal_resolved": _("Resolvió la apelación"),
        "withdrawn": _("Retiró la postulación"),
    }

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="audit")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("persona")
    )
    action = models.CharField(_("acción"), max_length=40)
    detail = models.JSONField(_("detalle"), default=dict, blank=True)
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("registro de auditoría")
        verbose_name_plural = _("registros de auditoría")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    @property
    def label(self) -> str:
        return str(self.LABELS.get(self.action, self.action))

    @property
    def summary(self) -> str:
        """The event's label with its unit and verdict, for people (codes stay in ``detail``)."""
        verdicts = {"competent": _("Competente"), "not_yet": _("Aún no competente")}
        parts = [self.label]
        if self.detail.get("unit"):
            parts.append(str(self.detail["unit"]))
        for key in ("verdict", "result"):
            if self.detail.get(key):
                parts.append(str(verdicts.get(self.detail[key], self.detail[key])))
        return " · ".join(parts)
