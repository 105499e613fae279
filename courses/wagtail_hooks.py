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
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy
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
def course_page_edit_owner_only(request: Any, page: Any) -> Any:
    """As below; and a person whose page rights are institutional keeps the course with one of their institutions
    (the edit form's «institución» would otherwise hand it to another tenant, or to nobody)."""
    _refuse_unless_owner(request, page)
    if request.method != "POST" or "institution" not in request.POST:
        return None
    from django.contrib import messages
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from lms.accounts.permissions import institutions_with_role

    from .page_permissions import COURSE_EDITOR_ROLES, editing_right_is_institutional

    if not editing_right_is_institutional(request.user):
        return None
    theirs = {str(pk) for pk in institutions_with_role(request.user, COURSE_EDITOR_ROLES).values_list("pk", flat=True)}
    if request.POST["institution"] not in theirs:
        messages.error(request, _("El curso tiene que seguir perteneciendo a una de sus instituciones."))
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


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
    """Neither out of another institution's course nor into one (the destination is posted with the form)."""
    _refuse_unless_owner(request, page)
    if request.method == "POST":
        _refuse_unless_owner(request, _page_or_none(request.POST.get("new_parent_page")))


@hooks.register("before_create_page")
def course_page_add_owner_only(request: Any, parent_page: Any, page_class: Any) -> None:
    _refuse_unless_owner(request, parent_page)


@hooks.register("before_bulk_action")
def course_page_bulk_owner_only(request: Any, action_type: str, objects: Any, action_class_instance: Any) -> None:
    if action_type == "page":
        for page in objects:
            _refuse_unless_owner(request, page)
        form = getattr(action_class_instance, "cleaned_form", None)
        destination = getattr(form, "cleaned_data", {}).get("chooser")  # bulk move: where the pages would go
        if destination is not None:
            _refuse_unless_owner(request, destination)


def _page_or_none(pk: Any) -> Any:
    from wagtail.models import Page

    try:
        return Page.objects.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


@hooks.register("construct_explorer_page_queryset")
def course_pages_explored(parent_page: Any, pages: Any, request: Any) -> Any:
    """The explorer (its listing and its side menu) shows a person whose page rights are institutional only their
    institutions' courses — not another institution's, not unowned ones, nor what is inside them."""
    from .page_permissions import may_list_children, pages_within_reach

    if not may_list_children(request.user, parent_page):
        return pages.none()
    return pages_within_reach(request.user, pages)


@hooks.register("construct_page_chooser_queryset")
def course_pages_chosen(pages: Any, request: Any) -> Any:
    from .page_permissions import pages_within_reach

    return pages_within_reach(request.user, pages)


# Every admin page view (preview, revisions, history, locking, privacy, reordering, workflows… — Wagtail has no
# «before_» hook for most of them) asks the owner rule too: one page view set for every page type.

#: Views that only show a page: refused only to people whose page rights are institutional (another institution's
#: course is not theirs to read either); the listing views follow ``may_list_children``.
_READING_VIEWS = frozenset(
    {"history", "history_results", "revisions_view", "revisions_compare", "usage", "view_draft", "workflow_history",
     "workflow_history_detail", "workflow_preview"}
)  # fmt: skip
_LISTING_VIEWS = frozenset({"index", "index_results"})
_PAGE_KWARGS = ("page_id", "parent_page_id", "page_to_move_id", "pk", "destination_id")


def _guarded(name: str, view: Any) -> Any:
    import functools

    from django.core.exceptions import PermissionDenied

    from .page_permissions import editing_right_is_institutional, may_change_course_page, may_list_children

    @functools.wraps(view)
    def guarded(request: Any, *args: Any, **kwargs: Any) -> Any:
        user = request.user
        for key in _PAGE_KWARGS:
            if key not in kwargs:
                continue
            page = _page_or_none(kwargs[key])
            if page is None:
                continue
            if name in _LISTING_VIEWS:
                allowed = may_list_children(user, page)
            elif name in _READING_VIEWS:
                allowed = not editing_right_is_institutional(user) or may_change_course_page(user, page)
            else:
                allowed = may_change_course_page(user, page)
            if not allowed:
                raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


def _page_view_set() -> Any:
    from wagtail.admin.viewsets.pages import PageViewSet

    class OwnedPageViewSet(PageViewSet):
        """Wagtail's page views, each behind the owner rule (``_guarded``)."""

        def get_view_by_name(self, name: str) -> Any:
            guarded = self.__dict__.setdefault("_guarded_views", {})
            if name not in guarded:
                guarded[name] = _guarded(name, super().get_view_by_name(name))
            return guarded[name]

    return OwnedPageViewSet("paginas-con-duenio")  # a name only: its views keep Wagtail's own page URLs


class WithinReachPagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page policy, less the pages out of a person's reach (``pages_within_reach``) wherever Wagtail lists
    pages by permission: the explorer and its side menu, the admin search, «choose a parent», the page-type listing,
    the dashboard and the reports (site history, aging and locked pages, workflows)."""

    def explorable_instances(self, user: Any) -> Any:
        from .page_permissions import pages_within_reach

        return pages_within_reach(user, super().explorable_instances(user))

    def instances_user_has_any_permission_for(self, user: Any, actions: Any) -> Any:
        from .page_permissions import pages_within_reach

        return pages_within_reach(user, super().instances_user_has_any_permission_for(user, actions))


register_permission_policy(Page, WithinReachPagePermissionPolicy(Page))


@hooks.register("register_admin_viewset")
def register_owned_page_viewset() -> Any:
    """Registered after Wagtail's own base page view set (``order=-1``), so it takes its place for every page type."""
    return _page_view_set()
