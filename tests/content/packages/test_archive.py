"""Safe archive reading: crafted malicious archives are refused and nothing is written outside the folder.

Database-free: these tests only need Django's settings (for translations).
"""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from content.packages.archive import ArchiveLimits, check_entry_name, open_archive
from content.packages.errors import PackageRefused
from content.packages.inspection import package_inspect
from content.packages.safexml import html_is_active, html_to_text, parse_xml, sanitize_html, svg_is_active


def make_zip(path: Path, entries: dict[str, bytes], *, symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(info, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def make_tar(path: Path, members: list[tarfile.TarInfo], payloads: dict[str, bytes] | None = None) -> Path:
    payloads = payloads or {}
    with tarfile.open(path, "w:gz") as tar:
        for member in members:
            data = payloads.get(member.name)
            if data is not None:
                member.size = len(data)
                tar.addfile(member, io.BytesIO(data))
            else:
                tar.addfile(member)
    return path


def outside_files(root: Path, inside: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and inside not in p.parents and p.name != "pkg.zip"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("../evil.txt", "path_traversal"),
        ("a/../../evil.txt", "path_traversal"),
        ("/etc/passwd", "absolute_path"),
        ("C:/Windows/evil.txt", "absolute_path"),
        ("c:evil.txt", "absolute_path"),
        ("a\\..\\evil.txt", "bad_name"),
        ("evil\x00.txt", "bad_name"),
        ("", "bad_name"),
    ],
)
def test_bad_entry_names_are_refused(name, code):
    with pytest.raises(PackageRefused) as exc:
        check_entry_name(name)
    assert exc.value.code == code
    assert str(exc.value)  # a sentence for the admin


def test_entry_names_are_normalised():
    assert check_entry_name("./course/course.xml") == "course/course.xml"
    assert check_entry_name("a//b/./c.txt") == "a/b/c.txt"


def test_zip_slip_is_refused_and_nothing_is_written(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {"imsmanifest.xml": b"<manifest/>", "../../evil.txt": b"pwned"})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "path_traversal"
    assert not (tmp_path.parent / "evil.txt").exists()
    report = package_inspect(pkg)
    assert not report.importable
    assert "fuera de su carpeta" in report.refusal


def test_absolute_path_zip_is_refused(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {"/var/evil.txt": b"x"})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "absolute_path"


def test_duplicate_names_including_case_folded_are_refused(tmp_path):
    pkg = tmp_path / "pkg.zip"
    with zipfile.ZipFile(pkg, "w") as zf:
        zf.writestr("Index.html", b"a")
        zf.writestr("index.HTML", b"b")
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "duplicate"


def test_exact_duplicate_names_are_refused(tmp_path):
    pkg = tmp_path / "pkg.zip"
    with zipfile.ZipFile(pkg, "w") as zf, pytest.warns(UserWarning):
        zf.writestr("a.txt", b"a")
        zf.writestr("a.txt", b"b")
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "duplicate"


def test_symlink_in_zip_is_refused(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {"index.html": b"<p>"}, symlinks={"link": "/etc/passwd"})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "special_file"


def test_zip_bomb_is_refused_by_ratio(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {"bomb.bin": b"\0" * (20 * 1024 * 1024)})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "zip_bomb"


def test_many_small_entries_that_expand_too_much_together_are_refused(tmp_path):
    # each entry stays at 1 MiB, below the per-entry check; together 60 MiB packed into about 60 KiB (≈ 1000:1)
    pkg = make_zip(tmp_path / "pkg.zip", {f"pad/{i:03d}.bin": b"\0" * (1024 * 1024) for i in range(60)})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "zip_bomb" and "200 veces" in str(exc.value)
    report = package_inspect(pkg)
    assert report.codes() == ["zip_bomb"]


def test_ordinary_compressible_packages_pass_the_whole_archive_ratio(tmp_path):
    text = b"<p>Costos fijos y variables.</p>\n" * 2000  # HTML compresses well, far below 200:1
    pkg = make_zip(tmp_path / "pkg.zip", {f"page{i}.html": text + bytes([i]) for i in range(40)})
    with open_archive(pkg) as archive:
        assert archive.total_size() > 1024 * 1024


@pytest.mark.parametrize(
    "names",
    [
        ["zz", "zz/x.txt"],  # a file, then a file inside a folder of the same name
        ["zz/x.txt", "zz"],  # the other order
        ["a/b/zz", "a/b/zz/c/d.txt"],  # deeper
        ["ZZ", "zz/x.txt"],  # the same after case folding (a case-insensitive disk)
    ],
)
def test_a_file_that_is_also_a_folder_is_refused(tmp_path, names):
    pkg = make_zip(tmp_path / "pkg.zip", {name: b"x" for name in names})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "file_folder_clash"
    assert "a la vez un archivo y la carpeta" in str(exc.value)


def test_a_file_that_is_also_a_folder_is_refused_in_a_tar(tmp_path):
    members = [tarfile.TarInfo("course/zz"), tarfile.TarInfo("course/zz/x.txt")]
    pkg = make_tar(tmp_path / "c.tar.gz", members, {"course/zz": b"x", "course/zz/x.txt": b"y"})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "file_folder_clash"


def test_folders_and_files_with_similar_names_are_fine(tmp_path):
    names = ["zz/", "zz/x.txt", "zz.txt", "zzz/y.txt", "a/zz", "b/zz/c.txt"]
    with open_archive(make_zip(tmp_path / "pkg.zip", {name: b"x" for name in names})) as archive:
        assert sorted(archive.names()) == ["a/zz", "b/zz/c.txt", "zz.txt", "zz/x.txt", "zzz/y.txt"]


def test_total_size_and_entry_count_limits(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {f"f{i}.txt": b"x" * 100 for i in range(20)})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg, limits=ArchiveLimits(max_entries=10))
    assert exc.value.code == "too_many_entries"
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg, limits=ArchiveLimits(max_total_size=1000))
    assert exc.value.code == "too_large"


def test_read_is_bounded(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {"big.txt": b"y" * 5000})
    with open_archive(pkg) as archive:
        with pytest.raises(PackageRefused) as exc:
            archive.read("big.txt", max_size=1000)
        assert exc.value.code == "file_too_large"
        assert archive.read("big.txt") == b"y" * 5000


def test_lying_zip_header_is_caught_while_streaming(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {"a.txt": b"z" * 4000})
    with open_archive(pkg) as archive:
        archive._infos["a.txt"].file_size = 100  # a header that understates the real size
        with pytest.raises(PackageRefused) as exc:
            archive.read("a.txt")
        assert exc.value.code in ("size_mismatch", "corrupt_entry")


def test_extract_all_stays_inside(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {"a/b/c.txt": b"ok", "index.html": b"<p>hola</p>"})
    out = tmp_path / "out"
    with open_archive(pkg) as archive:
        written = archive.extract_all(out)
    assert sorted(written) == ["a/b/c.txt", "index.html"]
    assert (out / "a" / "b" / "c.txt").read_bytes() == b"ok"
    assert outside_files(tmp_path, out) == []


def test_not_an_archive(tmp_path):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"TEST")
    report = package_inspect(bogus)
    assert not report.importable
    assert report.codes() == ["not_an_archive"]


def test_truncated_zip_is_refused(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {"a.txt": b"hola" * 1000})
    data = pkg.read_bytes()
    pkg.write_bytes(data[: len(data) // 2])
    with pytest.raises(PackageRefused):
        open_archive(pkg)


# --- tar.gz -----------------------------------------------------------------------------------------------


def _file(name: str) -> tarfile.TarInfo:
    return tarfile.TarInfo(name)


def test_tar_symlink_is_refused(tmp_path):
    link = tarfile.TarInfo("course/static/link")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    pkg = make_tar(tmp_path / "c.tar.gz", [_file("course/course.xml"), link], {"course/course.xml": b"<course/>"})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "special_file"


def test_tar_hardlink_and_device_are_refused(tmp_path):
    hard = tarfile.TarInfo("course/hard")
    hard.type = tarfile.LNKTYPE
    hard.linkname = "course/course.xml"
    pkg = make_tar(tmp_path / "h.tar.gz", [_file("course/course.xml"), hard], {"course/course.xml": b"<course/>"})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "special_file"
    dev = tarfile.TarInfo("course/dev")
    dev.type = tarfile.CHRTYPE
    pkg = make_tar(tmp_path / "d.tar.gz", [dev])
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "special_file"


def test_tar_traversal_is_refused_and_nothing_written(tmp_path):
    pkg = make_tar(tmp_path / "t.tar.gz", [_file("../../evil.txt")], {"../../evil.txt": b"pwned"})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "path_traversal"
    assert not (tmp_path.parent / "evil.txt").exists()
    assert not (tmp_path.parent.parent / "evil.txt").exists()


def test_tar_bomb_is_refused(tmp_path):
    pkg = make_tar(tmp_path / "b.tar.gz", [_file("course/zeros.bin")], {"course/zeros.bin": b"\0" * (20 * 1024 * 1024)})
    with pytest.raises(PackageRefused) as exc:
        open_archive(pkg)
    assert exc.value.code == "zip_bomb"


def test_tar_temp_folder_is_removed_on_close(tmp_path):
    pkg = make_tar(tmp_path / "ok.tar.gz", [_file("course/course.xml")], {"course/course.xml": b"<course/>"})
    archive = open_archive(pkg)
    tmp = archive._tmp
    assert archive.read("course/course.xml") == b"<course/>"
    archive.close()
    assert not tmp.exists()


# --- XML and HTML ------------------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<manifest identifier="x"><organizations><organization identifier="o"><title>&xxe;</title></organization>
</organizations></manifest>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><lolz>&lol3;</lolz>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS])
def test_xml_entities_are_refused(payload):
    with pytest.raises(PackageRefused) as exc:
        parse_xml(payload, name="imsmanifest.xml")
    assert exc.value.code == "xml_forbidden"


def test_xxe_manifest_package_is_refused(tmp_path):
    pkg = make_zip(tmp_path / "pkg.zip", {"imsmanifest.xml": XXE, "index.html": b"<p>"})
    report = package_inspect(pkg)
    assert not report.importable
    assert report.codes() == ["xml_forbidden"]
    assert "passwd" not in report.refusal


def test_sanitize_html_removes_scripts_and_handlers():
    dirty = (
        '<p onclick="steal()">Hola <script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<img src="a.png" onerror="steal()"><iframe src="//evil"></iframe><style>*{}</style></p>'
    )
    clean = sanitize_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean and "iframe" not in clean and "style" not in clean
    assert "Hola" in clean and '<img src="a.png">' in clean


def test_html_to_text_strips_markup():
    assert html_to_text("<p>Uno <b>dos</b></p><script>x()</script><p>tres &amp; cuatro</p>") == "Uno dos\ntres & cuatro"


def test_active_svg_and_html_are_detected():
    assert svg_is_active(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    assert svg_is_active(b'<svg><circle onload="alert(1)"/></svg>')
    assert not svg_is_active(b'<svg><circle r="1"/></svg>')
    assert html_is_active(b"<p onmouseover='x()'>")


def test_script_bearing_svg_in_a_package_is_neutralised(tmp_path):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
    manifest = b"""<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
      xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata><schemaversion>1.2</schemaversion></metadata>
      <organizations default="o"><organization identifier="o"><title>T</title>
      <item identifier="i" identifierref="r"><title>L</title></item></organization></organizations>
      <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"/></resources>
      </manifest>"""
    pkg = make_zip(tmp_path / "pkg.zip", {"imsmanifest.xml": manifest, "index.html": b"<p>", "img/x.svg": svg})
    report = package_inspect(pkg)
    assert report.importable
    assert "active_svg" in report.codes("warning")


def test_heavy_media_is_reported(tmp_path):
    manifest = b"""<manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
      xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata><schemaversion>1.2</schemaversion></metadata>
      <organizations default="o"><organization identifier="o"><title>T</title>
      <item identifier="i" identifierref="r"><title>L</title></item></organization></organizations>
      <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html"/></resources>
      </manifest>"""
    pkg = tmp_path / "heavy.zip"
    with zipfile.ZipFile(pkg, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("imsmanifest.xml", manifest)
        zf.writestr("index.html", b"<p>")
        zf.writestr("video/clase.mp4", b"\x00\x01" * (11 * 1024 * 1024))
    report = package_inspect(pkg)
    assert report.importable
    heavy = next(f for f in report.findings if f.code == "heavy_file")
    assert heavy.level == "warning" and "video/clase.mp4" in heavy.message and "datos móviles" in heavy.message


@pytest.mark.parametrize(
    ("entry", "prefix"),
    [
        ("ruta-package.json", '{"format": "ruta-package", "format_version": 2, "course": {"modules": '),
        ("h5p.json", '{"title": "x", "mainLibrary": "H5P.MultiChoice", "preloadedDependencies": '),
    ],
)
def test_json_nested_to_break_parsers_is_refused_with_a_reason(tmp_path, entry, prefix):
    path = tmp_path / "deep.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(entry, prefix + "[" * 100_000 + "]" * 100_000 + "}}")
    report = package_inspect(path)  # never raises
    assert not report.importable and report.refusal


def test_sanitize_rich_text_keeps_wagtail_references_and_is_idempotent():
    from content.packages.safexml import sanitize_rich_text

    markup = (
        '<p data-block-key="k1">Ver <a linktype="page" id="page:m1.l2">lección</a> y <a href="https://ilo.org">OIT</a>'
        '</p><embed alt="Feria" embedtype="image" format="left" id="image:ab12">'
        '<p onclick="x()">a<script>alert(1)</script><a href="javascript:alert(1)">b</a>'
        '<embed embedtype="media" url="u">'
        "<iframe src=https://evil.example></iframe></p>"
    )
    clean = sanitize_rich_text(markup)
    assert '<a linktype="page" id="page:m1.l2">' in clean and 'data-block-key="k1"' in clean
    assert '<embed alt="Feria" embedtype="image" format="left" id="image:ab12">' in clean
    for bad in ("onclick", "script", "javascript", "media", "iframe", "evil"):
        assert bad not in clean
    assert sanitize_rich_text(clean) == clean
