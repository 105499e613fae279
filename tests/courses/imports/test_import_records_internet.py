"""An import scans the stored package once for files it loads from the Internet, so the first learner who opens
or downloads the course does not wait for that scan (up to the whole package read from storage)."""

from __future__ import annotations

import pytest

from content.packages.models import ContentPackage
from content.packages.needs_internet import package_needs_internet
from courses.imports.models import PackageImport
from courses.imports.services import package_import_create, package_import_run
from tests.corpus import CORPUS, corpus
from tests.courses.factories import catalogue

pytestmark = [pytest.mark.django_db, corpus]


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("scorm2004/golf_SequencingPostTestRollup4thEd_SCORM20044thEdition.zip", True),
        ("scorm12/golf_RuntimeBasicCalls_SCORM12.zip", False),
    ],
)
def test_the_import_keeps_whether_the_package_needs_the_internet(name, needs, django_assert_num_queries):
    catalogue().save_revision().publish()
    record = package_import_run(package_import=package_import_create(file=CORPUS / name))
    assert record.status == PackageImport.Status.DONE, record.error
    package = ContentPackage.objects.get()  # the package the import stored
    assert package.provenance.get("internet", {}).get("v") == 1  # kept by the import
    fresh = ContentPackage.objects.get(pk=package.pk)
    with django_assert_num_queries(0):  # read from what the import kept: no scan, no write
        assert package_needs_internet(fresh) is needs
