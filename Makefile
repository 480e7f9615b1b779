# labelml — two commands: `make run` (demo on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The virtual environment is rebuilt whenever the lock file changes.
STAMP  := $(VENV)/.installed-$(shell sha1sum requirements/dev.txt 2>/dev/null | cut -c1-12)
HOST   ?= 127.0.0.1
PORT   ?= 8000
# make test runs the suite on this many processes (pytest-xdist); 2 = the machine's cores.
TEST_WORKERS ?= 2

.PHONY: run test install browser system-packages bench-pdf bench-dashboard bench-pratiques bench-load migrate demo lint typecheck lock check-fixture clean security

$(STAMP): requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## Debian packages the project needs beyond Python: HarfBuzz's subsetter (WeasyPrint embeds
## font subsets with it, fast; without it falls back to fontTools) and libmagic (evidence types).
## Installed when run as root; otherwise say what is missing.
SYSTEM_PACKAGES := libharfbuzz-subset0 libmagic1 libpango-1.0-0 libpangoft2-1.0-0
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Paquets Debian manquants (sudo apt-get install $$missing)"; fi; fi

## Debian's Chromium for the browser tests (a tool's own browser download cannot work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	  else echo "Chromium absent (sudo apt-get install chromium) : les parcours navigateur seront ignorés."; fi; }

migrate: install system-packages
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py import_referentiel fixtures/referentiel-ml-2022.yaml
	$(BIN)/python manage.py seed_demo

## Set everything up on SQLite (eager Celery, local files) and serve the application, with
## DEBUG off (the application's own error pages); `DEBUG=1 make run` for Django's debug pages.
DEBUG ?= 0
run: demo
	@echo "labelml : http://$(HOST):$(PORT)  (comptes de démonstration ci-dessus)"
	LABELML_ENV=demo DJANGO_DEBUG=$(DEBUG) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## The whole test suite. CI sets DATABASE_URL, REDIS_URL and REQUIRE_SERVICES=1 (see .ci/run).
test: install system-packages browser security
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy labelml referentiel campagnes audits
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

## Benchmarks print one JSON object as their last line; figures go to docs/benchmarks.md.
bench-pdf: install system-packages
	$(BIN)/python manage.py bench_pdf

bench-dashboard: install system-packages
	$(BIN)/python manage.py bench_dashboard

bench-pratiques: install system-packages
	$(BIN)/python manage.py bench_pratiques

## Autosaves under load: gunicorn (production settings) on the machine's PostgreSQL and Redis,
## driven by locust from a second process on 127.0.0.1; a throwaway database, dropped at the end.
## BENCH_SECONDS (60), BENCH_USERS (40), BENCH_WORKERS… : see scripts/bench_load/run.py.
bench-load: install
	$(BIN)/python -m scripts.bench_load.run

## Known vulnerabilities of the pinned dependencies (pip-audit; says so and passes when PyPI's
## vulnerability service cannot be reached) and static analysis of the code (bandit, settings
## and accepted findings in pyproject.toml's [tool.bandit] and docs/security.md).
security: install
	$(BIN)/python scripts/pip_audit.py
	$(BIN)/bandit -q -r -c pyproject.toml labelml referentiel campagnes audits

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy labelml referentiel campagnes audits

## Re-pin dependencies after editing pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml -o requirements/base.txt --python-version 3.11 -q
	$(BIN)/uv pip compile pyproject.toml --group dev -o requirements/dev.txt --python-version 3.11 -q

check-fixture: install
	$(BIN)/python scripts/check_fixture_against_seed.py --whole

## Backup of the PostgreSQL database of DATABASE_URL and of the private files into
## backups/<UTC time>/ with a SHA-256 manifest; restore one (replaces that database's content):
##   make restore BACKUP=backups/<time> CONFIRM=1      (docs/deployment.md)
.PHONY: backup restore
backup:
	scripts/backup.sh

restore:
	BACKUP="$(BACKUP)" CONFIRM="$(CONFIRM)" scripts/restore.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache
