"""Errors the activity engine raises, each with a Spanish message the learner can read."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ActivityError(ValidationError):
    default_message = _("No pudimos registrar tu respuesta.")

    def __init__(self, message=None, *args, **kwargs) -> None:
        super().__init__(message or self.default_message, *args, **kwargs)


class ActivityNotFound(ActivityError):
    default_message = _("Esta actividad ya no existe en la página.")


class AttemptsExhausted(ActivityError):
    default_message = _("Ya usaste todos tus intentos en esta actividad.")


class InvalidAnswer(ActivityError):
    default_message = _("Revisa tu respuesta: falta completar algo.")


class SubmissionConflict(ActivityError):
    default_message = _("Este envío ya se usó para otra actividad. Vuelve a cargar la página.")


class GradingError(ActivityError):
    default_message = _("No pudimos guardar la revisión.")
