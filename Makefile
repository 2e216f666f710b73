# coop: `make run` serves the app with demo data, `make test` runs the suite.

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app coop
DATABASE_FILE := instance/coop.sqlite

# The first of these that is Python 3.11 or newer builds the virtualenv.
PYTHON_CANDIDATES := python3 python3.13 python3.12 python3.11

.DEFAULT_GOAL := help
.PHONY: help run test lint types format migration clean install

help:
	@echo "make run                  install, migrate, load demo data, serve http://127.0.0.1:5000"
	@echo "make test                 run the test suite on every core (PostgreSQL with COOP_TEST_DATABASE_URL)"
	@echo "make lint                 ruff check, ruff format --check, mypy against its baseline"
	@echo "make types                rewrite the mypy baseline (.ci/mypy-baseline.txt) after fixing errors"
	@echo "make format               ruff format and ruff check --fix"
	@echo 'make migration m="..."    autogenerate a migration from the models'
	@echo "make clean                remove the virtualenv and caches (the database in instance/ stays)"

$(BIN)/python:
	@python=""; \
	for candidate in $(PYTHON_CANDIDATES); do \
		if command -v $$candidate >/dev/null 2>&1 && \
			$$candidate -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then \
			python=$$candidate; break; \
		fi; \
	done; \
	if [ -z "$$python" ]; then \
		echo "coop needs Python 3.11 or newer; none of $(PYTHON_CANDIDATES) is. Install one and run make again." >&2; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python ($$($$python --version 2>&1))"; \
	$$python -m venv $(VENV)

# Reinstall only when the project's dependencies may have changed.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p $(dir $(DATABASE_FILE))
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

# The suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one
# process, e.g. for a debugger. PYTEST_ARGS goes to pytest as it is.
PYTEST_WORKERS ?= auto

test: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python .ci/mypy_baseline.py

# After fixing type errors: drop them from the baseline. It refuses to take new ones.
types: $(STAMP)
	$(BIN)/python .ci/mypy_baseline.py --update

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migration: $(STAMP)
	@if [ -z "$(m)" ]; then echo 'Say what the migration does: make migration m="add rounds"' >&2; exit 1; fi
	@mkdir -p $(dir $(DATABASE_FILE))
	$(FLASK) db upgrade
	$(FLASK) db migrate -m "$(m)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis coop.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
