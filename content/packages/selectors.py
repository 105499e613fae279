"""Reads about stored packages: who may open one outside a lesson.

Content does not know which lessons hold a package or who may read them (courses owns that), so the upper layer
registers a check here (``package_access_register``), the way signals carry news up. Must not import courses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .models import ContentPackage

if TYPE_CHECKING:
    from lms.accounts.permissions import AnyUser

PackageAccessCheck = Callable[..., bool | None]
_checks: list[PackageAccessCheck] = []


def package_access_register(check: PackageAccessCheck) -> None:
    """Add a check ``check(*, user, package) -> True | False | None`` (None: no opinion). Idempotent."""
    if check not in _checks:
        _checks.append(check)


def package_can_open(*, user: AnyUser, package: ContentPackage) -> bool:
    """A signed-in person may open a package when a registered check allows it (courses: someone who may read a
    lesson that plays it); with no check allowing it, only superusers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(check(user=user, package=package) for check in _checks)
