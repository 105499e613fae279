#!/usr/bin/env bash
# Start the production stack exactly as the README says (`make serve`: production settings, DEBUG off,
# PostgreSQL, Redis, gunicorn, Celery worker and beat) on loopback, seed the demo, run deploy/smoke.py
# against it, then stop everything. Any failure fails (CI: .ci/run). Needs PostgreSQL and Redis running.
#   SMOKE_PORT (18010), SMOKE_DB (ruta_prod_smoke_<pid>), SMOKE_REDIS_DBS ("5 6 7": cache, broker, results)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${SMOKE_PORT:-18010}
DB=${SMOKE_DB:-ruta_prod_smoke_$$}
read -r R_CACHE R_BROKER R_RESULTS <<<"${SMOKE_REDIS_DBS:-5 6 7}"
WORK=$(mktemp -d)
LOG="$WORK/serve.log"

for n in $R_CACHE $R_BROKER $R_RESULTS; do redis-cli -h 127.0.0.1 -n "$n" flushdb >/dev/null; done
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"

export DJANGO_SETTINGS_MODULE=lms.settings.production
export DJANGO_SECRET_KEY="smoke-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export REDIS_URL="redis://127.0.0.1:6379/$R_CACHE"
export CELERY_BROKER_URL="redis://127.0.0.1:6379/$R_BROKER"
export CELERY_RESULT_BACKEND="redis://127.0.0.1:6379/$R_RESULTS"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
export RUTA_BASE_URL="http://127.0.0.1:$PORT"
export DJANGO_SECURE_SSL_REDIRECT=false   # loopback without TLS; everything else as in production
export RUTA_BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=2 RUTA_WORKER_CONCURRENCY=2
export RUTA_MEDIA_ROOT="$WORK/media" RUTA_BEAT_SCHEDULE="$WORK/celerybeat-schedule"
export RUTA_SIGNING_KEYS_DIR="$WORK/keys"
mkdir -p "$RUTA_SIGNING_KEYS_DIR"
.venv/bin/python - <<'PY'
import os, pathlib
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
pem = Ed25519PrivateKey.generate().private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
pathlib.Path(os.environ["RUTA_SIGNING_KEYS_DIR"], "smoke.pem").write_bytes(pem)
PY

# Its own process group, so stopping it stops gunicorn, the worker and beat too.
setsid make serve >"$LOG" 2>&1 &
SERVE_PID=$!
cleanup() {
  status=$?
  kill -TERM -- "-$SERVE_PID" 2>/dev/null || true
  for _ in $(seq 40); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$SERVE_PID" 2>/dev/null || true
  if [ "$status" != 0 ]; then echo "---- make serve log (tail) ----"; tail -80 "$LOG"; fi
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

for _ in $(seq 180); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVE_PID" 2>/dev/null || { echo "make serve stopped"; exit 1; }
  sleep 1
done
.venv/bin/python manage.py seed_demo >"$WORK/seed.log" 2>&1 || { tail -40 "$WORK/seed.log"; exit 1; }
.venv/bin/python deploy/smoke.py "http://127.0.0.1:$PORT"
grep -E "ruta: started (web|worker|beat)" "$LOG"
