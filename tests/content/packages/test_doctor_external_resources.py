"""The package doctor warns when a package loads files from the Internet.

Ruta's learners study on poor connections or offline: a SCORM page whose jQuery comes from a CDN throws «$ is not
defined» offline, its session never starts and nothing is recorded; an H5P video on h5p.org does not play. And each
learner's browser contacts those sites. The doctor names the sites in one warning, so the admin can ask for a
self-contained version before importing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from content.packages.inspection import package_inspect
from tests.corpus import CORPUS, corpus
from tests.fixtures.packages import _h5p, scorm12_zip, write_zip

CODE = "external_resources"


def external(report) -> list[str]:
    return [f.message for f in report.findings if f.code == CODE and f.level == "warning"]


def scorm_with_page(tmp_path: Path, page: str, extra: dict[str, str] | None = None) -> Path:
    """The fixture SCORM 1.2 package with its launch page replaced by ``page``."""
    base = scorm12_zip(tmp_path / "base.zip")
    with zipfile.ZipFile(base) as zf:
        entries: dict[str, bytes | str] = {name: zf.read(name) for name in zf.namelist()}
    entries["shared/launchpage.html"] = page
    entries.update(extra or {})
    return write_zip(tmp_path / "paquete.zip", entries)


PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
  "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" lang="es"><head><meta charset="utf-8"><title>Costos</title>
<link rel="stylesheet" href="estilo.css"><link rel="canonical" href="https://www.ejemplo.pe/costos">
%(head)s
</head><body><h1>Calcula tus costos, Ñusta</h1>
<!-- <script src="https://comentado.example.com/viejo.js"></script> -->
<p>Más en <a href="https://www.sunat.gob.pe/orientacion">la SUNAT</a>.</p>
<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>
<img src="../imagenes/puesto.png" alt="Un puesto de comida">
<script src="sco.js"></script></body></html>"""


# --- crafted packages (always run) ---------------------------------------------------------------------------


def test_scorm_loading_a_script_from_a_cdn_is_warned_and_names_the_host(tmp_path):
    path = scorm_with_page(tmp_path, PAGE % {"head": '<script src="https://cdn.example.org/x.js"></script>'})
    report = package_inspect(path)
    (message,) = external(report)
    assert "cdn.example.org" in message
    assert "sin conexión" in message and "Pida una versión con todos sus archivos dentro" in message
    assert "www.sunat.gob.pe" not in message and "comentado.example.com" not in message
    assert report.importable  # a warning: the admin decides


def test_self_contained_scorm_with_only_links_namespaces_and_comments_gets_no_warning(tmp_path):
    path = scorm_with_page(tmp_path, PAGE % {"head": ""})
    report = package_inspect(path)
    assert report.importable
    assert CODE not in report.codes()


def test_styles_images_and_media_from_elsewhere_are_found(tmp_path):
    head = (
        "<link href='//fonts.googleapis.com/css?family=Lato' rel='stylesheet'>"
        '<style>@import "https://estilos.example.net/base.css";</style>'
    )
    extra = {
        "shared/estilo.css": "body{background:url( 'https://imagenes.example.com/fondo.png' )}",
        "shared/video.html": '<video controls><source src="http://videos.example.edu.ec/clase.mp4"></video>',
    }
    report = package_inspect(scorm_with_page(tmp_path, PAGE % {"head": head}, extra))
    (message,) = external(report)
    for host in ("fonts.googleapis.com", "estilos.example.net", "imagenes.example.com", "videos.example.edu.ec"):
        assert host in message


def test_many_hosts_are_named_up_to_five_then_counted(tmp_path):
    head = "".join(f'<script src="https://cdn{i}.example.org/x.js"></script>' for i in range(1, 8))
    (message,) = external(package_inspect(scorm_with_page(tmp_path, PAGE % {"head": head})))
    assert "cdn1.example.org, cdn2.example.org, cdn3.example.org, cdn4.example.org, cdn5.example.org y 2 más" in message
    assert "cdn6" not in message and "cdn7" not in message


def test_h5p_whose_video_is_on_another_site_is_warned(tmp_path):
    content = {
        "interactiveVideo": {
            "video": {"files": [{"path": "https://videos.example.org/clase.mp4", "mime": "video/mp4"}]},
            "assets": {"interactions": []},
        },
        "texto": '<p>Foto: <img src="https://fotos.example.com/a.jpg"></p>',
    }
    path = _h5p(tmp_path / "video.h5p", "Clase en video de José", "H5P.InteractiveVideo", content)
    (message,) = external(package_inspect(path))
    assert "videos.example.org" in message and "fotos.example.com" in message


def test_h5p_with_its_media_inside_gets_no_warning(tmp_path):
    content = {
        "interactiveVideo": {
            "video": {"files": [{"path": "videos/clase.mp4", "mime": "video/mp4"}]},
            "assets": {"interactions": []},
        },
        "texto": '<p>Lee <a href="https://www.gob.ec/tramites">los trámites</a>.</p>',
    }
    extra = {"content/videos/clase.mp4": b"\x00\x00\x00\x18ftypmp42"}
    path = _h5p(tmp_path / "video.h5p", "Clase en video", "H5P.InteractiveVideo", content, extra)
    assert CODE not in package_inspect(path).codes()


def test_h5p_plain_http_path_deep_in_the_content_is_found(tmp_path):
    content = {"media": {"type": {"params": {"file": {"path": "http://h5p.example.org/iv.mp4"}}}}}
    path = _h5p(tmp_path / "x.h5p", "Media", "H5P.Image", content)
    (message,) = external(package_inspect(path))
    assert "h5p.example.org" in message


# --- the shared corpus -------------------------------------------------------------------------------------


@corpus
def test_corpus_golf_post_test_rollup_loads_jquery_from_google():
    report = package_inspect(CORPUS / "scorm2004/golf_SequencingPostTestRollup4thEd_SCORM20044thEdition.zip")
    (message,) = external(report)
    assert "ajax.googleapis.com" in message
    assert "www.w3.org" not in message and "www.scorm.com" not in message  # the DTD and the credits link


@corpus
def test_corpus_h5p_interactive_video_plays_from_h5p_org():
    (message,) = external(package_inspect(CORPUS / "h5p/H5P.InteractiveVideo.h5p"))
    assert "h5p.org" in message
    assert "youtube" not in message  # a commented-out frame in the bundled H5P.Video library


@corpus
def test_corpus_self_contained_golf_gets_no_warning():
    report = package_inspect(CORPUS / "scorm12/golf_RuntimeBasicCalls_SCORM12.zip")
    assert report.importable
    assert CODE not in report.codes()
