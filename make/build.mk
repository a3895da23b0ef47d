# Lambda artifacts: see docs/build.md. Standard-library Python in build/lambdabuild.
LAMBDABUILD := PYTHONPATH=build $(PY) -m lambdabuild
BUILD_IN_DOCKER ?= auto
BUILD_NUMBA_CACHE ?= auto
# A build without .pyc (no CPython of the target version) or whose numba warm-up failed records
# it in manifest.json `degraded`; build-check and the gate before plan/deploy refuse it unless
# ALLOW_DEGRADED=1. A warm-up that could not run is only reported (docs/build.md).
ALLOW_DEGRADED ?= 0
LAYERS := $(patsubst layers/%/requirements.in,%,$(wildcard layers/*/requirements.in))
.PHONY: build smoke smoke-target build-check deploy-gate build-clean layer-locks

build: setup ## Lambda zips + build/dist/manifest.json (BUILD_IN_DOCKER=auto|1|0)
	BUILD_IN_DOCKER=$(BUILD_IN_DOCKER) BUILD_NUMBA_CACHE=$(BUILD_NUMBA_CACHE) $(LAMBDABUILD) build

smoke: setup ## every handler from its artifacts (this machine's Python) in a read-only Lambda-like sandbox
	BUILD_NUMBA_CACHE=$(BUILD_NUMBA_CACHE) $(LAMBDABUILD) build --local-python
	$(LAMBDABUILD) smoke

smoke-target: setup ## the same with build/dist itself, when a CPython of the target version is here
	$(LAMBDABUILD) smoke --target

build-check: setup ## ABI, budget, no-dev-module and degradation check of build/dist (ALLOW_DEGRADED=1 accepts degraded)
	ALLOW_DEGRADED=$(ALLOW_DEGRADED) $(LAMBDABUILD) check

deploy-gate: setup ## what plan and deploy run first: build/dist's manifest exists, in budget, not degraded (ALLOW_DEGRADED=1)
	@ALLOW_DEGRADED=$(ALLOW_DEGRADED) $(LAMBDABUILD) deployable

build-clean: ## remove build/dist and build/work
	rm -rf build/dist build/work

layer-locks: setup ## recompile layers/*/requirements.txt (hashed) and check each installs for the target
	@for l in $(LAYERS); do (cd layers/$$l && ../../$(PIP_COMPILE) -o requirements.txt requirements.in) || exit 1; done
	cd build && ../$(PIP_COMPILE) -o requirements.txt requirements.in
	$(LAMBDABUILD) verify-locks
