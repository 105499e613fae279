"""Wagtail admin: enrolments ("Inscripciones"), so staff need not open the Django admin.

Listing and reading are gated by the ``courses.view_enrollment`` permission. Adding one goes through
``courses.services.enrollment_create``; progress, score and completion are never edited by hand
(``progress_record`` owns them and sends ``course_completed``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from . import services
from .models import Enrollment


class EnrollmentPermissionPolicy(ModelPermissionPolicy):
    """Add and view by model permission; no hand edits or deletions (withdrawal keeps the history)."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in ("change", "delete"):
            return False
        return super().user_has_permission(user, action)


class EnrollmentAddForm(WagtailAdminModelForm):
    """The person is named by username: a list of every account would show them all to whoever enrols one."""

    username = forms.CharField(label=_("Usuario"), max_length=150)

    def clean_username(self) -> Any:
        user = get_user_model().objects.filter(username=self.cleaned_data["username"].strip()).first()
        if user is None:
            raise ValidationError(_("No hay ninguna cuenta con ese usuario."))
        return user


class EnrollmentCreateView(CreateView):
    def save_instance(self) -> Enrollment:
        data = self.form.cleaned_data
        return services.enrollment_create(
            user=data["username"], course=data["course"], source=Enrollment.Source.STAFF, check_prerequisites=True
        )

    def form_valid(self, form: Any) -> Any:
        try:
            return super().form_valid(form)
        except ValidationError as exc:  # e.g. prerequisites missing: shown on the form, nothing saved
            form.add_error(None, exc)
            return self.form_invalid(form)


class EnrollmentViewSet(ModelViewSet):
    model = Enrollment
    icon = "group"
    menu_label = _("Inscripciones")
    menu_order = 430
    add_to_admin_menu = True
    add_view_class = EnrollmentCreateView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["user", "course", "status", "progress", "source", "enrolled_at"]
    list_filter = ["status", "source"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "course__title"]
    edit_handler = ObjectList([FieldPanel("username"), FieldPanel("course")], base_form_class=EnrollmentAddForm)
    inspect_view_fields = [
        "user", "course", "status", "progress", "score", "source", "enrolled_at", "last_activity_at",
        "completed_at",
    ]  # fmt: skip


register_permission_policy(Enrollment, EnrollmentPermissionPolicy(Enrollment))


@hooks.register("register_admin_viewset")
def register_enrollment_viewset() -> EnrollmentViewSet:
    return EnrollmentViewSet("inscripciones")


# --- Course pages belong to their institution (courses/page_permissions.py) ---------------------------------


def _refuse_unless_owner(request: Any, page: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from .page_permissions import may_change_course_page

    if not may_change_course_page(request.user, page):
        raise PermissionDenied


@hooks.register("before_edit_page")
@hooks.register("before_publish_page")
@hooks.register("before_unpublish_page")
@hooks.register("before_delete_page")
@hooks.register("before_convert_alias_page")
def course_page_owner_only(request: Any, page: Any) -> None:
    _refuse_unless_owner(request, page)


@hooks.register("before_move_page")
def course_page_move_owner_only(request: Any, page: Any, destination: Any) -> None:
    """Neither out of another institution's course nor into one."""
    _refuse_unless_owner(request, page)
    _refuse_unless_owner(request, destination)


@hooks.register("before_copy_page")
def course_page_copy_owner_only(request: Any, page: Any) -> None:
    _refuse_unless_owner(request, page)


@hooks.register("before_create_page")
def course_page_add_owner_only(request: Any, parent_page: Any, page_class: Any) -> None:
    _refuse_unless_owner(request, parent_page)


@hooks.register("before_bulk_action")
def course_page_bulk_owner_only(request: Any, action_type: str, objects: Any, action_class_instance: Any) -> None:
    if action_type == "page":
        for page in objects:
            _refuse_unless_owner(request, page)
