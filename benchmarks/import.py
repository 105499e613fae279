"""Package import: time and peak memory to inspect and to import every package of the shared corpus.

Run: ``.venv/bin/python benchmarks/import.py [--corpus ../shared/corpus] [--no-import]``. It sets Django up
against a throwaway SQLite database and media folder (nothing of yours is touched) and prints, per package:

* ``inspect``: open the archive safely, detect the format, parse, run the doctor (pure, no database);
* ``import``: the same plus storing files and creating the draft pages (only for importable packages);
* peak Python memory (tracemalloc) of each step and the package's size, so "memory stays bounded by the
  largest file read, not by the package" can be checked (inspection is timed in a separate, untraced run;
  import times include tracemalloc's overhead);
* as a baseline measured in the same run, the time to merely read every byte of the file (``read``), and
  each step as a ratio to it.
"""

from __future__ import annotations

import os
import sys

# benchmarks/http.py is named like the standard library's ``http`` package, and a script's own folder comes first
# on the path: take it out before anything imports ``http.client`` (Django, urllib).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SUFFIXES = (".zip", ".h5p", ".imscc", ".tar.gz")


def setup(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.test"
    os.environ["RUTA_TEST_PRIVATE_ROOT"] = str(workdir / "private")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import django
    from django.conf import settings

    django.setup()
    settings.MEDIA_ROOT = workdir / "media"
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)


def measure(fn, *, traced: bool = True):
    """(result, seconds, peak bytes). Tracing memory slows Python down, so inspections are timed untraced."""
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    peak = 0
    if traced:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return result, elapsed, peak


def read_all(path: Path) -> int:
    total = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1024 * 1024):
            total += len(chunk)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--no-import", action="store_true", help="only inspect (no database work)")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    files = sorted(
        p for p in corpus.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES) and "badges" not in p.parts
    )
    if not files:
        sys.exit(f"no packages under {corpus}")

    with tempfile.TemporaryDirectory(prefix="ruta-bench-") as tmp:
        setup(Path(tmp))
        from content.packages.inspection import package_inspect
        from courses.imports.services import package_import_create, package_import_run
        from tests.courses.factories import catalogue

        catalogue()
        totals = {"read": 0.0, "inspect": 0.0, "import": 0.0}
        peaks = {"inspect": 0, "import": 0}
        imported = 0
        columns = [("KB", 7), ("read ms", 8), ("inspect ms", 10), ("peak KB", 8), ("import ms", 9), ("peak KB", 8)]
        header = f"{'package':<62} " + " ".join(f"{c:>{w}}" for c, w in columns)
        print(header)
        print("-" * len(header))
        for path in files:
            _n, t_read, _p = measure(lambda p=path: read_all(p))
            report, t_inspect, _p = measure(lambda p=path: package_inspect(p), traced=False)
            _r, _t, p_inspect = measure(lambda p=path: package_inspect(p))
            totals["read"] += t_read
            totals["inspect"] += t_inspect
            peaks["inspect"] = max(peaks["inspect"], p_inspect)
            t_import = p_import = None
            if report.importable and not args.no_import:
                record, t_import, p_import = measure(
                    lambda p=path: package_import_run(package_import=package_import_create(file=p))
                )
                assert record.status == "done", (path, record.error)
                imported += 1
                totals["import"] += t_import
                peaks["import"] = max(peaks["import"], p_import)
            name = str(path.relative_to(corpus))[:62]
            print(
                f"{name:<62} {path.stat().st_size / 1024:>7.0f} {t_read * 1000:>8.2f} {t_inspect * 1000:>10.1f} "
                f"{p_inspect / 1024:>8.0f} "
                + (f"{t_import * 1000:>9.1f} {p_import / 1024:>8.0f}" if t_import is not None else f"{'-':>9} {'-':>8}")
            )
        size = sum(p.stat().st_size for p in files) / (1024 * 1024)
        print()
        print(f"{len(files)} packages, {size:.1f} MB; {imported} imported as draft courses")
        print(f"read every byte (baseline): {totals['read'] * 1000:.0f} ms")
        print(
            f"inspect all: {totals['inspect'] * 1000:.0f} ms ({totals['inspect'] / totals['read']:.0f}x baseline), "
            f"peak memory {peaks['inspect'] / (1024 * 1024):.1f} MB"
        )
        if imported:
            print(
                f"import all:  {totals['import'] * 1000:.0f} ms ({totals['import'] / totals['read']:.0f}x baseline), "
                f"peak memory {peaks['import'] / (1024 * 1024):.1f} MB"
            )


if __name__ == "__main__":
    main()
