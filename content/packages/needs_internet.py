"""Whether a stored package needs the Internet to play: its pages, scripts, styles (or H5P content) load files from
other sites (a jQuery on a CDN, fonts, a video on h5p.org, a YouTube frame). Downloaded for offline study, such a
package shows blank or broken, so courses never offers it offline and tells the learner which lessons need signal.

The detection is the package doctor's (``inspection.package_external_hosts``, warning ``external_resources``), run
on the package's stored files instead of the uploaded archive. It is computed once per package and kept in
``ContentPackage.provenance["internet"]`` (``{"v": SCAN_VERSION, "hosts": [...]}``); packages stored before it get
it the first time someone asks (lazily backfilled), so no migration is needed. A package's files never change under
its uuid, so the value never goes stale; a new ``SCAN_VERSION`` (a better detection) computes it again.

Must not import courses or certification.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from django.db import transaction

from .inspection import package_external_hosts
from .models import ContentPackage

if TYPE_CHECKING:
    from .archive import SafeArchive

logger = logging.getLogger(__name__)

KEY = "internet"  # in ContentPackage.provenance
SCAN_VERSION = 1


class StoredPackageFiles:
    """The stored files of a package, read like an uploaded archive (what the doctor's detection reads)."""

    def __init__(self, package: ContentPackage) -> None:
        from .selectors import package_file_sizes

        self.package = package
        self._sizes = dict(package_file_sizes(package))

    def names(self) -> list[str]:
        return list(self._sizes)

    def has(self, name: str) -> bool:
        return name in self._sizes

    def size(self, name: str) -> int:
        return self._sizes[name]

    def read(self, name: str, *, max_size: int | None = None) -> bytes:
        from lms.files import private_storage

        with private_storage().open(self.package.storage_name(name), "rb") as handle:
            data = handle.read() if max_size is None else handle.read(max_size + 1)
        if max_size is not None and len(data) > max_size:
            return b""  # grew beyond what its size said: not read, as the doctor skips large files
        return bytes(data)


def stored_package_external_hosts(package: ContentPackage) -> list[str]:
    """The hosts ``package``'s stored files load files from, sorted (the doctor's detection; one storage walk)."""
    files = StoredPackageFiles(package)
    fmt = "h5p" if package.engine == ContentPackage.Engine.H5P else str(package.engine)
    return sorted(package_external_hosts(cast("SafeArchive", files), fmt))


def _kept(package: ContentPackage) -> list[str] | None:
    record = (package.provenance or {}).get(KEY) if isinstance(package.provenance, dict) else None
    if isinstance(record, dict) and record.get("v") == SCAN_VERSION and isinstance(record.get("hosts"), list):
        return [str(host) for host in record["hosts"]]
    return None


def package_internet_record(package: ContentPackage) -> list[str]:
    """Compute and keep in ``package.provenance`` the hosts ``package`` loads files from (also called right after a
    package is stored, so that its first learner does not wait for the scan). Returns them."""
    try:
        hosts = stored_package_external_hosts(package)
    except OSError:
        logger.warning("package %s: its stored files could not be read to tell whether it needs the Internet",
                       package.uuid, exc_info=True)  # fmt: skip
        return []  # not kept: asked again next time
    record = {"v": SCAN_VERSION, "hosts": hosts}
    if package.pk is not None:
        with transaction.atomic():  # merged into the row's current provenance: never writes back an older copy
            fresh = (
                ContentPackage.objects.select_for_update().filter(pk=package.pk).values_list("provenance", flat=True)
            )
            current = next(iter(fresh), None)
            if current is not None:
                provenance = {**(current if isinstance(current, dict) else {}), KEY: record}
                ContentPackage.objects.filter(pk=package.pk).update(provenance=provenance)
    package.provenance = {**(package.provenance if isinstance(package.provenance, dict) else {}), KEY: record}
    return hosts


def package_internet_hosts(package: ContentPackage) -> list[str]:
    """The hosts ``package`` loads files from: kept in its provenance, else computed now and kept."""
    kept = _kept(package)
    return kept if kept is not None else package_internet_record(package)


def package_needs_internet(package: ContentPackage) -> bool:
    """Whether ``package`` loads files from the Internet, so it cannot play offline (no query once it is kept)."""
    return bool(package_internet_hosts(package))
