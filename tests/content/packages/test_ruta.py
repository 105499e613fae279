"""Ruta's own package format: documented manifest, provenance, checksums; export → import → export is lossless."""

from __future__ import annotations

import io
import json
import zipfile

from content.packages.archive import open_archive
from content.packages.inspection import package_inspect
from content.packages.outline import (
    Blank,
    Choice,
    ChoiceActivity,
    FillBlanksActivity,
    Image,
    Lesson,
    Module,
    Outline,
    PackagePlayer,
    Provenance,
    RichText,
    Video,
    outline_from_dict,
    outline_to_dict,
)
from content.packages.ruta import FORMAT_VERSION, parse_ruta, ruta_package_bytes, ruta_read_files


def sample_outline() -> Outline:
    return Outline(
        title="Mi negocio paso a paso",
        format="ruta",
        identifier="ruta:oit:mnp",
        description="Curso base de la OIT",
        language="es",
        certificate_programme="IMESUN-GIN",
        provenance=Provenance(
            original_institution="OIT",
            original_title="Start and Improve Your Business",
            authors="OIT",
            licence="CC BY-NC-SA 4.0",
            version="2.1",
            adapted_by="Municipalidad de Lima",
            change_note="Se adaptó el régimen tributario (RUS) al Perú.",
            parent_identifier="ruta:oit:siyb@2.0",
        ),
        modules=[
            Module(
                title="Mi idea",
                lessons=[
                    Lesson(
                        title="Clientes",
                        blocks=[
                            RichText(html='<p>Hola <img src="media/cliente.png" alt=""></p>'),
                            Image(path="media/cliente.png", alt="Una clienta"),
                            Video(url="https://example.org/v.mp4", title="Video"),
                            ChoiceActivity(
                                prompt="¿Quién compra?",
                                choices=[Choice("Vecinas", True, "Sí"), Choice("Nadie", False, "No")],
                                source_id="q1",
                            ),
                            FillBlanksActivity(
                                prompt="Completa", text="Ganancia = [[1]]", blanks=[Blank(["ingresos"])]
                            ),
                            PackagePlayer(engine="h5p", title="Juego", launch="h5p.json", library="H5P.Accordion 1.0"),
                        ],
                    )
                ],
            )
        ],
    )


def test_outline_dict_round_trip():
    outline = sample_outline()
    assert outline_from_dict(json.loads(json.dumps(outline_to_dict(outline)))) == outline


def test_export_import_export_is_lossless(tmp_path):
    files = {"media/cliente.png": b"\x89PNG fake", "package/h5p.json": b"{}"}
    first = ruta_package_bytes(sample_outline(), files=files)
    path = tmp_path / "curso.zip"
    path.write_bytes(first)

    report = package_inspect(path)
    assert report.importable, report.refusal
    assert (report.format, report.version, report.title) == ("ruta", str(FORMAT_VERSION), "Mi negocio paso a paso")
    assert report.outline.provenance.adapted_by == "Municipalidad de Lima"
    assert report.outline.certificate_programme == "IMESUN-GIN"
    assert "ruta_provenance" in report.codes("info")

    with open_archive(path) as archive:
        parsed = parse_ruta(archive)
        payload = ruta_read_files(archive, parsed.manifest)
    assert payload == files
    second = ruta_package_bytes(parsed.outline, files=payload)
    assert second == first


def test_manifest_is_documented_json(tmp_path):
    data = ruta_package_bytes(sample_outline(), files={"media/cliente.png": b"x"})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["ruta-package.json", "files/media/cliente.png"]
        manifest = json.loads(zf.read("ruta-package.json"))
    assert manifest["format"] == "ruta-package" and manifest["format_version"] == FORMAT_VERSION == 2
    assert manifest["files"][0]["path"] == "media/cliente.png" and len(manifest["files"][0]["sha256"]) == 64
    block_types = [b["type"] for b in manifest["course"]["modules"][0]["lessons"][0]["blocks"]]
    assert block_types == ["rich_text", "image", "video", "choice", "fill_blanks", "package_player"]


def test_tampered_file_is_refused(tmp_path):
    data = ruta_package_bytes(sample_outline(), files={"media/cliente.png": b"original"})
    src = zipfile.ZipFile(io.BytesIO(data))
    path = tmp_path / "tampered.zip"
    with zipfile.ZipFile(path, "w") as out:
        for name in src.namelist():
            out.writestr(name, b"changed" if name.startswith("files/") else src.read(name))
    report = package_inspect(path)
    assert not report.importable and "ruta_checksum" in report.codes("error")


def test_newer_format_is_refused(tmp_path):
    path = tmp_path / "future.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ruta-package.json", json.dumps({"format": "ruta-package", "format_version": 99, "course": {}}))
    report = package_inspect(path)
    assert not report.importable and "actualice Ruta" in report.refusal
