#!/usr/bin/env bash
# Scale out on one machine: two `make serve` hosts (A: web + worker + beat, B: web + worker) on one PostgreSQL,
# one Redis and a local S3 server (moto, loopback), each with its own static and media folders, then
# deploy/scale_check.py shows they share no local state. Any failure fails (CI: .ci/run, PostgreSQL half).
#   SCALE_PORTS ("18030 18031 18032": S3, web A, web B), SCALE_DB (ruta_prod_scale_<pid>),
#   SCALE_REDIS_DBS ("5 6 7": cache, broker, results)
set -euo pipefail
cd "$(dirname "$0")/.."
read -r S3_PORT PORT_A PORT_B <<<"${SCALE_PORTS:-18030 18031 18032}"
read -r R_CACHE R_BROKER R_RESULTS <<<"${SCALE_REDIS_DBS:-5 6 7}"
DB=${SCALE_DB:-ruta_prod_scale_$$}
WORK=$(mktemp -d)
PIDS=()

for n in $R_CACHE $R_BROKER $R_RESULTS; do redis-cli -h 127.0.0.1 -n "$n" flushdb >/dev/null; done
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"

cleanup() {
  status=$?
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ "$status" != 0 ]; then
    for log in "$WORK"/*.log; do echo "---- $log (tail) ----"; tail -40 "$log"; done
  fi
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

export AWS_ACCESS_KEY_ID=scale-check AWS_SECRET_ACCESS_KEY=scale-check AWS_S3_REGION_NAME=us-east-1
export AWS_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" AWS_S3_ADDRESSING_STYLE=path
export AWS_STORAGE_BUCKET_NAME=ruta-archivos RUTA_PRIVATE_BUCKET=ruta-privado
setsid .venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT" >"$WORK/s3.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 30); do curl -fsS "$AWS_S3_ENDPOINT_URL" >/dev/null 2>&1 && break; sleep 0.5; done
.venv/bin/python -c "
import boto3, os
s3 = boto3.client('s3', endpoint_url=os.environ['AWS_S3_ENDPOINT_URL'])
for bucket in (os.environ['AWS_STORAGE_BUCKET_NAME'], os.environ['RUTA_PRIVATE_BUCKET']):
    s3.create_bucket(Bucket=bucket)
"

export DJANGO_SETTINGS_MODULE=lms.settings.production
export DJANGO_SECRET_KEY="scale-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export REDIS_URL="redis://127.0.0.1:6379/$R_CACHE"
export CELERY_BROKER_URL="redis://127.0.0.1:6379/$R_BROKER"
export CELERY_RESULT_BACKEND="redis://127.0.0.1:6379/$R_RESULTS"
export DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost" RUTA_BASE_URL="http://127.0.0.1:$PORT_A"
export DJANGO_SECURE_SSL_REDIRECT=false WEB_CONCURRENCY=1 RUTA_WORKER_CONCURRENCY=1
# One signing key for the deployment, as an environment variable (no key folder on any host).
RUTA_SIGNING_KEY_PEM=$(.venv/bin/python -c "
from cryptography.hazmat.primitives import serialization as s
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
print(Ed25519PrivateKey.generate().private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()).decode())")
export RUTA_SIGNING_KEY_PEM

host() {  # host NAME PORT PROCESSES
  mkdir -p "$WORK/$1/media"
  RUTA_PROCESSES="$3" RUTA_BIND="127.0.0.1:$2" RUTA_STATIC_ROOT="$WORK/$1/static" RUTA_MEDIA_ROOT="$WORK/$1/media" \
    RUTA_BEAT_SCHEDULE="$WORK/$1/beat" setsid make serve >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
}
host a "$PORT_A" "web worker beat"
host b "$PORT_B" "web worker"   # both migrate at once: the advisory lock lets one do it
for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 240); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "web on port $port did not start"; exit 1; }
done
.venv/bin/python manage.py seed_demo >"$WORK/seed.log" 2>&1 || { tail -40 "$WORK/seed.log"; exit 1; }
SCALE_MEDIA_ROOTS="$WORK/a/media $WORK/b/media" \
  .venv/bin/python deploy/scale_check.py "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B"
