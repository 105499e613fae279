"""SIGTERM (what systemd or a container runtime sends the main process) to ``make serve`` or to ``deploy/serve``
stops the whole stack: gunicorn, the Celery worker and beat. Runs the real Makefile and the real deploy/serve with
stand-ins for python (the release step), gunicorn and celery that only record their pid and sleep."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STAND_IN = '#!/bin/sh\necho $$ >> "$RUTA_TEST_PIDS"\nexec sleep 300\n'

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has stopped; only its parent has yet to reap it


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def stand_ins(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").write_text("#!/bin/sh\nexit 0\n")  # deploy/release.py: check, collectstatic, migrate
    for name in ("gunicorn", "celery"):
        (bin_dir / name).write_text(STAND_IN)
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    pids = tmp_path / "pids"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("RUTA_", "MAKE", "MFLAGS"))},
        "RUTA_BIN": str(bin_dir),
        "RUTA_TEST_PIDS": str(pids),
        "RUTA_BEAT_SCHEDULE": str(tmp_path / "beat" / "schedule"),
        "RUTA_MIGRATE": "false",
    }
    return env, pids


@pytest.mark.parametrize("command", [["make", "--no-print-directory", "serve"], ["deploy/serve"]])
def test_sigterm_stops_gunicorn_the_worker_and_beat(stand_ins, command):
    env, pids_file = stand_ins
    process = subprocess.Popen(  # noqa: S603 (our own Makefile and script)
        command, cwd=REPO, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    started: list[int] = []
    try:
        assert _wait_for(lambda: pids_file.exists() and len(pids_file.read_text().split()) == 3, 30), "not started"
        started = [int(pid) for pid in pids_file.read_text().split()]
        assert all(_alive(pid) for pid in started)
        time.sleep(0.3)  # deploy/serve is in its `wait -n` once the last process has started
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        assert _wait_for(lambda: not any(_alive(pid) for pid in started), 10), (
            f"still running after SIGTERM: {[pid for pid in started if _alive(pid)]}"
        )
        # deploy/serve exits 0; make, once its child has stopped, ends by the signal it was sent.
        assert process.returncode in (0, -signal.SIGTERM)
    finally:
        for pid in started:  # only what this test started: the stand-ins, then the session it began
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_sigterm_during_the_release_step_stops_it_and_starts_nothing(stand_ins, tmp_path):
    env, pids_file = stand_ins
    (tmp_path / "bin" / "python").write_text(STAND_IN)  # a migration that takes its time
    process = subprocess.Popen(  # noqa: S603 (our own script)
        [str(REPO / "deploy" / "serve")],
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    started: list[int] = []
    try:
        assert _wait_for(lambda: pids_file.exists() and pids_file.read_text().split(), 30), "release did not start"
        started = [int(pid) for pid in pids_file.read_text().split()]
        time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        assert not any(_alive(pid) for pid in started)
        assert len(pids_file.read_text().split()) == 1  # gunicorn, worker and beat never started
    finally:
        for pid in started:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
