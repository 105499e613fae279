"""Forms of Wagtail's admin that Ruta adjusts (``WAGTAILADMIN_USER_LOGIN_FORM``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class AdminLoginForm(LoginForm):
    """Wagtail's login form redefines ``password`` without a label, so Django showed the field's English name
    ("Password") in the Spanish admin."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Contraseña")
