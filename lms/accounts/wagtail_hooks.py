"""Wagtail admin: institutions and memberships ("Instituciones", "Membresías"), so staff need not open the
Django admin; and the people themselves in Wagtail's own "Usuarios" section (Configuración → Usuarios), adapted
by ``StaffUserViewSet`` (installed through ``lms.apps.RutaWagtailUsersConfig``).

Accounts ("Usuarios") need ``accounts.add_user`` / ``change_user`` / ``delete_user``, as in Wagtail. For Ruta:
e-mail and names are optional (many accounts have only a phone); phone and profile fields are not shown at all;
only superusers see or set "Administrador" and groups (a group grants rights, so no staff member can grant one to
themselves or anyone), and only superusers can edit a superuser; "Eliminar" requests the account's deletion
through ``services.account_deletion_request`` (deactivated now, anonymised by the task, consents kept) instead of
deleting the row.

Privacy: memberships list only username, name, institution and role (never phone, e-mail or profile fields),
and only for institutions the viewer manages. Memberships are read-only here: a role grants rights, so no staff
member can grant one (to themselves or anyone) from the admin; superusers use the Django admin.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views import users as wagtail_users

from . import services
from .models import Institution, Membership, Role
from .permissions import institutions_with_role


class InstitutionViewSet(ModelViewSet):
    model = Institution
    icon = "site"
    menu_label = _("Instituciones")
    menu_order = 450
    add_to_admin_menu = True
    copy_view_enabled = False
    list_display = ["name", "acronym", "type", "country", "is_active"]
    list_filter = ["type", "country", "is_active"]
    search_fields = ["name", "acronym"]
    form_fields = ["name", "acronym", "slug", "type", "country", "is_active"]


class ReadOnlyPolicy(ModelPermissionPolicy):
    """View by model permission; adding, changing and deleting are refused to everyone here."""

    def user_has_permission(self, user: Any, action: str) -> bool:
        if action in ("add", "change", "delete"):
            return False
        return super().user_has_permission(user, action)


def _managed(queryset: QuerySet[Membership], user: Any) -> QuerySet[Membership]:
    if user.is_superuser:
        return queryset
    return queryset.filter(institution__in=institutions_with_role(user, Role.INSTITUTION_ADMIN))


class MembershipIndexView(IndexView):
    def get_base_queryset(self) -> QuerySet[Membership]:
        return _managed(super().get_base_queryset(), self.request.user).select_related("user", "institution")


class MembershipInspectView(InspectView):
    def get_object(self, queryset: Any = None) -> Membership:
        from django.shortcuts import get_object_or_404

        return get_object_or_404(_managed(Membership.objects.all(), self.request.user), pk=self.pk)


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "group"
    menu_label = _("Membresías")
    menu_order = 451
    add_to_admin_menu = True
    index_view_class = MembershipIndexView
    inspect_view_class = MembershipInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["user", "institution", "role", "scope"]
    list_filter = ["role", "institution"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "institution__name"]
    inspect_view_fields = ["user", "institution", "role", "scope", "created_at"]
    form_fields = ["user", "institution", "role", "scope"]  # unused: adding and changing are refused


register_permission_policy(Membership, ReadOnlyPolicy(Membership))


# --- Accounts ("Usuarios") ---------------------------------------------------------------------------------

OPTIONAL_FIELDS = {
    "email": forms.EmailField(required=False, label=_("Correo electrónico (opcional)")),
    "first_name": forms.CharField(required=False, max_length=150, label=_("Nombres (opcional)")),
    "last_name": forms.CharField(required=False, max_length=150, label=_("Apellidos (opcional)")),
}
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups")


class StaffUserCreationForm(UserCreationForm):
    email, first_name, last_name = OPTIONAL_FIELDS.values()


class StaffUserEditForm(UserEditForm):
    email, first_name, last_name = OPTIONAL_FIELDS.values()


class _SuperuserFieldsMixin:
    """Only superusers see (and so can post) the "Administrador" and groups fields."""

    request: HttpRequest

    def get_form(self, *args: Any, **kwargs: Any) -> Any:
        form = super().get_form(*args, **kwargs)  # type: ignore[misc]
        if not self.request.user.is_superuser:
            for name in SUPERUSER_ONLY_FIELDS:
                form.fields.pop(name, None)
        return form


class StaffUserCreateView(_SuperuserFieldsMixin, wagtail_users.CreateView):
    pass


class StaffUserEditView(_SuperuserFieldsMixin, wagtail_users.EditView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.object.is_superuser and not request.user.is_superuser:
            raise PermissionDenied  # e.g. resetting a superuser's password would take over the account
        return super().dispatch(request, *args, **kwargs)


class StaffUserDeleteView(wagtail_users.DeleteView):
    def delete_action(self) -> None:
        services.account_deletion_request(user=self.object)


class StaffUserViewSet(wagtail_users.UserViewSet):
    add_view_class = StaffUserCreateView
    edit_view_class = StaffUserEditView
    delete_view_class = StaffUserDeleteView

    def get_form_class(self, for_update: bool = False) -> type[forms.ModelForm]:
        return StaffUserEditForm if for_update else StaffUserCreationForm


@hooks.register("register_admin_viewset")
def register_institution_viewset() -> InstitutionViewSet:
    return InstitutionViewSet("instituciones")


@hooks.register("register_admin_viewset")
def register_membership_viewset() -> MembershipViewSet:
    return MembershipViewSet("membresias")
