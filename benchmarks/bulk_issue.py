"""1,000 certificates through the bulk-issue path, with a real Celery worker, the way production issues them.

Run: ``.venv/bin/python benchmarks/bulk_issue.py [--count 1000] [--concurrency 2]``.

Production settings on PostgreSQL (``RUTA_BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/ruta_bench_bulk``; dropped and created again) with Redis as broker and cache
(``RUTA_BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/5``; flushed), and a Celery worker started here with
``--concurrency`` prefork processes. It seeds a course with ``--count`` completed enrolments of learners from
Peru and Ecuador, then starts the clock, queues one bulk-issue job exactly as the staff page does
(``bulk_issue_job_create``) and stops it when every certificate is signed and its PDF and PNG (each with the QR)
are stored. It prints the wall time, certificates per second and whether the 60-second target for 1,000 holds.

The job issues (signs and records) the certificates one after the other, 50 per transaction; each chunk queues
its certificates' rendering tasks when it commits, and the worker's processes share them, so rendering — most
of the cost — runs in parallel. It also prints how long the job itself took and the worker's CPU time (the
least the wall time could be on otherwise idle cores): on a machine shared with other work, the wall time
mostly measures the others.
"""

from __future__ import annotations

import os
import sys

# benchmarks/http.py is named like the standard library's ``http`` package, and a script's own folder comes first
# on the path: take it out before anything imports ``http.client`` (Django, urllib).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import signal
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.stack import database_recreate, production_env, redis_flush  # noqa: E402

BIN = Path(sys.executable).parent
TARGET_SECONDS_PER_1000 = 60

SEED = r"""
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from certification.models import CertificateProgramme
from courses.models import Enrollment
from lms.accounts.models import Institution
from tests.courses.factories import build_course

institution = Institution.objects.create(name="Organización Internacional del Trabajo", acronym="OIT", slug="oit",
                                         type="international")
course = build_course(title="Genere su Idea de Negocio", code="BENCH-GIN")
programme = CertificateProgramme.objects.create(name="IMESUN GIN", slug="imesun-gin", issuer=institution, hours=40,
    title="Inicie y Mejore su Negocio — Genere su Idea de Negocio (IMESUN-GIN)", validity_months=24)
User = get_user_model()
first = ["María José", "José Gregorio", "Yolimar", "Rosa Elena", "Begoña", "Ñusta"]
last = ["Hernández Núñez", "Rodríguez Pérez", "Quispe Mamani", "Muñoz Peña", "Cedeño Zambrano"]
users = User.objects.bulk_create(
    User(username=f"bench{n}", first_name=first[n %% 6], last_name=last[n %% 5],
         phone=(f"+5199100{n:04d}" if n %% 2 else f"+59399100{n:04d}"))
    for n in range(%(count)d)
)
now = timezone.now()
enrollments = Enrollment.objects.bulk_create(
    Enrollment(user=user, course=course, status=Enrollment.Status.COMPLETED, progress=100, completed_at=now)
    for user in users
)
print("BENCH" + json.dumps({"programme": programme.pk, "enrollments": [e.pk for e in enrollments]}))
"""

RUN = r"""
import time
from certification.models import Certificate, CertificateProgramme
from certification.services import bulk_issue_job_create
from certification import signing

signing.keyring()  # the key exists before the clock starts (as on a running site)
programme = CertificateProgramme.objects.get(pk=%(programme)d)
ids = %(enrollments)r
started = time.monotonic()
job = bulk_issue_job_create(programme=programme, actor=None, enrollment_ids=ids)
deadline = started + %(timeout)d
done = 0
while time.monotonic() < deadline:
    done = Certificate.objects.exclude(pdf="").exclude(image="").count()
    if done >= len(ids):
        break
    time.sleep(0.2)
elapsed = time.monotonic() - started
job.refresh_from_db()
issuing = (job.finished_at - job.created_at).total_seconds() if job.finished_at else -1
print("RESULT", done, round(elapsed, 2), round(issuing, 2))
"""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live children (the worker and its pool processes)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, ... utime (14th field overall) and stime (15th).
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=600, help="give up after this many seconds")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RUTA_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ruta_bench_bulk"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("RUTA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"))
    args = parser.parse_args()

    database_recreate(args.database_url)
    redis_flush(args.redis_url)

    with tempfile.TemporaryDirectory(prefix="ruta-bulk-") as tmp:
        workdir = Path(tmp)
        env = production_env(database_url=args.database_url, redis_url=args.redis_url, workdir=workdir)
        python = str(BIN / "python")

        def manage(*cmd: str) -> str:
            done = subprocess.run(  # noqa: S603
                [python, "manage.py", *cmd], env=env, cwd=ROOT, check=True, text=True, capture_output=True
            )
            return done.stdout

        manage("migrate", "--noinput")
        manage("createcachetable")
        out = manage("shell", "-c", SEED % {"count": args.count})
        import json

        seeded = json.loads(out[out.index("BENCH") + 5 :].strip().splitlines()[0])

        log = (workdir / "worker.log").open("w")
        worker = subprocess.Popen(  # noqa: S603
            [str(BIN / "celery"), "-A", "lms", "worker", "--concurrency", str(args.concurrency), "--pool", "prefork",
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            time.sleep(3)  # the worker's processes are up before the clock starts
            idle = _cpu_seconds(worker.pid)
            out = manage("shell", "-c", RUN % {**seeded, "timeout": args.timeout})
            worker_cpu = _cpu_seconds(worker.pid) - idle
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        done, seconds, issuing = out[out.index("RESULT") :].split()[1:4]
        done_count, elapsed, issuing_seconds = int(done), float(seconds), float(issuing)

    database_recreate(args.database_url, drop_only=True)

    per_second = done_count / elapsed if elapsed else 0.0
    target = TARGET_SECONDS_PER_1000 * args.count / 1000
    print(f"Bulk issue on PostgreSQL + Redis, Celery worker with {args.concurrency} processes (production settings)")
    print(f"  certificates signed, PDF + PNG with QR stored: {done_count} of {args.count}")
    print(f"  wall time: {elapsed:.1f} s  ({per_second:.1f} per second)")
    print(f"  of which the job issuing (signing and recording) them, in one worker process: {issuing_seconds:.1f} s")
    per_certificate = 1000 * worker_cpu / done_count if done_count else 0.0
    print(
        f"  worker CPU (all its processes, while the clock ran): {worker_cpu:.1f} s, {per_certificate:.0f} ms per "
        f"certificate — the wall time on {args.concurrency} otherwise idle cores would be at least "
        f"{worker_cpu / args.concurrency:.1f} s"
    )
    verdict = "met" if done_count == args.count and elapsed < target else "NOT met"
    print(f"  target: {args.count} in under {target:.0f} s — {verdict}")


if __name__ == "__main__":
    main()
