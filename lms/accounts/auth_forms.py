"""allauth form subclasses (kept apart from ``forms.py``, which allauth itself imports for sign-up)."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """One box for the username, e-mail or mobile number (local or international format)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Usuario, correo o número de celular")
        login.help_text = _(
            "Escribe tu número como siempre, con o sin código de país: 987 654 321, 099 123 4567 o +593 99 123 4567."
        )
        login.widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        login.widget.attrs.pop("placeholder", None)
        if "password" in self.fields:
            # The page has its own "¿Olvidaste tu contraseña?" link, which also explains help without e-mail.
            self.fields["password"].help_text = ""
            self.fields["password"].widget.attrs.pop("placeholder", None)
