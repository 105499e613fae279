"""SCORM manifest tolerance: be as forgiving as the major LMSs where the author's intent is clear, and say so."""

from __future__ import annotations

import pytest

from content.packages.errors import PackageRefused
from content.packages.scorm import parse_scorm_manifest

MANIFEST = """<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata><schemaversion>1.2</schemaversion></metadata>
  <organizations{default}>
    <organization identifier="primera"><title>Gestión de tu negocio</title>
      <item identifier="i1" identifierref="r1"><title>Lección única</title></item></organization>
    <organization identifier="segunda"><title>Otra organización</title>
      <item identifier="i2" identifierref="r1"><title>Otra lección</title></item></organization>
  </organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html"/></resources>
</manifest>"""


def _parse(default_attr: str):
    return parse_scorm_manifest(MANIFEST.format(default=default_attr).encode(), names={"index.html"})


def test_a_default_naming_no_organization_falls_back_to_the_first_and_says_so():
    parsed = _parse(' default="NO_EXISTE"')
    assert parsed.outline.title == "Gestión de tu negocio"
    assert [lesson.title for lesson in parsed.outline.lessons()] == ["Lección única"]
    warning = next(f for f in parsed.findings.items if f.code == "broken_default_org")
    assert warning.level == "warning"
    assert "NO_EXISTE" in warning.message and "primera" in warning.message


def test_a_valid_default_organization_is_the_one_imported():
    parsed = _parse(' default="segunda"')
    assert parsed.outline.title == "Otra organización"
    assert not [f for f in parsed.findings.items if f.code == "broken_default_org"]


def test_no_default_takes_the_first_organization_without_a_warning():
    parsed = _parse("")
    assert parsed.outline.title == "Gestión de tu negocio"
    assert not [f for f in parsed.findings.items if f.code == "broken_default_org"]


def test_a_manifest_without_any_organization_is_still_refused():
    data = MANIFEST.format(default="").encode()
    data = data.replace(data[data.index(b"<organizations") : data.index(b"</organizations>")], b"<organizations>")
    with pytest.raises(PackageRefused) as exc:
        parse_scorm_manifest(data, names={"index.html"})
    assert exc.value.code == "no_organization"
