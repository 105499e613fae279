"""Wagtail admin: competency standards ("Normas de competencia") and their units, for staff who do not use the
Django admin (it is for superusers only).

Versioning follows the services, never rules of its own: "Crear versión nueva" calls
``services.standard_new_version`` (copies units, criteria, question bank and rubric into a draft) and "Publicar"
calls ``services.standard_publish`` (retires the version in force). Published and retired versions are read-only
(past assessments keep the version they used): their edit views send staff to the read-only inspect view, and the
units of a version can be added, edited or deleted only while it is a draft.

Permissions: ``competency.view/add/change_competencystandard`` as usual, ``competency.publish_competencystandard``
to publish; a standard's units (with their criteria, question bank and rubric) follow the standard's permissions
(view to read, change to edit a draft's units).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import knowledge, services
from .forms import BankQuestionCleanMixin
from .models import CompetencyStandard, CompetencyUnit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DRAFT = CompetencyStandard.Status.DRAFT
READ_ONLY_MESSAGE = _("Esta versión ya está publicada y no se puede cambiar: crea una versión nueva.")


# --- Standards -------------------------------------------------------------------------------------------


class StandardEditView(EditView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.user_has_permission("change"):
            standard = self.get_object()
            if standard.status != DRAFT:
                messages.warning(request, READ_ONLY_MESSAGE)
                return redirect(self.inspect_url_name, standard.pk)
        return super().dispatch(request, *args, **kwargs)


class StandardDeleteView(DeleteView):
    """Only drafts are deleted: a published or retired version is what past assessments point at."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        standard = get_object_or_404(CompetencyStandard, pk=kwargs["pk"])
        if self.user_has_permission("delete") and standard.status != DRAFT:
            messages.warning(request, READ_ONLY_MESSAGE)
            return redirect("normas:inspect", standard.pk)
        return super().dispatch(request, *args, **kwargs)


class StandardInspectView(InspectView):
    """The version's hub: its fields, its units with their criteria, and the versioning actions."""

    template_name = "competency/admin/standard_inspect.html"

    def get_edit_url(self) -> str | None:
        return super().get_edit_url() if self.object.status == DRAFT else None

    def get_delete_url(self) -> str | None:
        return super().get_delete_url() if self.object.status == DRAFT else None

    @cached_property
    def header_buttons(self) -> list[Any]:
        buttons: list[Any] = []
        standard = self.object
        if standard.status != DRAFT and self.user_has_permission("add"):
            url = reverse("normas:new_version", args=[standard.pk])
            buttons.append(HeaderButton(_("Crear versión nueva"), url=url, icon_name="copy", priority=30))
        if standard.status == DRAFT and self.user_has_permission("publish"):
            url = reverse("normas:publish", args=[standard.pk])
            buttons.append(HeaderButton(_("Publicar"), url=url, icon_name="upload", priority=40))
        return buttons

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        standard = self.object
        context["units"] = standard.units.prefetch_related("criteria")
        context["units_editable"] = standard.status == DRAFT and self.user_has_permission("change")
        context["other_versions"] = CompetencyStandard.objects.filter(code=standard.code).exclude(pk=standard.pk)
        return context


class StandardActionView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirm (GET) and run (POST) one versioning service on a standard."""

    model = CompetencyStandard
    template_name = "competency/admin/standard_action.html"
    header_icon = "list-ul"
    allowed_status: tuple[str, ...] = ()
    confirmation: StrOrPromise = ""
    button_label: StrOrPromise = ""

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(CompetencyStandard, pk=kwargs["pk"])

    def get_page_subtitle(self) -> str:
        return str(self.object)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.user_has_permission(self.permission_required) and self.object.status not in self.allowed_status:
            return redirect("normas:inspect", self.object.pk)
        return super().dispatch(request, *args, **kwargs)  # refuses those without the permission

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            confirmation=self.confirmation,
            button_label=self.button_label,
            cancel_url=reverse("normas:inspect", args=[self.object.pk]),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        raise NotImplementedError


class StandardNewVersionView(StandardActionView):
    permission_required = "add"
    allowed_status = (CompetencyStandard.Status.PUBLISHED, CompetencyStandard.Status.RETIRED)
    page_title = _("Crear versión nueva")
    confirmation = _(
        "Se creará un borrador con una copia de las unidades, los criterios, el banco de preguntas y la rúbrica de "
        "esta versión. Esta versión no cambia: las evaluaciones que la usaron la conservan."
    )
    button_label = _("Sí, crear el borrador")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        draft = services.standard_new_version(standard=self.object)
        messages.success(request, _("Versión nueva creada como borrador: edita sus unidades y luego publícala."))
        return redirect("normas:inspect", draft.pk)


class StandardPublishView(StandardActionView):
    permission_required = "publish"
    allowed_status = (DRAFT,)
    page_title = _("Publicar")
    confirmation = _(
        "Esta versión pasará a estar vigente y ya no podrá cambiarse; la versión vigente de la misma norma quedará "
        "reemplazada (sus evaluaciones no cambian)."
    )
    button_label = _("Sí, publicar")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.standard_publish(standard=self.object)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Versión publicada."))
        return redirect("normas:inspect", self.object.pk)


class CompetencyStandardViewSet(ModelViewSet):
    model = CompetencyStandard
    icon = "list-ul"
    menu_label = _("Normas de competencia")
    menu_order = 440
    add_to_admin_menu = True
    edit_view_class = StandardEditView
    delete_view_class = StandardDeleteView
    inspect_view_class = StandardInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["title", "code", "version", "status", "certifying_body"]
    list_filter = ["status", "certifying_body"]
    search_fields = ["title", "code"]
    # status and previous_version change only through services.standard_publish / standard_new_version.
    form_fields = ["certifying_body", "code", "title", "occupation", "description", "training_url"]
    inspect_view_fields = [
        "title", "code", "version", "status", "certifying_body", "occupation", "description", "training_url",
        "previous_version",
    ]  # fmt: skip

    def get_urlpatterns(self) -> list[Any]:
        return [
            *super().get_urlpatterns(),
            path("nueva-version/<int:pk>/", StandardNewVersionView.as_view(), name="new_version"),
            path("publicar/<int:pk>/", StandardPublishView.as_view(), name="publish"),
        ]


# --- Units (with their criteria and rubric) ---------------------------------------------------------------


class UnitPermissionPolicy(ModelPermissionPolicy):
    """A unit is part of its standard: reading it needs the standard's view (or change) permission, adding,
    editing and deleting need the standard's change permission (and a draft, checked by the views)."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action == "view":
            return user.has_perm("competency.view_competencystandard") or user.has_perm(
                "competency.change_competencystandard"
            )
        return user.has_perm("competency.change_competencystandard")

    def user_has_permission_for_instance(self, user: Any, action: str, instance: Any) -> bool:
        if action != "view" and instance.standard.status != DRAFT:
            return False
        return self.user_has_permission(user, action)


class UnitForm(WagtailAdminModelForm):
    """Units are added only to drafts, and stay in the version they were added to."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["standard"])
        field.queryset = CompetencyStandard.objects.filter(status=DRAFT)
        if self.instance.pk:
            field.disabled = True


class QuestionForm(BankQuestionCleanMixin, WagtailAdminModelForm):
    """A bank question: a gradable activity type and its definition (JSON, the shape of content's activity
    blocks), checked by ``knowledge.validate``."""

    block_type = forms.ChoiceField(label=_("tipo de actividad"), choices=[(t, t) for t in knowledge.GRADABLE])


class QuestionInlinePanel(InlinePanel):
    def get_form_options(self) -> dict[str, Any]:
        options = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = QuestionForm
        return options


class DraftUnitMixin:
    """Edit and delete views of a unit whose version is no longer a draft send staff to the version's page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        unit = get_object_or_404(CompetencyUnit.objects.select_related("standard"), pk=kwargs["pk"])
        if self.user_has_permission(self.permission_required) and unit.standard.status != DRAFT:  # type: ignore[attr-defined]
            messages.warning(request, READ_ONLY_MESSAGE)
            return redirect("normas:inspect", unit.standard_id)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class UnitCreateView(CreateView):
    def get_initial_form_instance(self) -> CompetencyUnit | None:
        """Opened from a draft's page (``?standard=<id>``): the unit is preset to that draft."""
        pk = self.request.GET.get("standard", "")
        standard = CompetencyStandard.objects.filter(pk=pk, status=DRAFT).first() if pk.isdigit() else None
        return CompetencyUnit(standard=standard) if standard else None

    def get_success_url(self) -> str:
        return reverse("normas:inspect", args=[self.object.standard_id])


class UnitEditView(DraftUnitMixin, EditView):
    def get_success_url(self) -> str:
        return reverse("normas:inspect", args=[self.object.standard_id])


class UnitDeleteView(DraftUnitMixin, DeleteView):
    def get_success_url(self) -> str:
        return reverse("normas:inspect", args=[self.object.standard_id])


class CompetencyUnitViewSet(ModelViewSet):
    """Reached from a standard's page ("Normas de competencia"), not from the menu."""

    model = CompetencyUnit
    icon = "list-ul"
    add_to_admin_menu = False
    add_view_class = UnitCreateView
    edit_view_class = UnitEditView
    delete_view_class = UnitDeleteView
    copy_view_enabled = False
    list_display = ["code", "title", "standard"]
    list_filter = ["standard"]
    search_fields = ["code", "title"]
    edit_handler = ObjectList(
        [
            FieldPanel("standard"),
            FieldRowPanel([FieldPanel("order"), FieldPanel("code")]),
            FieldPanel("title"),
            FieldPanel("is_socioemotional"),
            FieldRowPanel([FieldPanel("question_count"), FieldPanel("pass_threshold")]),
            FieldRowPanel([FieldPanel("knowledge_max_attempts"), FieldPanel("rubric_threshold")]),
            FieldPanel("training_url"),
            InlinePanel(
                "criteria",
                panels=[FieldPanel("order"), FieldPanel("text"), FieldPanel("is_critical")],
                heading=_("Criterios de desempeño"),
                label=_("Criterio de desempeño"),
            ),
            QuestionInlinePanel(
                "questions",
                panels=[FieldPanel("block_type"), FieldPanel("value"), FieldPanel("is_active")],
                heading=_("Banco de preguntas"),
                label=_("Pregunta del banco"),
            ),
            InlinePanel(
                "rubric",
                panels=[FieldPanel("order"), FieldPanel("title"), FieldPanel("levels"), FieldPanel("weight")],
                heading=_("Rúbrica de evidencias"),
                label=_("Criterio de rúbrica"),
            ),
        ],
        base_form_class=UnitForm,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[CompetencyUnit]:
        return CompetencyUnit.objects.select_related("standard")


register_permission_policy(CompetencyUnit, UnitPermissionPolicy(CompetencyUnit))


@hooks.register("register_admin_viewset")
def register_competency_standard_viewset() -> CompetencyStandardViewSet:
    return CompetencyStandardViewSet("normas")


@hooks.register("register_admin_viewset")
def register_competency_unit_viewset() -> CompetencyUnitViewSet:
    return CompetencyUnitViewSet("unidades")
