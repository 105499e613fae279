""".env chooses the settings module of manage.py, Celery and the WSGI/ASGI entry points when the environment does
not; a variable in the environment always wins. Each case runs the real entry point in a subprocess, from a copy of
the checkout whose entry files are copies (so they find the .env beside them) and everything else links back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COPIED = ("__init__.py", "celery.py", "wsgi.py", "asgi.py")
PRINT_SETTINGS = "from django.conf import settings; print(settings.SETTINGS_MODULE)"


@pytest.fixture
def checkout(tmp_path):
    shutil.copy(REPO / "manage.py", tmp_path / "manage.py")
    (tmp_path / "lms").mkdir()
    for entry in (REPO / "lms").iterdir():
        if entry.name in COPIED:
            shutil.copy(entry, tmp_path / "lms" / entry.name)
        elif entry.name != "__pycache__":
            (tmp_path / "lms" / entry.name).symlink_to(entry)
    for entry in REPO.iterdir():  # the other top-level packages (settings import them by name)
        if (entry / "__init__.py").is_file() and entry.name != "lms":
            (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


def _run(checkout: Path, args: list[str], *, dotenv: str | None = None, **environment: str) -> str:
    if dotenv is not None:
        (checkout / ".env").write_text(dotenv)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE" and not k.startswith("PYTEST")}
    env.update(environment)
    result = subprocess.run(  # noqa: S603 (our own interpreter and entry points)
        [sys.executable, *args], cwd=checkout, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_manage_py_takes_the_settings_module_from_dot_env(checkout):
    dotenv = "# a comment\nDJANGO_SETTINGS_MODULE=lms.settings.test\n"
    assert _run(checkout, ["manage.py", "shell", "-c", PRINT_SETTINGS], dotenv=dotenv) == "lms.settings.test"


def test_the_environment_wins_over_dot_env(checkout):
    dotenv = "DJANGO_SETTINGS_MODULE=lms.settings.test\n"
    args = ["manage.py", "shell", "-c", PRINT_SETTINGS]
    out = _run(checkout, args, dotenv=dotenv, DJANGO_SETTINGS_MODULE="lms.settings.dev")
    assert out == "lms.settings.dev"


def test_manage_py_without_dot_env_uses_development(checkout):
    assert _run(checkout, ["manage.py", "shell", "-c", PRINT_SETTINGS]) == "lms.settings.dev"


def test_celery_takes_the_settings_module_from_dot_env(checkout):
    code = "import os, lms.celery; print(os.environ['DJANGO_SETTINGS_MODULE'])"
    assert _run(checkout, ["-c", code], dotenv="DJANGO_SETTINGS_MODULE=lms.settings.test\n") == "lms.settings.test"
    assert _run(checkout, ["-c", code], DJANGO_SETTINGS_MODULE="lms.settings.dev") == "lms.settings.dev"


@pytest.mark.parametrize("entry", ["wsgi", "asgi"])
def test_wsgi_and_asgi_default_to_production_unless_dot_env_or_the_environment_chose(checkout, entry):
    code = f"import lms.{entry}; {PRINT_SETTINGS}"
    assert _run(checkout, ["-c", code], DJANGO_SECRET_KEY="x" * 50) == "lms.settings.production"
    (checkout / ".env").write_text("DJANGO_SETTINGS_MODULE=lms.settings.test\n")
    assert _run(checkout, ["-c", code]) == "lms.settings.test"
    assert _run(checkout, ["-c", code], DJANGO_SETTINGS_MODULE="lms.settings.dev") == "lms.settings.dev"
