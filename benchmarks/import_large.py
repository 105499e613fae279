"""A 200 MB package: peak memory of the web step (upload stored + package doctor) and of the worker step
(files stored + draft pages created), each in a fresh process, against a baseline process that only sets
Django up and reads the file once.

Run: ``.venv/bin/python benchmarks/import_large.py [--mb 200]``. It builds a SCORM 1.2 package from the corpus's
golf SCO plus incompressible media files (stored, not deflated), uses a throwaway SQLite database and media
folder, and prints peak RSS (``ru_maxrss``) per step, the growth over the baseline, and whether the worker
stayed under 250 MB. Then it exports the imported course as a Ruta package (the SCORM files travel inside it) and
imports that package, each in a fresh process, to show both are streamed too.
"""

from __future__ import annotations

import os
import sys

# benchmarks/http.py is named like the standard library's ``http`` package, and a script's own folder comes first
# on the path: take it out before anything imports ``http.client`` (Django, urllib).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import json
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = (ROOT / ".." / "shared" / "corpus").resolve()
SEED = CORPUS / "scorm12" / "golf_RuntimeBasicCalls_SCORM12.zip"

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.test"
os.environ["RUTA_TEST_PRIVATE_ROOT"] = sys.argv[2] + "/private"
os.environ["DATABASE_URL"] = "sqlite:///" + sys.argv[2] + "/bench.sqlite3"
import django
from django.conf import settings
django.setup()
settings.MEDIA_ROOT = sys.argv[2] + "/media"
step, path = sys.argv[3], sys.argv[4]
start = time.perf_counter()
if step == "setup":
    from django.core.management import call_command
    call_command("migrate", verbosity=0, interactive=False)
    from tests.courses.factories import catalogue
    catalogue()
elif step == "baseline":
    with open(path, "rb") as fh:
        while fh.read(1024 * 1024):
            pass
elif step == "web":
    from courses.imports.services import package_import_create
    from django.core.files import File
    with open(path, "rb") as fh:
        record = package_import_create(file=File(fh, name=os.path.basename(path)))
    print("RECORD", record.pk, record.status, file=sys.stderr)
elif step == "worker":
    from courses.imports.models import PackageImport
    from courses.imports.services import package_import_run
    record = package_import_run(package_import=PackageImport.objects.latest("pk"))
    assert record.status == PackageImport.Status.DONE, record.error
elif step == "export":
    from pathlib import Path
    from courses.imports.models import PackageImport
    from courses.imports.services import course_export_write
    course = PackageImport.objects.filter(status="done").latest("pk").course_page.specific
    course_export_write(course=course, dest=Path(path))
elif step == "ruta-import":
    from pathlib import Path
    from courses.imports.models import PackageImport
    from courses.imports.services import package_import_create, package_import_run
    record = package_import_run(package_import=package_import_create(file=Path(path)))
    assert record.status == PackageImport.Status.DONE, record.error
elapsed = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"step": step, "seconds": elapsed, "peak_mb": peak_mb}))
"""


def build_package(target: Path, megabytes: int) -> Path:
    """The golf SCO plus ``megabytes`` of random media, stored uncompressed (like real video)."""
    chunk = 20
    with zipfile.ZipFile(SEED) as seed, zipfile.ZipFile(target, "w") as out:
        for info in seed.infolist():
            out.writestr(info, seed.read(info.filename))
        for n in range(max(1, megabytes // chunk)):
            with out.open(zipfile.ZipInfo(f"media/video-{n:02d}.mp4"), "w", force_zip64=True) as fh:
                for _ in range(chunk):
                    fh.write(os.urandom(1024 * 1024))
    return target


def run(step: str, workdir: Path, package: Path) -> dict:
    done = subprocess.run(  # noqa: S603 - our own interpreter running our own child script
        [sys.executable, "-c", CHILD, str(ROOT), str(workdir), step, str(package)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        start = time.perf_counter()
        package = build_package(workdir / "large-scorm12.zip", args.mb)
        size = package.stat().st_size / (1024 * 1024)
        print(f"package: {size:.0f} MB built in {time.perf_counter() - start:.1f} s")
        run("setup", workdir, package)
        base = run("baseline", workdir, package)
        web = run("web", workdir, package)
        worker = run("worker", workdir, package)
        ruta = workdir / "course.ruta.zip"
        export = run("export", workdir, ruta)
        reimport = run("ruta-import", workdir, ruta)
        print(f"{'step':<12}{'seconds':>9}{'peak RSS MB':>13}{'over baseline MB':>18}")
        for row in (base, web, worker, export, reimport):
            growth = row["peak_mb"] - base["peak_mb"]
            print(f"{row['step']:<12}{row['seconds']:>9.1f}{row['peak_mb']:>13.0f}{growth:>18.0f}")
        verdict = "under" if worker["peak_mb"] < 250 else "OVER"
        print(
            f"worker peak {worker['peak_mb']:.0f} MB: {verdict} the 250 MB target; "
            f"web step grows {web['peak_mb'] - base['peak_mb']:.0f} MB over the baseline for a {size:.0f} MB file"
        )
        print(
            f"Ruta package of the imported course: {ruta.stat().st_size / (1024 * 1024):.0f} MB, exported at "
            f"{export['peak_mb']:.0f} MB peak and imported (inspect + import) at {reimport['peak_mb']:.0f} MB peak"
        )


if __name__ == "__main__":
    main()
