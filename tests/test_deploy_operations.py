"""Running Ruta for real, as an operator following README «Running it for real»: e-mail without EMAIL_URL, settings
of the start-up script in .env, changing the secret key, signing keys (the check, the rotation command, file modes)
and a quiet log. Production settings and deploy/ scripts run in their own processes, as on a server."""

from __future__ import annotations

import logging
import os
import random
import runpy
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.content.conftest import choice_page, make_page  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECRET = "prod-" + "k" * 60
#: What an operator's shell might carry from another project: never let it into the processes these tests start.
_FOREIGN = ("DJANGO_", "RUTA_", "EMAIL_", "DATABASE_URL", "REDIS_URL", "CELERY_", "WEB_CONCURRENCY", "AWS_")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(_FOREIGN)}
    env.update(extra)
    return env


def _pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _in_production(code: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a process with Ruta's production settings (and whatever ``extra`` sets)."""
    env = _clean_env(DJANGO_SETTINGS_MODULE="lms.settings.production", DJANGO_SECRET_KEY=SECRET, **extra)
    script = "import django\ndjango.setup()\n" + code
    return subprocess.run(  # noqa: S603 (our own interpreter)
        [PYTHON, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


# --- E-mail ---------------------------------------------------------------------------------------------------

SEND_RESET = """
from django.conf import settings
from django.core.mail import send_mail
send_mail(
    "Restablece tu contraseña en Ruta",
    "Hola María: abre https://ruta.example.org/accounts/password/reset/key/4x-SECRETO-7f/ para elegir otra.",
    None,
    ["maria.quispe@example.org"],
)
print("BACKEND=" + settings.EMAIL_BACKEND)
"""


def test_production_without_email_url_never_writes_an_email_into_the_log():
    """A password-reset link printed into the server log lets whoever reads the log take over the account."""
    result = _in_production(SEND_RESET)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "SECRETO" not in output and "maria.quispe" not in output and "Restablece" not in output
    assert "An e-mail to 1 recipient was not sent: EMAIL_URL is not set." in result.stderr
    # A line of .env left empty (EMAIL_URL=) is the same as not setting it.
    empty = _in_production(SEND_RESET, EMAIL_URL="")
    assert empty.returncode == 0 and "SECRETO" not in empty.stdout + empty.stderr


def test_production_with_email_url_sends_through_smtp():
    result = _in_production(
        "from django.conf import settings\nprint(settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)",
        EMAIL_URL="smtp+tls://ruta:clave@smtp.example.org:587",
    )
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", "587"]


def _release_check(keys: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="lms.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL="postgres://ruta@db.internal:5432/ruta",
        REDIS_URL="redis://redis.internal:6379/1",
        CELERY_BROKER_URL="redis://redis.internal:6379/2",
        DJANGO_ALLOWED_HOSTS="ruta.example.org",
        RUTA_BASE_URL="https://ruta.example.org",
        RUTA_SIGNING_KEYS_DIR=str(keys),
        **extra,
    )
    return subprocess.run(  # noqa: S603 (our own script)
        [PYTHON, "deploy/release.py", "check"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def key_folder(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir()
    (folder / "k1.pem").write_bytes(_pem())
    return folder


def test_the_start_up_check_warns_that_email_is_off_and_starts_all_the_same(key_folder):
    result = _release_check(key_folder)
    assert result.returncode == 0, result.stderr
    assert "WARNING: EMAIL_URL is not set: Ruta sends no e-mail" in result.stderr
    configured = _release_check(key_folder, EMAIL_URL="smtp+tls://ruta:clave@smtp.example.org:587")
    assert configured.returncode == 0 and "EMAIL_URL" not in configured.stderr


# --- Signing keys ---------------------------------------------------------------------------------------------


def test_the_start_up_check_refuses_a_key_folder_with_only_a_retired_public_key(key_folder):
    """Without a private key every verification page, the JWKS and each credential answer 500."""
    private = key_folder / "k1.pem"
    public = serialization.load_pem_private_key(private.read_bytes(), None).public_key()
    (key_folder / "k1.pub.pem").write_bytes(
        public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    private.unlink()
    result = _release_check(key_folder)
    assert result.returncode == 2
    assert "no certificate signing key" in result.stderr and "private key" in result.stderr
    assert "only retired public keys" in result.stderr


def test_rotating_refuses_when_the_active_key_is_in_the_environment_and_writes_nothing(settings, tmp_path):
    from django.core.management import CommandError, call_command

    from certification import signing

    pem = _pem()
    settings.RUTA_SIGNING_KEY_PEM = pem.decode()
    settings.RUTA_SIGNING_KEYS_DIR = str(tmp_path / "keys")
    active = signing.keyring().active.kid
    with pytest.raises(CommandError) as refused:
        call_command("certificate_keys_rotate")
    assert "RUTA_SIGNING_KEY_PEM" in str(refused.value) and "no se escribió nada" in str(refused.value)
    assert not (tmp_path / "keys").exists()
    assert signing.keyring().active.kid == active


def test_a_key_folder_made_by_ruta_is_readable_by_its_owner_only(settings, tmp_path):
    from certification import signing

    folder = tmp_path / "ruta" / "keys"
    settings.RUTA_SIGNING_KEYS_DIR = str(folder)
    settings.RUTA_SIGNING_KEY_PEM = ""
    settings.RUTA_SIGNING_KEYS_AUTOGENERATE = True
    kid = signing.keyring().active.kid
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / f"{kid}.pem").stat().st_mode & 0o777) == "0o600"


# --- Changing the secret key ----------------------------------------------------------------------------------


def test_the_former_secret_keys_are_read_from_the_environment():
    result = _in_production(
        "from django.conf import settings\nprint(settings.SECRET_KEY_FALLBACKS)",
        DJANGO_SECRET_KEY_FALLBACKS="antigua-" + "a" * 50 + ",mas-antigua-" + "b" * 50,
    )
    assert result.stdout.strip() == str(["antigua-" + "a" * 50, "mas-antigua-" + "b" * 50]), result.stderr


def test_an_answer_kept_offline_before_the_secret_key_changed_is_still_sent(settings, client, choice_page):  # noqa: F811
    """Ana answered without signal; meanwhile the operator changed DJANGO_SECRET_KEY (keeping the old one in
    DJANGO_SECRET_KEY_FALLBACKS). Her session still holds and her phone's answer, tagged with the old key, is hers;
    another learner's answer on the same phone is still refused."""
    from content.models import Submission
    from lms.accounts.selectors import learner_tag
    from tests.content.helpers import submit_url
    from tests.lms.accounts.factories import UserFactory

    page, usage_id = choice_page
    ana = UserFactory(first_name="Ana Lucía", last_name="Ñahui", phone="+51987650011", email="")
    jose = UserFactory(first_name="José Andrés", last_name="Guamán", phone="+593987650012", email="")
    old_key = "antigua-" + "a" * 50
    settings.SECRET_KEY = old_key
    client.force_login(ana)
    kept_for_ana, kept_for_jose = learner_tag(user=ana), learner_tag(user=jose)

    settings.SECRET_KEY = "nueva-" + "n" * 50
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert learner_tag(user=ana) != kept_for_ana  # pages rendered from now on carry the new tag

    def send(tag: str):
        return client.post(
            submit_url(page, usage_id),
            {"submission_id": str(uuid.uuid4()), "next": page.url, "choice": "1"},
            HTTP_ACCEPT="application/json",
            HTTP_X_RUTA_LEARNER=tag,
        )

    refused = send(kept_for_jose)
    assert refused.status_code == 409
    sent = send(kept_for_ana)
    assert sent.status_code == 200 and sent.json()["ok"] is True
    assert list(Submission.objects.values_list("user", flat=True)) == [ana.pk]
    # Once the old key is dropped from the fallbacks, its tags are nobody's.
    settings.SECRET_KEY_FALLBACKS = []
    client.force_login(ana)
    assert send(kept_for_ana).status_code == 409


# --- deploy/serve and gunicorn read .env ----------------------------------------------------------------------

RECORD = (
    "#!/bin/sh\n"
    'printf "%s|%s|%s|%s\\n" "$(basename "$0") $*" "$RUTA_BIND" "$WEB_CONCURRENCY" "$RUTA_WEB_LOG_LEVEL" \\\n'
    '  >> "$RECORDS"\n'
)


@pytest.fixture
def serve_copy(tmp_path):
    """deploy/serve in a folder of its own (it reads the .env beside its deploy/), with stand-ins for python (the
    release step), gunicorn and celery that record how they were started."""
    root = tmp_path / "ruta"
    (root / "deploy").mkdir(parents=True)
    for name in ("serve", "dotenv.sh"):
        shutil.copy2(REPO / "deploy" / name, root / "deploy" / name)
    bin_dir = tmp_path / "stand-ins"
    bin_dir.mkdir()
    (bin_dir / "python").write_text(RECORD + "exit 0\n")
    for name in ("gunicorn", "celery"):
        (bin_dir / name).write_text(RECORD + "exec sleep 1\n")  # the first to stop stops deploy/serve
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    return root, bin_dir


def _serve(root: Path, records: Path, **extra: str) -> list[list[str]]:
    env = _clean_env(RECORDS=str(records), **extra)
    subprocess.run([str(root / "deploy" / "serve")], env=env, capture_output=True, timeout=60)  # noqa: S603
    return [line.split("|") for line in records.read_text().splitlines()]


def test_the_start_up_script_takes_its_settings_from_dotenv(serve_copy, tmp_path):
    root, bin_dir = serve_copy
    (root / ".env").write_text(
        "DJANGO_SETTINGS_MODULE=lms.settings.production\n"
        f"RUTA_BIN={bin_dir}\n"
        "RUTA_PROCESSES=web\n"
        "RUTA_MIGRATE=false\n"
        "RUTA_BIND=127.0.0.1:8104\n"
        "WEB_CONCURRENCY=2\n"
        f"RUTA_WEB_LOG_LEVEL='$(touch {tmp_path}/ejecutado) warning'\n"
    )
    records = _serve(root, tmp_path / "records")
    # Only the web process, after a check and collectstatic without migrate; gunicorn sees .env's address and size.
    assert [line[0] for line in records] == [
        "python deploy/release.py check web",
        "gunicorn lms.wsgi:application --config deploy/gunicorn.conf.py",
    ]
    assert records[1][1:] == ["127.0.0.1:8104", "2", f"$(touch {tmp_path}/ejecutado) warning"]
    assert not (tmp_path / "ejecutado").exists()  # a value is never run by the shell


def test_the_real_environment_wins_over_dotenv_for_the_start_up_script(serve_copy, tmp_path):
    root, bin_dir = serve_copy
    (root / ".env").write_text(
        f"RUTA_BIN={tmp_path}/nowhere\n"
        "RUTA_PROCESSES=web worker beat\n"
        "RUTA_WORKER_CONCURRENCY=3\n"
        f"RUTA_BEAT_SCHEDULE={tmp_path}/beat/horario\n"
        "RUTA_MIGRATE=false\n"
    )
    records = _serve(
        root, tmp_path / "records", RUTA_BIN=str(bin_dir), RUTA_PROCESSES="worker beat", RUTA_WORKER_CONCURRENCY="2"
    )
    started = sorted(line[0] for line in records)
    assert started[0] == "celery -A lms beat --loglevel=INFO --schedule=" + f"{tmp_path}/beat/horario"
    assert started[1].startswith("celery -A lms worker --loglevel=INFO --concurrency=2 ")
    assert started[2] == "python deploy/release.py check"
    assert len(started) == 3  # no gunicorn


def test_gunicorn_takes_its_address_and_size_from_dotenv_unless_the_environment_sets_them(tmp_path, monkeypatch):
    root = tmp_path / "ruta"
    (root / "deploy").mkdir(parents=True)
    shutil.copy2(REPO / "deploy" / "gunicorn.conf.py", root / "deploy" / "gunicorn.conf.py")
    (root / ".env").write_text(
        "DJANGO_SETTINGS_MODULE=lms.settings.dev\nRUTA_BIND=127.0.0.1:8104\nWEB_CONCURRENCY=2\nRUTA_WEB_THREADS=\n"
    )
    for name in ("RUTA_BIND", "WEB_CONCURRENCY", "RUTA_WEB_THREADS", "DJANGO_SETTINGS_MODULE"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(root / "deploy" / "gunicorn.conf.py"))
    assert (config["bind"], config["workers"], config["threads"]) == ("127.0.0.1:8104", 2, 4)
    assert "DJANGO_SETTINGS_MODULE" not in os.environ  # gunicorn's config leaves the settings choice to Ruta
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runpy.run_path(str(root / "deploy" / "gunicorn.conf.py"))["workers"] == 3


DOTENV_LINES = [
    "SIMPLE=valor",
    "export EXPORTED=exportado",
    "SINGLE='comillas $(touch pwned) simples'",
    'DOUBLE="dobles \\"escapadas\\" \\n y \\t quedan, \\\\ barra, \\q"',
    "SPACES=con espacios # no es comentario",
    "SUBST=$(touch pwned) `touch pwned` $HOME",
    "TWICE=primero",
    "TWICE=segundo",
    "EMPTY=",
    "# COMMENTED=comentado",
    "  INDENTED=ignorado",
    "NAME WITH SPACE=ignorado",
    "EQUALS=a=b=c",
    "CRLF=fin de línea windows\r",
    "NESTED='\"anidadas\"'",
    "ACCENTS=Ñandú café José",
    "GLOB=*",
    'UNTERMINATED="abierta',
    "WINS=del archivo",
]
DOTENV_NAMES = [
    "SIMPLE", "EXPORTED", "SINGLE", "DOUBLE", "SPACES", "SUBST", "TWICE", "EMPTY", "COMMENTED", "INDENTED", "EQUALS",
    "CRLF", "NESTED", "ACCENTS", "GLOB", "UNTERMINATED", "WINS", "MISSING",
]  # fmt: skip


def test_the_start_up_script_reads_dotenv_exactly_like_the_settings(tmp_path):
    import environ

    dotenv = tmp_path / ".env"
    dotenv.write_bytes("\n".join(DOTENV_LINES).encode() + b"\n")

    class Settings(environ.Env):
        ENVIRON: dict[str, str] = {"WINS": "del entorno"}

    Settings.read_env(dotenv, overwrite=False)
    expected = {name: Settings.ENVIRON.get(name) for name in DOTENV_NAMES}

    script = (
        f"source {REPO / 'deploy' / 'dotenv.sh'}\n"
        f'ruta_dotenv_load "$1" {" ".join(DOTENV_NAMES)}\n'
        f"for name in {' '.join(DOTENV_NAMES)}; do\n"
        '  if [[ -v $name ]]; then printf "%s=%s\\0" "$name" "${!name}"; fi\n'
        "done\n"
    )
    result = subprocess.run(  # noqa: S603
        ["bash", "-c", script, "bash", str(dotenv)],  # noqa: S607
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"], "WINS": "del entorno", "LANG": "C.UTF-8"},
        capture_output=True,
        check=True,
    )
    got = dict(item.split("=", 1) for item in result.stdout.decode().split("\0") if item)
    assert {name: got.get(name) for name in DOTENV_NAMES} == expected
    assert expected["DOUBLE"] == 'dobles "escapadas" \\n y \\t quedan, \\ barra, q'  # what the settings see
    assert not (tmp_path / "pwned").exists()


# --- A quiet log ----------------------------------------------------------------------------------------------


def test_a_certificate_pdf_writes_no_font_subsetting_lines_into_the_log(settings, tmp_path, caplog):
    from certification.rendering import certificate_pdf_bytes
    from tests.certification.factories import holder, issue

    settings.RUTA_SIGNING_KEYS_DIR = str(tmp_path / "keys")
    settings.RUTA_SIGNING_KEY_PEM = ""
    settings.RUTA_SIGNING_KEYS_AUTOGENERATE = True
    # Letters no other PDF of this run has used, so fontTools subsets the font again rather than reusing a subset.
    letters = "".join(random.sample("ÁÉÍÓÚÑÜáéíóúñüÇçÀÈÌÒÙàèìòùÂÊÎÔÛâêîôûÄËÏÖäëïö", 10))  # noqa: S311
    certificate = issue(user=holder(first_name="María José", last_name=f"Peña {letters}"))
    with caplog.at_level(logging.INFO):  # the Celery worker logs at INFO
        pdf = certificate_pdf_bytes(certificate=certificate, qr_url="https://ruta.example.org/v/X")
    assert pdf.startswith(b"%PDF")
    assert [record.getMessage() for record in caplog.records if record.name.startswith("fontTools")] == []
