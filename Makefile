# Placebase: `make demo` runs the product, `make test` runs the tests. `make help` lists all.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PLACEBASE := $(VENV)/bin/placebase
export PLACEBASE_VAR_DIR ?= $(CURDIR)/var

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

install: $(VENV)/.installed node_modules/.installed assets ## create .venv, install Python and npm packages, build assets
	@mkdir -p var

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || "$$(scripts/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.installed ## copy GOV.UK Frontend and Leaflet from npm into static files
	@node scripts/build-assets.mjs

demo: install ## migrate, load the demo place (Sutton) and serve it on http://127.0.0.1:8000
	@mkdir -p var
	$(PLACEBASE) demo

serve: install ## serve on http://127.0.0.1:8000 without reloading data
	@mkdir -p var
	$(PLACEBASE) serve

browser: ## make sure Debian's chromium is there for the browser tests
	@scripts/ensure-browser.sh

test: install browser ## run the whole suite on SQLite, and on PostgreSQL when reachable
	@scripts/test.sh

lint: install ## ruff (lint and format check) and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check placebase config benchmarks conftest.py manage.py
	$(VENV)/bin/mypy placebase config

format: install ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format placebase config benchmarks conftest.py manage.py

migrations-check: install ## fail if a model change has no migration
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

check-deploy: install ## Django's deployment checks with production settings
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY="$$(openssl rand -hex 40)" \
	  DJANGO_ALLOWED_HOSTS=placebase.example.org $(PY) manage.py check --deploy --fail-level WARNING

bench: install ## run the benchmarks; tables go to benchmarks/results/
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) -m benchmarks.run

clean: ## remove the virtual environment, npm packages, built assets and var/
	rm -rf $(VENV) node_modules var placebase/web/static/vendor

.PHONY: help install assets demo serve browser test lint format migrations-check check-deploy bench clean
