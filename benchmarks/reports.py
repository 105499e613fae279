"""Reports at scale: how long every report page and export takes, as a ratio to a bare COUNT(*).

Run against a database filled by ``manage.py seed_scale`` (100,000 participants, 1,000,000 lesson-progress
records), never against a real one::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ruta_bench_reports \\
        DJANGO_SETTINGS_MODULE=lms.settings.test .venv/bin/python benchmarks/reports.py

Each figure is the median of ``--repeat`` full requests through Django's test client (URL routing,
middleware, role scoping, queries, suppression, template or file rendering). The baseline, measured in
the same run, is ``SELECT COUNT(*)`` over enrolments. The goal is under 2 s per report.
"""

from __future__ import annotations

import os
import sys

# benchmarks/http.py is named like the standard library's ``http`` package, and a script's own folder comes first
# on the path: take it out before anything imports ``http.client`` (Django, urllib).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import statistics
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from lms.accounts.models import User  # noqa: E402

GOAL_SECONDS = 2.0


def timed(fn, repeat: int) -> tuple[float, float, int]:
    """(median seconds, first-run seconds, queries of the last run)."""
    times = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    return statistics.median(times), times[0], queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--prefix", default="escala-")
    args = parser.parse_args()

    from courses.models import Enrollment, LessonProgress

    enrolments = Enrollment.objects.count()
    progress = LessonProgress.objects.count()
    people = User.objects.filter(username__startswith=args.prefix).count()
    print(f"database: {connection.vendor} · people {people:,} · enrolments {enrolments:,} · progress {progress:,}")

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {Enrollment._meta.db_table}")  # noqa: S608 - a table name
            cursor.fetchone()

    base, _first, _q = timed(baseline, max(args.repeat, 5))
    print(f"baseline COUNT(*) over enrolments: {base * 1000:.1f} ms\n")

    admin, _ = User.objects.get_or_create(username=f"{args.prefix}superusuario", defaults={"is_superuser": True})
    users = {
        "superusuario": admin,
        "monitoreo": User.objects.get(username=f"{args.prefix}monitoreo"),
        "gestion": User.objects.get(username=f"{args.prefix}gestion"),
        "cooperante": User.objects.get(username=f"{args.prefix}cooperante"),
        "facilitadora": User.objects.get(username=f"{args.prefix}facilitadora"),
        "custodia": User.objects.get(username=f"{args.prefix}custodia"),
    }
    cases = [
        ("superusuario", "/informes/monitoreo/", "M&E, toda la plataforma, por sexo"),
        (
            "superusuario",
            "/informes/monitoreo/?por=nacionalidad&cruce=sexo&indicador=enrolled",
            "… cruce nacionalidad × sexo",
        ),
        (
            "superusuario",
            "/informes/monitoreo/?por=situacion-migratoria",
            "… por situación migratoria (consentimiento)",
        ),
        ("superusuario", "/informes/monitoreo/?por=edad&desde=2025-01-01&hasta=2025-12-31", "… por edad, año 2025"),
        ("superusuario", "/informes/monitoreo/?por=ciudad&fuente=USAID", "… por ciudad, fuente USAID"),
        ("monitoreo", "/informes/monitoreo/?por=region", "M&E de una institución, por región"),
        ("gestion", "/informes/programa/", "Gestión de programa"),
        ("cooperante", "/informes/cooperante/?por=pais", "Cooperante USAID, por país"),
        ("facilitadora", "/informes/facilitacion/", "Facilitadora, sus 3 grupos"),
        ("custodia", "/informes/datos/?por=discapacidad", "Custodia de datos, por discapacidad"),
        ("cooperante", "/informes/cooperante/exportar.csv", "Exportación CSV (cooperante)"),
        ("superusuario", "/informes/monitoreo/exportar.xlsx?por=nacionalidad", "Exportación XLSX (toda la plataforma)"),
    ]
    clients = {}
    for key, user in users.items():
        client = Client()
        client.force_login(user)
        clients[key] = client

    print(f"{'report':<52} {'median':>8} {'first':>8} {'× base':>8} {'queries':>8}  goal")
    failures = 0
    for who, url, label in cases:
        client = clients[who]

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        median, first, queries = timed(get, args.repeat)
        ok = median < GOAL_SECONDS
        failures += not ok
        print(
            f"{label[:52]:<52} {median:>7.2f}s {first:>7.2f}s {median / base:>8.0f} {queries:>8}  "
            f"{'ok' if ok else 'SLOW'}"
        )

    def row_level():
        response = clients["custodia"].post(
            "/informes/datos/participantes/", {"proposito": "Prueba de rendimiento del listado", "formato": "csv"}
        )
        assert response.status_code == 200

    median, first, queries = timed(row_level, 1)
    print(f"{'Lista de participantes (CSV, fila por inscripción)':<52} {median:>7.2f}s {first:>7.2f}s "
          f"{median / base:>8.0f} {queries:>8}  (no es un informe agregado)")  # fmt: skip
    print(f"\n{len(cases) - failures} of {len(cases)} reports under {GOAL_SECONDS:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
