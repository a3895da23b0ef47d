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
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.DEFAULT_GOAL := help
.PHONY: help setup serve test lint lock clean

help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

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

lint: setup ## ruff
	$(VENV)/bin/ruff check functions tests build

lock: setup ## recompile every hashed lock from its .in file
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

clean: ## remove the virtualenv, caches and build outputs
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build/dist build/work
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Areas add their targets in make/*.mk (build, terraform, bench, ...).
-include make/*.mk
