"""Packages whose JSON has shapes no parser expected (a string where an object belongs, a list for a policy…) are
refused or read with a reason, never crash; a store that fails halfway leaves no file behind.

Each package is built here with zipfile; the doctor (``package_inspect``) must never raise.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from content.packages import inspection
from content.packages.archive import open_archive
from content.packages.inspection import package_inspect
from content.packages.models import ContentPackage
from content.packages.services import content_package_store
from lms.files import private_storage


def make_zip(path: Path, files: dict[str, object]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data if isinstance(data, str | bytes) else json.dumps(data))
    return path


H5P_CHOICE = {
    "title": "t",
    "mainLibrary": "H5P.MultiChoice",
    "preloadedDependencies": [{"machineName": "H5P.MultiChoice", "majorVersion": 1, "minorVersion": 16}],
}
H5P_SLIDES = {"title": "t", "mainLibrary": "H5P.CoursePresentation", "preloadedDependencies": []}
H5P_SET = {"title": "t", "mainLibrary": "H5P.QuestionSet", "preloadedDependencies": []}
GOOD_ANSWERS = [{"text": "a", "correct": True}, {"text": "b"}]
RUTA = {"format": "ruta-package", "format_version": 1, "course": {"title": "c", "modules": []}}
OLX = {
    "course.xml": '<course url_name="run" org="o" course="c"/>',
    "course/run.xml": '<course display_name="C"><chapter url_name="ch"/></course>',
    "chapter/ch.xml": '<chapter><sequential display_name="s"><vertical><html>hola</html></vertical>'
    '<vertical><video display_name="V" html5_sources="{&quot;a&quot;: 1}"/></vertical></sequential></chapter>',
}

MALFORMED = {
    "h5p answers are strings": {"h5p.json": H5P_CHOICE, "content/content.json": {"question": "q", "answers": ["a"]}},
    "h5p behaviour is a list": {
        "h5p.json": H5P_CHOICE,
        "content/content.json": {"question": "q", "answers": GOOD_ANSWERS, "behaviour": [1]},
    },
    "h5p media is a string": {
        "h5p.json": H5P_CHOICE,
        "content/content.json": {"question": "q", "answers": GOOD_ANSWERS, "media": "x"},
    },
    "h5p feedback is a string": {
        "h5p.json": H5P_CHOICE,
        "content/content.json": {"question": "q", "answers": [{"text": "a", "correct": True, "tipsAndFeedback": "x"}]},
    },
    "h5p slides are strings": {"h5p.json": H5P_SLIDES, "content/content.json": {"presentation": {"slides": ["x"]}}},
    "h5p presentation is a list": {"h5p.json": H5P_SLIDES, "content/content.json": {"presentation": [1]}},
    "h5p slide elements are strings": {
        "h5p.json": H5P_SLIDES,
        "content/content.json": {"presentation": {"slides": [{"elements": ["x", {"action": "y"}]}]}},
    },
    "h5p question set questions are strings": {"h5p.json": H5P_SET, "content/content.json": {"questions": ["x"]}},
    "h5p question params are a list": {
        "h5p.json": H5P_SET,
        "content/content.json": {"questions": [{"library": "H5P.MultiChoice 1.16", "params": [1]}]},
    },
    "h5p library lists are numbers": {
        "h5p.json": {
            **H5P_CHOICE,
            "mainLibrary": "H5P.X",
            "preloadedDependencies": [{"machineName": "H5P.X", "majorVersion": 1, "minorVersion": 0}],
        },
        "content/content.json": {},
        "H5P.X-1.0/library.json": {
            "machineName": "H5P.X",
            "majorVersion": 1,
            "minorVersion": 0,
            "patchVersion": 0,
            "preloadedJs": 5,
            "preloadedDependencies": 7,
        },
    },  # fmt: skip
    "ruta files are strings": {"ruta-package.json": {**RUTA, "files": ["x"]}},
    "ruta modules is a string": {"ruta-package.json": {**RUTA, "course": {"title": "c", "modules": "x"}}},
    "ruta modules are strings": {"ruta-package.json": {**RUTA, "course": {"title": "c", "modules": ["x"]}}},
    "ruta choices are strings": {
        "ruta-package.json": {
            **RUTA,
            "course": {
                "title": "c",
                "modules": [
                    {
                        "title": "m",
                        "lessons": [{"title": "l", "blocks": [{"type": "choice", "prompt": "p", "choices": ["x"]}]}],
                    }
                ],
            },
        },
    },  # fmt: skip
    "olx policy is a list": {**OLX, "policies/run/policy.json": "[1, 2]"},
}


@pytest.mark.parametrize("files", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_package_data_never_crashes_the_doctor(tmp_path, files):
    report = package_inspect(make_zip(tmp_path / "pkg.zip", files))  # used to raise AttributeError/TypeError
    assert report.importable or report.refusal  # read as far as it makes sense, or refused with a reason


def test_a_shape_no_parser_checks_is_refused_with_a_reason_and_logged(tmp_path, monkeypatch, caplog):
    def broken(archive):
        raise AttributeError("'str' object has no attribute 'get'")

    monkeypatch.setattr(inspection, "parse_h5p", broken)
    pkg = make_zip(tmp_path / "pkg.h5p", {"h5p.json": H5P_CHOICE, "content/content.json": {}})
    report = package_inspect(pkg)
    assert not report.importable and report.codes() == ["malformed_data"]
    assert "estructura no válida" in report.refusal and "attribute" not in report.refusal
    assert "malformed data" in caplog.text


def test_ruta_files_that_are_not_objects_refuse_the_package(tmp_path):
    report = package_inspect(make_zip(tmp_path / "pkg.zip", {"ruta-package.json": {**RUTA, "files": ["x"]}}))
    assert report.codes() == ["ruta_bad_manifest"]


def test_olx_policy_that_is_a_list_is_ignored_with_a_warning(tmp_path):
    report = package_inspect(make_zip(tmp_path / "c.zip", {**OLX, "policies/run/policy.json": "[1, 2]"}))
    assert report.importable and "olx_bad_policy" in report.codes("warning")


def stored_files(prefix: str) -> list[Path]:
    root = Path(private_storage().path(prefix))
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_a_store_that_fails_halfway_removes_what_it_wrote(tmp_path, monkeypatch):
    pkg = make_zip(tmp_path / "sco.zip", {f"page{i}.html": f"<p>{i}</p>" for i in range(5)})
    created: list[str] = []
    real_init = ContentPackage.__init__

    def remember(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        created.append(f"paquetes/{self.uuid}/")

    monkeypatch.setattr(ContentPackage, "__init__", remember)
    with open_archive(pkg) as archive:
        real_copy = archive.copy_to
        calls = {"n": 0}

        def disk_full(name, out, **kwargs):
            calls["n"] += 1
            if calls["n"] == 4:
                raise OSError("/srv/ruta/private/paquetes/…: No space left on device")
            return real_copy(name, out, **kwargs)

        monkeypatch.setattr(archive, "copy_to", disk_full)
        with pytest.raises(OSError, match="No space"):
            content_package_store(archive=archive, engine="scorm12", title="SCO")
    (prefix,) = created
    assert stored_files(prefix) == []  # three files were written before the failure: all removed
    assert not Path(private_storage().path(prefix)).exists()
    assert not ContentPackage.objects.exists()
