"""The catalogue page tree (catalogue → programme → course → module → lesson), enrolments and lesson progress.

Rules live in ``courses.services`` and ``courses.selectors``; pages only parse the request and call them.
Must not import certification or reports.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import LESSON_BODY_BLOCKS, activity_refs


class ViewRestrictionsMixin:
    """Wagtail checks a page's view restrictions (its own and its ancestors') on every request, two queries.
    Ruta's access rules are enrolments, not Wagtail restrictions, so while no restriction exists anywhere (kept in
    the shared cache; adding one drops it) there is nothing to read."""

    def get_view_restrictions(self):
        from wagtail.models import PageViewRestriction

        from .selectors import view_restrictions_exist

        if not view_restrictions_exist():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()  # type: ignore[misc]


class PublicPageCacheMixin(ViewRestrictionsMixin):
    """What these pages answer to anonymous visitors is the same for all of them: kept in the shared cache until a
    page is published, moved or deleted (lms/pagecache.py). Signed-in learners' pages are never kept there
    (a lesson is kept per learner by lms/learnercache.py)."""

    def serve(self, request, *args, **kwargs):
        from lms.pagecache import mark_anonymous

        response = super().serve(request, *args, **kwargs)  # type: ignore[misc]
        if not request.user.is_authenticated and not getattr(request, "is_preview", False):
            mark_anonymous(response, "pages")
        return response


class CataloguePage(PublicPageCacheMixin, Page):
    """The public catalogue of programmes (lives at /cursos/)."""

    intro = RichTextField(_("introducción"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.ProgrammePage"]
    max_count_per_parent = 1
    template = "courses/catalogue_page.html"

    class Meta:
        verbose_name = _("catálogo de cursos")
        verbose_name_plural = _("catálogos de cursos")

    def get_context(self, request, *args, **kwargs):
        from .selectors import catalogue_for_learner

        context = super().get_context(request, *args, **kwargs)
        context["programmes"] = catalogue_for_learner(catalogue=self, user=request.user)
        return context


class ProgrammePage(PublicPageCacheMixin, Page):
    """A programme (IMESUN, Get Ahead...) listing its courses in learning-path order."""

    summary = models.CharField(_("resumen"), max_length=300, blank=True)
    intro = RichTextField(_("presentación"), blank=True, features=["h2", "h3", "bold", "italic", "ul", "ol", "link"])
    audience = models.CharField(_("a quién está dirigido"), max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("intro"), FieldPanel("audience")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("intro")]
    parent_page_types = ["courses.CataloguePage"]
    subpage_types = ["courses.CoursePage"]
    template = "courses/programme_page.html"

    class Meta:
        verbose_name = _("programa")
        verbose_name_plural = _("programas")

    def get_context(self, request, *args, **kwargs):
        from .selectors import programme_courses_for_learner

        context = super().get_context(request, *args, **kwargs)
        context["courses"] = programme_courses_for_learner(programme=self, user=request.user)
        return context


class CoursePage(PublicPageCacheMixin, Page):
    """A course (e.g. IMESUN-GIN): objectives, duration, level, prerequisites, pass mark and enrolment rules."""

    class Level(models.TextChoices):
        BASIC = "basic", _("Básico")
        INTERMEDIATE = "intermediate", _("Intermedio")
        ADVANCED = "advanced", _("Avanzado")

    class DeliveryMode(models.TextChoices):
        SELF_PACED = "self_paced", _("A tu ritmo")
        FACILITATED = "facilitated", _("Con facilitación")
        BLENDED = "blended", _("Mixto")

    code = models.CharField(
        _("código"), max_length=40, unique=True, help_text=_("Identificador corto, por ejemplo IMESUN-GIN.")
    )
    summary = models.CharField(_("resumen"), max_length=300, blank=True)
    objectives = RichTextField(_("objetivos"), blank=True, features=["bold", "italic", "ul", "ol", "link"])
    estimated_hours = models.PositiveSmallIntegerField(_("horas estimadas"), null=True, blank=True)
    level = models.CharField(_("nivel"), max_length=20, choices=Level.choices, default=Level.BASIC)
    language = models.CharField(_("idioma"), max_length=10, choices=settings.LANGUAGES, default="es")
    delivery_mode = models.CharField(
        _("modalidad"), max_length=20, choices=DeliveryMode.choices, default=DeliveryMode.SELF_PACED
    )
    institution = models.ForeignKey(
        "accounts.Institution",
        verbose_name=_("institución"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses",
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("nota mínima para aprobar (%)"),
        default=70,
        help_text=_("Promedio ponderado mínimo de las actividades calificadas, de 0 a 100."),
    )
    open_enrollment = models.BooleanField(
        _("inscripción abierta"),
        default=True,
        help_text=_("Cualquier persona con cuenta puede inscribirse sola. Si no, solo por un grupo o la institución."),
    )
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("requisitos previos"),
        blank=True,
        related_name="unlocks",
        symmetrical=False,
        help_text=_("Cursos que hay que completar antes de empezar este."),
    )
    training_of_trainers = models.BooleanField(
        _("formación de facilitadores"),
        default=False,
        help_text=_("Curso para formar a facilitadoras y facilitadores."),
    )
    methodology = models.CharField(
        _("metodología"), max_length=60, blank=True, help_text=_("Por ejemplo IMESUN, Get Ahead.")
    )
    sub_module = models.CharField(
        _("submódulo"), max_length=60, blank=True, help_text=_("Unidad certificable, por ejemplo GIN o ISUN.")
    )
    to_be_confirmed = models.BooleanField(
        _("por confirmar"), default=False, help_text=_("El contenido o la oferta de este curso aún no está confirmado.")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("code"),
        FieldPanel("summary"),
        FieldPanel("objectives"),
        MultiFieldPanel(
            [
                FieldPanel("estimated_hours"),
                FieldPanel("level"),
                FieldPanel("language"),
                FieldPanel("delivery_mode"),
                FieldPanel("institution"),
            ],
            heading=_("Datos del curso"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("pass_mark"),
                FieldPanel("open_enrollment"),
                FieldPanel("prerequisites", widget=forms.CheckboxSelectMultiple),
                FieldPanel("to_be_confirmed"),
            ],
            heading=_("Inscripción y aprobación"),
        ),
        MultiFieldPanel(
            [FieldPanel("methodology"), FieldPanel("sub_module"), FieldPanel("training_of_trainers")],
            heading=_("Metodología"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("code"),
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.FilterField("level"),
        index.FilterField("language"),
        index.FilterField("open_enrollment"),
    ]
    parent_page_types = ["courses.ProgrammePage"]
    subpage_types = ["courses.ModulePage"]
    template = "courses/course_page.html"

    class Meta:
        verbose_name = _("curso")
        verbose_name_plural = _("cursos")

    def __str__(self) -> str:
        return f"{self.code} · {self.title}" if self.code else self.title

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_outline_for_learner

        context = super().get_context(request, *args, **kwargs)
        context["outline"] = course_outline_for_learner(course=self, user=request.user)
        return context


class ModulePage(ViewRestrictionsMixin, Page):
    """A module: an ordered group of lessons inside a course."""

    intro = models.TextField(_("introducción"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]
    template = "courses/module_page.html"

    class Meta:
        verbose_name = _("módulo")
        verbose_name_plural = _("módulos")

    def serve(self, request, *args, **kwargs):
        from django.shortcuts import redirect

        # A module has no page of its own: its lessons are listed in the course outline.
        return redirect(self.get_parent().url + f"#modulo-{self.pk}")


class LessonPage(ViewRestrictionsMixin, Page):
    """A short lesson: a body of text, media and activities, with a completion rule."""

    class CompletionRule(models.TextChoices):
        VIEWED = "viewed", _("Al verla")
        ACTIVITIES = "activities", _("Al aprobar sus actividades")

    body = StreamField(LESSON_BODY_BLOCKS, verbose_name=_("contenido"), blank=True)
    completion_rule = models.CharField(
        _("cuándo se completa"),
        max_length=20,
        choices=CompletionRule.choices,
        default=CompletionRule.VIEWED,
        help_text=_("«Al aprobar sus actividades»: aprobar las calificadas y terminar las demás."),
    )
    required = models.BooleanField(_("obligatoria"), default=True, help_text=_("Cuenta para completar el curso."))
    estimated_minutes = models.PositiveSmallIntegerField(_("minutos estimados"), null=True, blank=True)
    # Derived from ``body`` on save (pure, no I/O): [{"id", "type", "graded", "weight"}] of its activities, so the
    # outline and progress rules never parse lesson bodies.
    activities = models.JSONField(_("actividades"), default=list, blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("completion_rule"), FieldPanel("required"), FieldPanel("estimated_minutes")],
            heading=_("Avance"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []
    template = "courses/lesson_page.html"

    class Meta:
        verbose_name = _("lección")
        verbose_name_plural = _("lecciones")

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.activities = activity_refs(self.body)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "activities"}
        return super().save(*args, **kwargs)

    @property
    def graded_activity_ids(self) -> list[str]:
        return [a["id"] for a in self.activities if a.get("graded")]

    def get_context(self, request, *args, **kwargs):
        from .selectors import lesson_context_for_learner

        context = super().get_context(request, *args, **kwargs)
        context.update(lesson_context_for_learner(lesson=self, user=request.user))
        return context

    def serve(self, request, *args, **kwargs):
        from .services import lesson_view_record

        # A page fetched to be kept for offline study (courses/offline.js sends this header) is not a visit: the
        # lesson counts as viewed when the learner opens it (offline visits are told when the signal returns).
        downloading = request.headers.get("X-Ruta-Download") == "1"
        learner = request.user.is_authenticated and not getattr(request, "is_preview", False) and not downloading
        if learner:
            lesson_view_record(user=request.user, lesson=self)
            if request.headers.get("X-Ruta-Offline") == "1":  # the worker telling a lesson read offline
                from .services import offline_sync_record

                offline_sync_record(user=request.user, lesson=self)
        response = super().serve(request, *args, **kwargs)
        if learner:
            from lms.learnercache import mark_learner

            from .services import lesson_visit_unrecorded_for

            # Reloads are served from the learner's cache no longer than they would write nothing (VISIT_REFRESH).
            mark_learner(response, timeout=lesson_visit_unrecorded_for(lesson=self, user=request.user))
        return response

    # --- Hooks that content's activity runtime calls (duck-typed: content never imports courses).

    def can_submit_activity(self, user) -> bool:
        """Whether ``user`` may submit an activity on this lesson: enrolled in the course, prerequisites met."""
        from .selectors import lesson_submission_allowed

        return lesson_submission_allowed(lesson=self, user=user)

    def begin_activity_answer(self, user):
        """An answer on this lesson begins (inside its transaction): the learner's enrolment, locked with their
        user row, or None when they may not answer (``courses.services.activity_answer_begin``)."""
        from .services import activity_answer_begin

        return activity_answer_begin(lesson=self, user=user)

    def activity_progress_fragments(self, request, *, shown: str = "") -> dict[str, str]:
        """HTML of the page's progress marks (lesson badge, completion notice, course %, outline) after an answer,
        so the page shows a pass at once instead of "En curso / 0 %" until it is reloaded; under ``marks``, their
        fingerprint. ``shown``: the fingerprint of the marks the page shows now (activities.js sends it); when the
        answer changed none of them, only the fingerprint comes back."""
        from django.template.loader import render_to_string

        from .selectors import lesson_context_for_learner

        context = {"page": self, "request": request, **lesson_context_for_learner(lesson=self, user=request.user)}
        outline, item = context["outline"], context.get("lesson_item")
        if outline is None or outline.enrollment is None or item is None:
            return {}
        marks = context["progress_marks"]
        if shown and shown == marks:
            return {"marks": marks}
        return {
            "marks": marks,
            "status": render_to_string("courses/includes/lesson_status.html", {"status": item.status}, request),
            "rule": render_to_string("courses/includes/lesson_rule.html", context, request),
            "course": render_to_string("courses/includes/progress_text.html", {"progress": outline.progress}, request),
            "outline": render_to_string("courses/includes/outline.html", {**context, "current_id": self.pk}, request),
        }

    def can_grade_activity(self, grader, learner) -> bool:
        """Whether ``grader`` may review ``learner``'s free-text answers here: the learner's cohort trainers."""
        from .selectors import lesson_grading_allowed

        return lesson_grading_allowed(lesson=self, grader=grader, learner=learner)


class Enrollment(models.Model):
    """One person's enrolment in one course: status, progress, score and where they left off."""

    # Staff browse enrolments in the Wagtail admin, which would otherwise index each one as a "use" of its course
    # and last lesson: four more queries on every answer a learner sends, and a page's usage list full of learners.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        ACTIVE = "active", _("En curso")
        COMPLETED = "completed", _("Completado")
        WITHDRAWN = "withdrawn", _("Retirado")

    class Source(models.TextChoices):
        SELF = "self", _("Inscripción propia")
        COHORT = "cohort", _("Grupo")
        STAFF = "staff", _("Equipo de la institución")
        IMPORT = "import", _("Importación")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("persona"), on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(
        CoursePage, verbose_name=_("curso"), on_delete=models.CASCADE, related_name="enrollments"
    )
    status = models.CharField(_("estado"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    progress = models.PositiveSmallIntegerField(_("avance (%)"), default=0)
    score = models.FloatField(_("nota (%)"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("inscripción"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("última actividad"), null=True, blank=True)
    last_lesson = models.ForeignKey(
        LessonPage,
        verbose_name=_("última lección"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completado el"), null=True, blank=True)
    source = models.CharField(_("origen"), max_length=20, choices=Source.choices, default=Source.SELF)
    # Offline study (courses/offline.js): when the course was last downloaded to the phone, and when lessons read
    # offline were last reported back to Ruta. Trainers see them on the group's page.
    offline_downloaded_at = models.DateTimeField(_("descargado para estudiar sin conexión"), null=True, blank=True)
    offline_synced_at = models.DateTimeField(_("última sincronización sin conexión"), null=True, blank=True)

    class Meta:
        verbose_name = _("inscripción")
        verbose_name_plural = _("inscripciones")
        ordering = ["-enrolled_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="unique_enrollment_user_course")]
        indexes = [models.Index(fields=["course", "status"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.course_id}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class LessonProgress(models.Model):
    """A learner's state in one lesson of an enrolment."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("En curso")
        COMPLETED = "completed", _("Completada")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(_("estado"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    score = models.FloatField(_("nota (%)"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completada el"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("avance en una lección")
        verbose_name_plural = _("avances en lecciones")
        constraints = [models.UniqueConstraint(fields=["enrollment", "lesson"], name="unique_lesson_progress")]

    def __str__(self) -> str:
        return f"{self.enrollment_id} · {self.lesson_id} · {self.status}"
