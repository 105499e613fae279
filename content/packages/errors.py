"""The one exception the package readers raise: a refusal with a reason an institution admin understands.

Must not import Django models, courses or certification.
"""

from __future__ import annotations

from django.utils.functional import Promise


class PackageRefused(Exception):  # noqa: N818 - a refusal is an outcome, not a bug
    """The package cannot be read or imported; ``reason`` is a translatable Spanish sentence."""

    def __init__(self, reason: str | Promise, *, code: str = "refused", detail: str = "") -> None:
        super().__init__(str(reason))
        self.reason = reason
        self.code = code
        self.detail = detail

    def __str__(self) -> str:
        return str(self.reason)
