"""Wagtail admin: competency standards ("Normas de competencia"), for staff who do not use the Django admin.

Published and retired versions are read-only (past assessments keep the version they used): their edit view
sends staff to the read-only inspect view. Gated by the ``competency.*_competencystandard`` permissions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet

from .models import CompetencyStandard


class StandardEditView(EditView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if self.user_has_permission("change"):
            standard = self.get_object()
            if standard.status != CompetencyStandard.Status.DRAFT:
                messages.warning(
                    request,
                    _("Esta versión ya está publicada y no se puede cambiar: crea una versión nueva."),
                )
                return redirect(self.inspect_url_name, standard.pk)
        return super().dispatch(request, *args, **kwargs)


class CompetencyStandardViewSet(ModelViewSet):
    model = CompetencyStandard
    icon = "list-ul"
    menu_label = _("Normas de competencia")
    menu_order = 440
    add_to_admin_menu = True
    edit_view_class = StandardEditView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["title", "code", "version", "status", "certifying_body"]
    list_filter = ["status", "certifying_body"]
    search_fields = ["title", "code"]
    # status and previous_version change only through services.standard_publish / standard_new_version.
    form_fields = ["certifying_body", "code", "title", "occupation", "description", "training_url"]


@hooks.register("register_admin_viewset")
def register_competency_standard_viewset() -> CompetencyStandardViewSet:
    return CompetencyStandardViewSet("normas")
