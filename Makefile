# Ruta: `make demo` runs the site with demo data, `make test` runs the whole suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= lms.settings.dev
SERVE_SETTINGS ?= lms.settings.production

.PHONY: install system-deps demo test lint serve worker clean messages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Debian tools the suite uses: Chromium for browser journeys, poppler and zbar for certificate checks.
SYSTEM_TOOLS := chromium chromedriver pdftotext pdftoppm zbarimg msgfmt npm
system-deps:
	@missing=""; for t in $(SYSTEM_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver poppler-utils zbar-tools gettext fonts-dejavu-core $$(command -v npm >/dev/null || echo nodejs npm) >/dev/null; \
	fi

install: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e ".[dev]"
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	$(BIN)/python manage.py vendor_js

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	DJANGO_SETTINGS_MODULE=lms.settings.test $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Production: checks the configuration, collectstatic, migrate, then gunicorn + Celery worker + beat (deploy/serve).
# exec: make's child is deploy/serve itself, so the SIGTERM make passes on (systemd, a container runtime) reaches
# its trap, which stops every process (a /bin/sh in between died without passing it on). Under a supervisor, run
# deploy/serve directly (README «Running it for real»).
serve:
	DJANGO_SETTINGS_MODULE=$(SERVE_SETTINGS) exec deploy/serve

worker:
	$(BIN)/celery -A lms worker -l info --concurrency 2

messages:
	$(BIN)/python manage.py makemessages -l es -l en --ignore=.venv --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3*
