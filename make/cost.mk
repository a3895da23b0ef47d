# Cost model (issue 9): `make cost ENV=dev REQUESTS=10000` prints the expected monthly cost of
# one environment with its breakdown. COST_ARGS passes more options, e.g.
# COST_ARGS="--duration poetry=2400 --worst-case" (see `python -m cost --help`).

ENV ?=
REQUESTS ?= 10000
COST_ARGS ?=

.PHONY: cost

cost: setup ## expected monthly cost of ENV=dev|staging|prod for REQUESTS API requests
	@test -n "$(ENV)" || { echo "ENV must be set, e.g. make cost ENV=dev REQUESTS=10000"; exit 1; }
	$(PY) -m cost --env $(ENV) --requests $(REQUESTS) $(COST_ARGS)
