"""A Moodle course backup (.mbz) is recognised and refused with what to bring instead, not as an «empty Open edX
course»: it has a ``course/course.xml`` one folder down, which the OLX test used to take for an Open edX course."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from content.packages.inspection import package_inspect
from tests.corpus import CORPUS, corpus

MOODLE_BACKUP_XML = """<?xml version="1.0" encoding="UTF-8"?>
<moodle_backup><information><name>costos-20260301.mbz</name><moodle_version>2024042200</moodle_version>
<original_course_fullname>Costos de mi negocio</original_course_fullname>
<original_course_shortname>COSTOS</original_course_shortname></information></moodle_backup>"""

#: the shape of a real backup: the descriptor at the root, then course/, sections/ and activities/
BACKUP_FILES = {
    "moodle_backup.xml": MOODLE_BACKUP_XML,
    "files.xml": "<files></files>",
    "course/course.xml": '<course id="2"><shortname>COSTOS</shortname><fullname>Costos</fullname></course>',
    "sections/section_1/section.xml": '<section id="1"><number>1</number><name>Mis costos</name></section>',
    "activities/page_5/page.xml": '<activity id="5" modulename="page"><page><name>Costos</name></page></activity>',
}


def _mbz_tar(path: Path, files: dict[str, str], prefix: str = "") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            raw = text.encode()
            info = tarfile.TarInfo(prefix + name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return path


def _mbz_zip(path: Path, files: dict[str, str], prefix: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(prefix + name, text)
    return path


def _assert_refused_as_moodle(report) -> None:
    assert not report.importable
    assert report.codes() == ["moodle_unsupported"]
    assert report.format == "moodle"
    reason = report.refusal
    assert "copia de seguridad de un curso de Moodle" in reason
    assert "Ruta no importa copias de seguridad de Moodle" in reason
    assert "SCORM" in reason and "H5P" in reason
    assert "chapter" not in reason and "no tiene ningún módulo" not in reason


def test_gzipped_tar_backup_is_refused_as_a_moodle_backup(tmp_path):
    _assert_refused_as_moodle(package_inspect(_mbz_tar(tmp_path / "costos-20260301.mbz", BACKUP_FILES)))


def test_zip_backup_of_an_older_moodle_is_refused_the_same_way(tmp_path):
    _assert_refused_as_moodle(package_inspect(_mbz_zip(tmp_path / "costos.mbz", BACKUP_FILES)))


def test_backup_unpacked_and_zipped_again_with_its_folder_is_still_recognised(tmp_path):
    report = package_inspect(_mbz_zip(tmp_path / "costos.zip", BACKUP_FILES, prefix="costos-backup/"))
    _assert_refused_as_moodle(report)


def test_an_open_edx_course_is_still_an_open_edx_course(tmp_path):
    """Only the Moodle descriptor decides: an OLX course without it keeps being parsed."""
    from tests.fixtures.packages import olx_course_targz

    report = package_inspect(olx_course_targz(tmp_path / "curso.tar.gz"))
    assert report.format == "olx" and report.importable, report.refusal


MOODLE_CORPUS = ["moodle/surveypro_demo_course-20160108.mbz", "moodle/surveypro_demo_course-20240410.mbz"]


@corpus
@pytest.mark.parametrize("name", MOODLE_CORPUS)
def test_corpus_moodle_backups_are_refused_as_moodle_backups(name):
    _assert_refused_as_moodle(package_inspect(CORPUS / name))
