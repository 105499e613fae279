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


# --- Offline play on the package origin (origin.py): what a phone downloads to play a package without signal.

# The runtime a package page loads from the package origin besides its own files (views._shim, views.h5p_frame).
_RUNTIME: dict[str, tuple[str, ...]] = {
    ContentPackage.Engine.SCORM12: ("vendor/scorm-again/scorm12.min.js", "packages/sco-frame.js"),
    ContentPackage.Engine.SCORM2004: ("vendor/scorm-again/scorm2004.min.js", "packages/sco-frame.js"),
}
_H5P_RUNTIME_DIR = "vendor/h5p-standalone"
H5P_FRAME_BYTES = 4_000  # the H5P frame page (views.h5p_frame, about 3.6 KB with its resume script), a fixed template
_FILES_CACHE_SECONDS = 24 * 3600


def package_file_sizes(package: ContentPackage) -> list[tuple[str, int]]:
    """Every stored file of ``package`` with its size in bytes. A package's files never change under its uuid, so
    the list is kept in the cache (one storage walk per package, not per download)."""
    from django.core.cache import cache

    from lms.files import private_storage

    from .services import content_package_file_names

    key = f"ruta:package-files:{package.uuid}"
    found = cache.get(key)
    if found is None:
        storage = private_storage()
        found = []
        for name in content_package_file_names(package):
            try:
                size = int(storage.size(package.storage_name(name)))
            except (OSError, ValueError):
                size = 0
            found.append((name, size))
        cache.set(key, found, _FILES_CACHE_SECONDS)
    return [(str(name), int(size)) for name, size in found]


def package_runtime_static(engine: str) -> list[str]:
    """Ruta's static files a package page of ``engine`` loads (on the package origin)."""
    import os

    from django.contrib.staticfiles import finders

    if engine != ContentPackage.Engine.H5P:
        return list(_RUNTIME.get(str(engine), _RUNTIME[ContentPackage.Engine.SCORM12]))
    folder = finders.find(_H5P_RUNTIME_DIR)
    if not isinstance(folder, str):
        return []
    names = []
    for current, _dirs, files in os.walk(folder, followlinks=True):
        for file in files:
            if file.startswith("LICENSE") or file.endswith((".txt", ".map")):
                continue
            relative = os.path.relpath(os.path.join(current, file), folder).replace(os.sep, "/")
            names.append(f"{_H5P_RUNTIME_DIR}/{relative}")
    return sorted(names)


# --- Packages that need the Internet (needs_internet.py): never offered for offline play.


def packages_needing_internet(packages: list[ContentPackage]) -> set[str]:
    """The uuids (as strings) of ``packages`` that load files from the Internet, so they cannot play offline. Kept in
    each package's provenance: no query once known; a package stored before is scanned once, then kept."""
    from .needs_internet import package_needs_internet

    return {str(package.uuid) for package in packages if package_needs_internet(package)}
