# Everything runs from a local virtualenv in .venv, made on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install install-runtime compile run test test-postgres bench lint format clean

# Two stamps: running needs only the package and its dependencies (about 120 MB); the tests,
# linters and benchmarks add the dev extras (playwright, schemathesis, scikit-learn, ...).
$(VENV)/.runtime: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "tracker needs Python 3.11 or newer; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# pip compiles what it installs into site-packages, but not an editable checkout; with
# PYTHONDONTWRITEBYTECODE set (as on some machines) every command would compile tracker's own
# modules from source each time it starts (100 ms). Cheap when nothing changed.
compile: $(VENV)/.runtime
	@$(BIN)/python -m compileall -q tracker

$(VENV)/.installed: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install-runtime: $(VENV)/.runtime  ## the package alone (what `make run` needs)

install: $(VENV)/.installed  ## the package and the dev extras (tests, linters, benchmarks)

run: install-runtime compile  ## load the seeds into ./tracker.db and run the service (Ctrl-C stops it)
	$(BIN)/tracker seed
	$(BIN)/tracker run

test: install compile  ## the whole test suite
	$(BIN)/python -m pytest

# The same suite on PostgreSQL, a fresh schema per test (the server in docker-compose.yml, or
# the one CI has on 127.0.0.1).
TRACKER_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
test-postgres: install compile
	TRACKER_TEST_DATABASE_URL='$(TRACKER_TEST_DATABASE_URL)' $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install compile  ## the benchmarks (minutes: they build a million predictions)
	$(BIN)/python -m bench

lint: install  ## ruff (lint and format), mypy and the import contracts (the layers)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
