"""Reads about cohorts that other apps need.

``trainer_name_for_enrollment`` is the contract certification uses to print the trainer's name on a
participant's certificate.
"""

from __future__ import annotations

from typing import Any


def trainer_name_for_enrollment(enrollment: Any) -> str:
    """The printed name of the certified trainer who taught this enrolment's cohort ('' when none)."""
    return ""
