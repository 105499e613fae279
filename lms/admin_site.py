"""The Django admin site, for superusers only: staff work in the Wagtail admin (``/admin/``).

Installed through ``lms.apps.SuperuserAdminConfig`` in place of ``django.contrib.admin``, so every
``admin.register`` in the apps lands on this site. Imports nothing from Ruta's apps.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class SuperuserAdminSite(admin.AdminSite):
    """Django's admin bypasses Ruta's roles and privacy rules (it shows every column of every row), so only
    superusers may open it; staff get the Wagtail views, which apply them."""

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)
