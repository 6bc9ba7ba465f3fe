# The commands: `make run` (demo server), `make test` (the whole suite, SQLite and PostgreSQL) and
# `make serve` (production on one machine, docs/deploy.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PROD_STAMP := $(VENV)/.installed-prod-stamp

.PHONY: install install-prod packages run serve test test-sqlite test-postgres lint messages clean bench

install: $(STAMP)

# Production installs without the development tools (test runners, linters, type stubs).
install-prod: $(PROD_STAMP)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed: apt-get install python3.11 python3.11-venv")'
	@$(PYTHON) -m venv $(VENV) || { echo "Cannot create .venv. Run: apt-get install -y python3.11-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(PROD_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $(PROD_STAMP)

# The local installation's own settings, written once: a random secret key, so that the
# README's commands work in a new shell. Production sets PMQA_SECRET_KEY itself.
.env: | $(STAMP)
	@$(BIN)/python -c 'import secrets; print("PMQA_SECRET_KEY=" + secrets.token_urlsafe(50))' > .env
	@echo "Wrote .env with a new secret key for this installation."

# Where `make run` serves: `PORT=8001 make run` (and HOST) for another address. Links in
# e-mails follow it (PMQA_RUN_URL), unless PMQA_SITE_URL is set in the environment or .env.
HOST ?= 127.0.0.1
PORT ?= 8000

run: install .env
	PMQA_DEBUG=1 $(BIN)/pmqa migrate --verbosity 0
	PMQA_DEBUG=1 $(BIN)/pmqa import_criteria
	PMQA_DEBUG=1 $(BIN)/pmqa import_organisations
	PMQA_DEBUG=1 $(BIN)/pmqa seed_demo --force  # a local demo, whatever accounts it has gained
	@echo "Serving http://$(HOST):$(PORT) — log in with a demo account above."
	PMQA_DEBUG=1 PMQA_RUN_URL=http://$(HOST):$(PORT) $(BIN)/pmqa runserver $(HOST):$(PORT)

# Production on this machine, every setting from the environment (docs/deploy.md). An unsafe
# configuration is refused before anything is touched; then the database is migrated (one
# machine: with several, the deploy migrates once and each server runs gunicorn itself), the
# static files are collected and gunicorn serves.
serve: install-prod
	$(BIN)/pmqa check --deploy
	$(BIN)/pmqa migrate --no-input
	$(BIN)/pmqa collectstatic --no-input --verbosity 0
	exec $(BIN)/gunicorn --config python:pmqa.gunicorn_conf pmqa.wsgi

test: install packages test-sqlite test-postgres

packages:
	scripts/ensure-packages

# Tasks run where they are queued, as on SQLite; the tests of the database queue ask for it.
TEST_ENV := PMQA_ENV_FILE= PMQA_SECRET_KEY=test-only PMQA_TASKS=immediate

test-sqlite: install packages
	$(TEST_ENV) DATABASE_URL=sqlite:///:memory: $(BIN)/pytest -p no:cacheprovider

# The browser journeys test what a person sees and does, which the database does not change:
# on PostgreSQL only those marked `postgres` run again (the database failing under a page, two
# tabs saving one answer), and every other test.
test-postgres: install packages
	$(TEST_ENV) scripts/with-postgres $(BIN)/pytest -p no:cacheprovider -m "not browser or postgres"

# mypy's django-stubs plugin loads the settings, as makemigrations does.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PMQA_DEBUG=1 $(BIN)/mypy
	$(BIN)/lint-imports
	PMQA_DEBUG=1 $(BIN)/pmqa makemigrations --check --dry-run

messages: install
	cd pmqa && PMQA_DEBUG=1 ../$(BIN)/pmqa makemessages --locale th --no-obsolete --add-location file
	cd pmqa && PMQA_DEBUG=1 ../$(BIN)/pmqa compilemessages --locale th

bench: install packages
	PMQA_DEBUG=1 $(BIN)/python bench/bench_reports.py

clean:
	rm -rf $(VENV) var
