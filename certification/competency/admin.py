"""Authoring competency standards in the Django admin: units, criteria, question bank, rubric; versioning actions.

Published versions are read-only here: change a standard by creating a new version (past assessments keep theirs).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import BankQuestionCleanMixin
from .models import (
    Application,
    AuditEvent,
    BankQuestion,
    CompetencyStandard,
    CompetencyUnit,
    PerformanceCriterion,
    RubricCriterion,
)


class DraftOnlyInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj) -> bool:
        standard = getattr(obj, "standard", obj)
        return standard is None or standard.status == CompetencyStandard.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class UnitInline(DraftOnlyInline):
    model = CompetencyUnit
    fields = ["order", "code", "title", "is_socioemotional", "question_count", "pass_threshold"]
    show_change_link = True


@admin.register(CompetencyStandard)
class CompetencyStandardAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "version", "status", "certifying_body"]
    list_filter = ["status", "certifying_body"]
    search_fields = ["title", "code"]
    inlines = [UnitInline]
    actions = ["new_version", "publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.status != CompetencyStandard.Status.DRAFT:
            return [f.name for f in self.model._meta.fields]
        return ["status", "previous_version"]

    @admin.action(description=_("Crear una nueva versión (borrador)"))
    def new_version(self, request, queryset):
        for standard in queryset:
            services.standard_new_version(standard=standard)
        messages.success(request, _("Versión nueva creada como borrador."))

    @admin.action(description=_("Publicar (reemplaza la versión vigente)"))
    def publish(self, request, queryset):
        for standard in queryset:
            try:
                services.standard_publish(standard=standard)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))


class CriterionInline(DraftOnlyInline):
    model = PerformanceCriterion
    fields = ["order", "text", "is_critical"]


class BankQuestionForm(BankQuestionCleanMixin, forms.ModelForm):
    class Meta:
        model = BankQuestion
        fields = ["block_type", "value", "is_active"]


class QuestionInline(DraftOnlyInline):
    model = BankQuestion
    form = BankQuestionForm
    fields = ["block_type", "value", "is_active"]


class RubricInline(DraftOnlyInline):
    model = RubricCriterion
    fields = ["order", "title", "levels", "weight"]


@admin.register(CompetencyUnit)
class CompetencyUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "standard"]
    list_filter = ["standard"]
    inlines = [CriterionInline, QuestionInline, RubricInline]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.standard.status != CompetencyStandard.Status.DRAFT:
            return [f.name for f in self.model._meta.fields]
        return []


class AuditInline(admin.TabularInline):
    model = AuditEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "action", "detail"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Read-only: every change to an application goes through the services (and the audit trail)."""

    list_display = ["candidate", "standard", "status", "result", "evaluator", "created_at"]
    list_filter = ["status", "result", "standard"]
    inlines = [AuditInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
