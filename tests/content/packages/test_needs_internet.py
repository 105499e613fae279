"""Ruta knows, per stored package, whether it needs the Internet: the package doctor's ``external_resources``
detection, run on the package's stored files, kept in its provenance (computed once; packages stored before get it
the first time someone asks). A learner is then never offered such a package for offline study."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from content.packages.archive import open_archive
from content.packages.models import ContentPackage
from content.packages.needs_internet import KEY, package_internet_hosts, package_needs_internet
from content.packages.selectors import packages_needing_internet
from content.packages.services import content_package_store
from tests.corpus import CORPUS, corpus
from tests.fixtures.packages import _h5p, scorm12_zip, write_zip

pytestmark = pytest.mark.django_db


def store(path: Path, engine: str, title: str) -> ContentPackage:
    with open_archive(path) as archive:
        return content_package_store(archive=archive, engine=engine, title=title)


def scorm_with_head(tmp_path: Path, head: str) -> Path:
    """The fixture SCORM 1.2 package whose launch page loads ``head`` (and links to a ministry's page)."""
    base = scorm12_zip(tmp_path / "base.zip")
    with zipfile.ZipFile(base) as zf:
        entries: dict[str, bytes | str] = {name: zf.read(name) for name in zf.namelist()}
    entries["shared/launchpage.html"] = (
        '<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>Costos</title>'
        f"{head}</head><body><h1>Calcula tus costos, Ñusta</h1>"
        '<p>Más en <a href="https://www.sunat.gob.pe/orientacion">la SUNAT</a>.</p>'
        '<script src="sco.js"></script></body></html>'
    )
    return write_zip(tmp_path / "paquete.zip", entries)


def test_a_scorm_package_loading_jquery_from_a_cdn_needs_the_internet(tmp_path, private_root):
    head = '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
    package = store(scorm_with_head(tmp_path, head), "scorm12", "Costos")
    assert package_needs_internet(package)
    assert package_internet_hosts(package) == ["code.jquery.com"]


def test_a_self_contained_scorm_package_with_only_links_does_not(tmp_path, private_root):
    package = store(scorm_with_head(tmp_path, ""), "scorm12", "Costos")
    assert not package_needs_internet(package)


def test_an_h5p_whose_video_is_on_another_site_needs_the_internet(tmp_path, private_root):
    content = {"interactiveVideo": {"video": {"files": [{"path": "https://videos.example.org/clase.mp4"}]}}}
    package = store(_h5p(tmp_path / "video.h5p", "Clase de José", "H5P.InteractiveVideo", content), "h5p", "Clase")
    assert package_internet_hosts(package) == ["videos.example.org"]


def test_the_answer_is_kept_in_the_package_and_read_without_scanning_again(tmp_path, private_root):
    head = '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato">'
    package = store(scorm_with_head(tmp_path, head), "scorm12", "Costos")
    assert KEY not in package.provenance  # stored before (or without) the scan: backfilled on first use
    assert package_needs_internet(package)
    fresh = ContentPackage.objects.get(pk=package.pk)
    assert fresh.provenance[KEY]["hosts"] == ["fonts.googleapis.com"]
    for path in private_root.rglob("*.html"):
        path.unlink()  # a second answer reads no file: it comes from the row already loaded
    with CaptureQueriesContext(connection) as queries:
        assert package_needs_internet(fresh) and packages_needing_internet([fresh]) == {str(fresh.uuid)}
    assert len(queries) == 0


def test_the_scan_keeps_what_else_the_provenance_says(tmp_path, private_root):
    package = store(scorm_with_head(tmp_path, ""), "scorm12", "Costos")
    ContentPackage.objects.filter(pk=package.pk).update(provenance={"original_title": "Costos de mi negocio"})
    assert not package_needs_internet(package)
    fresh = ContentPackage.objects.get(pk=package.pk)
    assert fresh.provenance["original_title"] == "Costos de mi negocio" and fresh.provenance[KEY]["hosts"] == []


# --- the shared corpus -------------------------------------------------------------------------------------


@corpus
def test_corpus_golf_post_test_rollup_needs_the_internet_for_its_jquery(private_root):
    package = store(
        CORPUS / "scorm2004/golf_SequencingPostTestRollup4thEd_SCORM20044thEdition.zip", "scorm2004", "Golf"
    )
    hosts = package_internet_hosts(package)
    assert "ajax.googleapis.com" in hosts
    assert "www.w3.org" not in hosts and "www.scorm.com" not in hosts


@corpus
def test_corpus_h5p_interactive_video_needs_the_internet_for_its_video(private_root):
    package = store(CORPUS / "h5p/H5P.InteractiveVideo.h5p", "h5p", "Video interactivo")
    assert "h5p.org" in package_internet_hosts(package)


@corpus
def test_corpus_self_contained_packages_do_not_need_the_internet(private_root):
    golf = store(CORPUS / "scorm12/golf_RuntimeBasicCalls_SCORM12.zip", "scorm12", "Golf")
    true_false = store(CORPUS / "h5p/H5P.TrueFalse_h5p-standalone-test.h5p", "h5p", "Verdadero o falso")
    assert not package_needs_internet(golf) and not package_needs_internet(true_false)
    assert packages_needing_internet([golf, true_false]) == set()
