# music-poetry backend. `make serve` and `make test` each work alone on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced
# localhost serves 127.0.0.1 and ::1 both; an address serves that address alone.
HOST ?= localhost
PORT ?= 3001
PYTEST_ARGS ?=
LOCKS := requirements.txt requirements-dev.txt
# Every folder with Python in it: linted, format-checked and type-checked by `make check`.
PY_DIRS := functions tests build cost bench tools
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.DEFAULT_GOAL := help
.PHONY: help setup serve test check lint format typecheck lock clean

# One topic per file: this Makefile, then each make/<topic>.mk.
help: ## list targets by topic
	@awk 'FNR == 1 { topic = FILENAME; sub(/.*\//, "", topic); sub(/\.mk$$/, "", topic); gsub(/-/, " ", topic); \
		if (topic == "Makefile") topic = "project"; shown = 0 } \
		/^[a-zA-Z_-]+:.*## / { if (!shown) { printf "\n%s%s\n", toupper(substr(topic, 1, 1)), substr(topic, 2); shown = 1 } \
		name = $$0; sub(/:.*/, "", name); text = $$0; sub(/^[^#]*## /, "", text); printf "  %-14s %s\n", name, text }' \
		$(MAKEFILE_LIST)

setup: $(STAMP) ## create .venv and install exactly the hashed locks

$(STAMP): $(LOCKS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
		-r requirements.txt -r requirements-dev.txt
	@touch $@

serve: setup ## run the API locally on http://$(HOST):$(PORT) (offline poet; ENV=prod mirrors its reserved concurrency)
	$(PY) -m functions.local_api --host $(HOST) --port $(PORT) $(if $(ENV),--env $(ENV))

test: setup ## run the whole test suite (unit, integration, terraform)
	$(PY) -m pytest $(PYTEST_ARGS)

check: lint typecheck ## what CI runs first: ruff check, ruff format --check and mypy over every Python folder
	$(VENV)/bin/ruff format --check $(PY_DIRS)

lint: setup ## ruff check over every Python folder
	$(VENV)/bin/ruff check $(PY_DIRS)

format: setup ## ruff format every Python folder (rewrites files)
	$(VENV)/bin/ruff format $(PY_DIRS)

typecheck: setup ## mypy over every Python folder (settings in mypy.ini)
	$(VENV)/bin/mypy $(PY_DIRS)

lock: setup ## recompile every hashed lock from its .in file
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

clean: ## remove the virtualenv, caches and build outputs
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis build/dist build/work
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Areas add their targets in make/*.mk (build, terraform, bench, ...).
-include make/*.mk
