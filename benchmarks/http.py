"""Ruta over HTTP, the way it is deployed: production settings, PostgreSQL + Redis, gunicorn, a real load generator.

Run: ``.venv/bin/python benchmarks/http.py [--seconds 15] [--connections 16] [--workers 2]``.

It needs PostgreSQL (``RUTA_BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/ruta_bench_http``;
the database is dropped and created again), Redis (``RUTA_BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/4``;
flushed) and Debian's ``wrk``. Everything runs on loopback and every load is bounded by ``--seconds``.

Steps: migrate a fresh database, collect static files into a temporary folder, create one course with a lesson of
three activities, 64 learners enrolled and signed in (their session cookies), and one issued certificate; start
gunicorn (``--workers`` sync workers, production settings, DEBUG off) and, as the ceiling, the same gunicorn serving
a bare Django view that renders one tiny template; then load each endpoint with ``wrk`` and print req/s, p50/p99,
the ratio to the ceiling, non-2xx counts, and each worker's resident memory after the load. Last, the floor: Ruta's
production settings and middleware with one extra view that updates one row of the signed-in learner (the cheapest
signed-in write), under the same gunicorn and the same load as the submission.
"""

from __future__ import annotations

import os
import sys

# This file is named like the standard library's ``http`` package: run as a script, its folder is first on the
# path and would shadow it (urllib, gunicorn and Django all import ``http.client``). Take the folder out first.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]  # noqa: E402 - must run before imports

import argparse
import json
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.stack import database_recreate, production_env, redis_flush  # noqa: E402

BIN = Path(sys.executable).parent
LEARNERS = 64

#: endpoint → the ratio to the ceiling that issue #12 asks for
TARGETS = {
    "verification page": 0.5,
    "certificate API": 0.5,
    "catalogue (anonymous)": 0.4,
    "course page (anonymous)": 0.4,
    "lesson, 3 activities (logged in)": 0.1,
    "Mis cursos (logged in)": 0.1,
    "activity submission (64 learners)": 0.1,
}

PREPARE = r"""
import json, secrets, uuid
from django.contrib.auth import get_user_model
from django.conf import settings
from importlib import import_module
from courses.models import LessonPage
from courses.services import enrollment_create
from tests.courses.factories import (CoursePageFactory, LessonPageFactory, ModulePageFactory, ProgrammePageFactory,
    catalogue, fill_blanks, single_choice, text_block, true_false)
from tests.certification.factories import issue

catalogue().save_revision().publish()
programme = ProgrammePageFactory(title="IMESUN")
course = CoursePageFactory(parent=programme, title="Genere su Idea de Negocio", code="BENCH-GIN")
module = ModulePageFactory(parent=course, title="Tu idea")
tf = true_false("Separar el dinero del negocio ayuda a saber si ganas.", answer="true")
lesson = LessonPageFactory(parent=module, title="Pon a prueba tu idea",
    completion_rule=LessonPage.CompletionRule.ACTIVITIES,
    body=[text_block("Responde estas preguntas."), single_choice("¿Qué conviene hacer antes de invertir?"), tf,
          fill_blanks("Ganancia = ingresos menos [[costos|gastos]].")])
LessonPageFactory(parent=module, title="Siguiente paso")
User = get_user_model()
engine = import_module(settings.SESSION_ENGINE)
backend = settings.AUTHENTICATION_BACKENDS[0]
sessions = []
for n in range(%(learners)d):
    phone = f"+5199100{n:04d}" if n %% 2 else f"+59399100{n:04d}"  # learners from Peru and Ecuador
    user = User.objects.create_user(username=f"bench{n}", password=None, first_name="María José",
                                    last_name=f"Núñez {n}", phone=phone)
    enrollment_create(user=user, course=course)
    store = engine.SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = backend
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    sessions.append(store.session_key)
certificate = issue(user=User.objects.get(username="bench0"))
print("BENCH" + json.dumps({
    "catalogue": catalogue().url, "course": course.url, "lesson": lesson.url, "lesson_id": lesson.pk,
    "activity": tf["id"], "code": certificate.code, "sessions": sessions,
    "cookie": settings.SESSION_COOKIE_NAME,
}))
"""

CEILING = '''"""The ceiling: a bare Django view that renders one tiny template, served by the same gunicorn."""
import django
from django.conf import settings

settings.configure(
    DEBUG=False, SECRET_KEY="ceiling-not-secret", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader",
                                         {"tiny.html": "<!doctype html><title>{{ t }}</title><p>{{ t }}</p>"})]}}],
)
django.setup()
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402


def bare(request):
    return render(request, "tiny.html", {"t": "ok"})


urlpatterns = [path("", bare)]
from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
'''

# The floor of any signed-in write: Ruta's own production settings and middleware, one extra view that checks the
# session's learner and updates one row of theirs in a transaction. An activity submission cannot cost less than this.
FLOOR_SETTINGS = '''from lms.settings.production import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
'''

FLOOR_URLS = '''"""Ruta's URLs plus /_floor/: the cheapest signed-in write through Ruta's stack."""
from django.db import transaction
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from courses.models import Enrollment
from lms.urls import urlpatterns as ruta


@require_POST
def floor(request):
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False}, status=401)
    with transaction.atomic():
        Enrollment.objects.filter(user=request.user).update(last_activity_at=timezone.now())
    return JsonResponse({"ok": True})


urlpatterns = [path("_floor/", floor), *ruta]
'''

LUA = r"""
local sessions = {%(sessions)s}
local cookie_name = "%(cookie)s"
local method = "%(method)s"
local path = "%(path)s"
local token = "%(token)s"
local marks = "%(marks)s"
local counter = 0
function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) %% 100000)
end
local function uuid4()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (t:gsub("[xy]", function (c)
    local v = (c == "x") and math.random(0, 0xf) or math.random(8, 0xb)
    return string.format("%%x", v)
  end))
end
request = function()
  counter = counter + 1
  local session = sessions[math.random(#sessions)]
  local headers = {}
  headers["Cookie"] = cookie_name .. "=" .. session .. "; csrftoken=" .. token
  if method == "POST" then
    headers["X-CSRFToken"] = token
    headers["Accept"] = "application/json"
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    if marks ~= "" then headers["X-Ruta-Marks"] = marks end
    return wrk.format("POST", path, headers, "value=true&submission_id=" .. uuid4())
  end
  return wrk.format("GET", path, headers)
end
"""


@dataclass
class Result:
    name: str
    rps: float
    p50: str
    p99: str
    non2xx: int
    requests: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kwargs)  # noqa: S603


def environment(args: argparse.Namespace, workdir: Path) -> dict[str, str]:
    return production_env(
        database_url=args.database_url, redis_url=args.redis_url, workdir=workdir, RUTA_VERIFY_RATE="1000000/s"
    )


def prepare(args: argparse.Namespace, env: dict[str, str]) -> dict:
    database_recreate(args.database_url)
    redis_flush(args.redis_url)
    python = str(BIN / "python")
    run([python, "manage.py", "migrate", "--noinput"], env)
    run([python, "manage.py", "createcachetable"], env)
    run([python, "manage.py", "collectstatic", "--noinput"], env)
    out = run([python, "manage.py", "shell", "-c", PREPARE % {"learners": LEARNERS}], env).stdout
    return json.loads(out[out.index("BENCH") + 5 :].strip().splitlines()[0])


def start_gunicorn(
    app: str, port: int, env: dict[str, str], workers: int, chdir: Path
) -> tuple[subprocess.Popen, float]:
    started = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), app, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--chdir", str(chdir),
         "--worker-class", "sync", "--log-level", "warning", "--preload"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = started + 60
    while time.monotonic() < deadline:
        try:
            probe = f"http://127.0.0.1:{port}/healthz" if "lms" in app else f"http://127.0.0.1:{port}/"
            with urllib.request.urlopen(probe, timeout=2):  # noqa: S310 - loopback only
                return proc, time.monotonic() - started
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn {app} exited: {proc.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.1)
    raise SystemExit(f"gunicorn {app} did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def workers_of(master: int) -> list[str]:
    return Path(f"/proc/{master}/task/{master}/children").read_text().split()


def page_marks(url: str, cookie: str, session: str) -> str:
    """The progress-marks fingerprint a learner's lesson page carries (``data-lesson-marks``)."""
    request = urllib.request.Request(url, headers={"Cookie": f"{cookie}={session}"})  # noqa: S310 - loopback only
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        found = re.search(r'data-lesson-marks="([0-9a-f]+)"', response.read().decode())
    if not found:
        raise SystemExit("the lesson page carries no progress marks: is the learner enrolled?")
    return found.group(1)


def worker_memory_mib(master: int) -> list[tuple[float, float]]:
    """(RSS, PSS) of each worker. With ``--preload`` (as deploy/gunicorn.conf.py runs) the workers share the
    imported code with the master copy-on-write: RSS counts those shared pages in full in every worker, PSS
    divides them among the processes that share them, so the PSS of all processes adds up to what they use."""
    sizes = []
    for pid in workers_of(master):
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        rss = int(re.search(r"^Rss:\s+(\d+) kB", rollup, re.M).group(1))
        pss = int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1))
        sizes.append((round(rss / 1024, 1), round(pss / 1024, 1)))
    return sizes


def worker_respawn_seconds(env: dict[str, str]) -> float:
    """Cold start of a worker: one gunicorn worker is killed (as max_requests or a crash would end it) and the
    time until its replacement answers is measured."""
    port = free_port()
    proc, _ = start_gunicorn("lms.wsgi:application", port, env, 1, ROOT)
    try:
        (old,) = workers_of(proc.pid)
        started = time.monotonic()
        os.kill(int(old), signal.SIGKILL)
        while time.monotonic() - started < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                    if workers_of(proc.pid) and workers_of(proc.pid)[0] != old:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.02)
        raise SystemExit("the killed worker was not replaced within 60 s")
    finally:
        stop(proc)


def wrk(name: str, url: str, args: argparse.Namespace, workdir: Path, script: str | None = None) -> Result:
    cmd = ["wrk", "-t", "2", "-c", str(args.connections), "-d", f"{args.seconds}s", "--timeout", "10s", "--latency"]
    if script:
        path = workdir / f"{abs(hash(name))}.lua"
        path.write_text(script)
        cmd += ["-s", str(path)]
    out = subprocess.run([*cmd, url], check=True, text=True, capture_output=True, timeout=args.seconds + 60).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Socket errors:.*", out)
    result = Result(name, rps, p50, p99, int(non2xx.group(1)) if non2xx else 0, requests)
    if errors:
        print(f"  ({name}: {errors.group(0)})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("RUTA_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ruta_bench_http"),
    )
    parser.add_argument("--redis-url", default=os.environ.get("RUTA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/4"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="ruta-bench-http-"))
    env = environment(args, workdir)
    print(f"preparing (PostgreSQL {args.database_url}, Redis {args.redis_url}) …", flush=True)
    data = prepare(args, env)

    (workdir / "ceiling.py").write_text(CEILING)
    ceiling_env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    port = free_port()
    proc, _ = start_gunicorn("ceiling:application", port, ceiling_env, args.workers, workdir)
    try:
        ceiling = wrk("ceiling: bare view + tiny template", f"http://127.0.0.1:{port}/", args, workdir)
    finally:
        stop(proc)

    port = free_port()
    proc, cold = start_gunicorn("lms.wsgi:application", port, env, args.workers, ROOT)
    base = f"http://127.0.0.1:{port}"
    token = "b" * 32
    sessions = ", ".join(f'"{s}"' for s in data["sessions"])

    def script(method: str, path: str, marks: str = "") -> str:
        return LUA % {
            "sessions": sessions, "cookie": data["cookie"], "method": method, "path": path, "token": token,
            "marks": marks,
        }  # fmt: skip

    submit = f"/actividades/{data['lesson_id']}/{data['activity']}/enviar/"
    results = []
    try:
        results.append(wrk("verification page", f"{base}/certificados/v/{data['code']}", args, workdir))
        results.append(wrk("certificate API", f"{base}/api/v1/certificates/{data['code']}", args, workdir))
        results.append(wrk("catalogue (anonymous)", f"{base}{data['catalogue']}", args, workdir))
        results.append(wrk("course page (anonymous)", f"{base}{data['course']}", args, workdir))
        results.append(
            wrk("lesson, 3 activities (logged in)", base + data["lesson"], args, workdir, script("GET", data["lesson"]))
        )
        results.append(
            wrk("Mis cursos (logged in)", f"{base}/aprender/mis-cursos/", args, workdir,
                script("GET", "/aprender/mis-cursos/"))
        )  # fmt: skip
        # activities.js sends the fingerprint of the progress marks its page shows (every learner's lesson page
        # shows the same marks here: the lesson visited, in progress, 0 %); an answer that leaves them unchanged
        # gets none back.
        marks = page_marks(base + data["lesson"], data["cookie"], data["sessions"][0])
        results.append(
            wrk("activity submission (64 learners)", base + submit, args, workdir, script("POST", submit, marks))
        )
        memory = worker_memory_mib(proc.pid)
    finally:
        stop(proc)
    (workdir / "floor_settings.py").write_text(FLOOR_SETTINGS)
    (workdir / "floor_urls.py").write_text(FLOOR_URLS)
    floor_env = {**env, "DJANGO_SETTINGS_MODULE": "floor_settings", "PYTHONPATH": f"{workdir}:{ROOT}"}
    port = free_port()
    floor_proc, _ = start_gunicorn("lms.wsgi:application", port, floor_env, args.workers, workdir)
    try:
        floor = wrk(
            "floor: signed-in write, one row", f"http://127.0.0.1:{port}/_floor/", args, workdir,
            script("POST", "/_floor/"),
        )  # fmt: skip
    finally:
        stop(floor_proc)
    results.append(floor)
    try:
        respawn = worker_respawn_seconds(env)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    print()
    print(f"ceiling (bare Django view, tiny template, gunicorn {args.workers} sync workers): {ceiling.rps:,.0f} req/s")
    print(f"{'endpoint':38} {'req/s':>8} {'p50':>9} {'p99':>9} {'÷ ceiling':>10} {'target':>7} {'non-2xx':>8}")
    for r in results:
        ratio = r.rps / ceiling.rps if ceiling.rps else 0.0
        target = TARGETS.get(r.name)
        mark = "" if target is None else ("✓" if ratio >= target and not r.non2xx else "✗")
        print(
            f"{r.name:38} {r.rps:8,.0f} {r.p50:>9} {r.p99:>9} {ratio:10.3f} "
            f"{'≥' + str(target) if target else '':>7} {r.non2xx:8d} {mark}"
        )
    pss = [p for _, p in memory]
    print(
        f"worker memory after the load (MiB): RSS {[r for r, _ in memory]}, PSS {pss} "
        f"(target ≤ 120 each, on PSS) {'✓' if max(pss) <= 120 else '✗'}"
    )
    print(
        f"cold start of a worker (killed → its replacement answers): {respawn:.2f} s (target < 2 s) "
        f"{'✓' if respawn < 2 else '✗'}"
    )
    print(f"server start (gunicorn spawn, Ruta imported once, workers forked → first answer): {cold:.2f} s")


if __name__ == "__main__":
    main()
