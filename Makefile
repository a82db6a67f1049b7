# salestrack: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help run test test-browser lint format serve migrate demo clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements/runtime.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements/runtime.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.test: $(VENV)/.runtime requirements/test.lock
	$(BIN)/pip install --quiet -r requirements/test.lock
	@touch $@

run: $(VENV)/.runtime ## migrate the embedded database, load the demo tenant, serve on :8000 with the worker
	$(BIN)/salestrack migrate
	SALESTRACK_PUBLIC_URL="$${SALESTRACK_PUBLIC_URL:-http://$(HOST):$(PORT)}" $(BIN)/salestrack demo
	SALESTRACK_PUBLIC_URL="$${SALESTRACK_PUBLIC_URL:-http://$(HOST):$(PORT)}" $(BIN)/salestrack serve --host $(HOST) --port $(PORT) --with-worker

test: $(VENV)/.test ## install the test extras and run the whole suite (SQLite and PostgreSQL)
	$(BIN)/pytest -n 2 --dist loadgroup

test-browser: $(VENV)/.test ## install Debian's chromium if missing, run only the browser tests
	bash scripts/install-browser.sh
	$(BIN)/pytest -m browser

lint: $(VENV)/.test ## ruff (lint + format check), mypy and the layer contract (.importlinter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.test ## apply ruff's formatting and fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## remove the virtual environment and local databases
	rm -rf $(VENV) salestrack.db salestrack.db-wal salestrack.db-shm
