"""Importing a SCORM package marks its block «Calificado» when the manifest declares a mastery score or the package's
own scripts write a score; a content package, or one whose several SCOs share the script that writes it, is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from content.packages.archive import open_archive
from content.packages.services import package_writes_score
from courses.imports.models import PackageImport
from courses.imports.services import package_import_create, package_import_run
from courses.models import LessonPage
from tests.corpus import CORPUS, corpus
from tests.courses.factories import catalogue
from tests.fixtures import packages

pytestmark = pytest.mark.django_db

LAUNCH_WITH_SCORE = """<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>Prueba</title></head>
<body><h1>Prueba final</h1><script>
function registrar(nota) {
  API.LMSSetValue("cmi.core.score.raw", nota);
  API.LMSSetValue("cmi.core.lesson_status", nota >= 70 ? "passed" : "failed");
}
</script></body></html>"""
LAUNCH_CONTENT = """<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>Lectura</title></head>
<body><h1>Costos fijos</h1><script>API.LMSSetValue("cmi.core.lesson_status", "completed");</script></body></html>"""


def scorm12(path: Path, *, launch_html: str, scos: int = 1, mastery: str = "") -> Path:
    items = "".join(
        f'<item identifier="i{n}" identifierref="r{n}"><title>Tema {n}</title>{mastery}</item>' for n in range(scos)
    )
    resources = "".join(
        f'<resource identifier="r{n}" type="webcontent" adlcp:scormtype="sco" href="lanzar.html?tema={n}">'
        '<file href="lanzar.html"/></resource>'
        for n in range(scos)
    )
    manifest = f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="ruta-prueba-calificado" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Costos de mi negocio</title>{items}
  </organization></organizations>
  <resources>{resources}</resources>
</manifest>"""
    return packages.write_zip(path, {"imsmanifest.xml": manifest, "lanzar.html": launch_html})


def imported_package_blocks(path: Path) -> list[tuple[dict, dict]]:
    """(block value, lesson activity ref) of every package block the import created."""
    catalogue()
    record = package_import_run(package_import=package_import_create(file=path))
    assert record.status == PackageImport.Status.DONE, record.error
    found = []
    for lesson in LessonPage.objects.descendant_of(record.course_page).order_by("path"):
        refs = {ref["id"]: ref for ref in lesson.activities}
        found += [(b["value"], refs[b["id"]]) for b in lesson.body.raw_data if b["type"] == "package"]
    return found


def test_a_sco_whose_script_writes_a_score_is_imported_graded(tmp_path):
    ((value, ref),) = imported_package_blocks(scorm12(tmp_path / "prueba.zip", launch_html=LAUNCH_WITH_SCORE))
    assert value["graded"] is True and value["mastery_score"] is None
    assert ref["graded"] is True and ref["weight"] == 1.0


def test_a_manifest_mastery_score_makes_the_sco_graded(tmp_path):
    ((value, ref),) = imported_package_blocks(packages.scorm12_zip(tmp_path / "costos.zip"))
    assert value["graded"] is True and value["mastery_score"] == 0.8 and ref["graded"] is True


def test_a_content_sco_that_writes_no_score_is_not_graded(tmp_path):
    ((value, ref),) = imported_package_blocks(scorm12(tmp_path / "lectura.zip", launch_html=LAUNCH_CONTENT))
    assert value["graded"] is False and ref["graded"] is False and ref["weight"] == 0


def test_several_scos_sharing_the_script_that_writes_a_score_are_not_all_graded(tmp_path):
    """One launch page for every SCO (as Rustici's sequencing examples): which SCO is the test is not known, and
    grading the reading ones would leave the course impossible to complete."""
    found = imported_package_blocks(scorm12(tmp_path / "temas.zip", launch_html=LAUNCH_WITH_SCORE, scos=3))
    assert len(found) == 3 and not any(value["graded"] for value, _ref in found)


def test_the_score_scan_reads_at_most_its_byte_budget(tmp_path):
    padding = "<!-- " + "x" * 5000 + " -->"
    path = scorm12(tmp_path / "larga.zip", launch_html=padding + LAUNCH_WITH_SCORE)
    with open_archive(path) as archive:
        assert package_writes_score(archive) is True
        assert package_writes_score(archive, budget=4000) is False


@corpus
def test_the_golf_runtime_basic_calls_package_imports_graded():
    ((value, ref),) = imported_package_blocks(CORPUS / "scorm12/golf_RuntimeBasicCalls_SCORM12.zip")
    assert value["graded"] is True and value["mastery_score"] is None and ref["graded"] is True


@corpus
def test_the_golf_minimum_calls_package_which_sends_no_score_imports_ungraded():
    found = imported_package_blocks(CORPUS / "scorm12/golf_RuntimeMinimumCalls_SCORM12.zip")
    assert found and not any(value["graded"] for value, _ref in found)
