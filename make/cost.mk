# Cost model: `make cost ENV=dev REQUESTS=10000` prints the expected monthly cost of one
# environment with its breakdown, the fixed and workload parts, the total with and without the
# always-free allowances, and the most one day can cost under the spend cap and the API
# throttle (docs/observability-and-cost.md). COST_ARGS passes more options, e.g.
# COST_ARGS="--duration poetry=2400 --worst-case" (see `python -m cost --help`).

ENV ?=
REQUESTS ?= 10000
COST_ARGS ?=

.PHONY: cost

cost: setup ## expected monthly cost of ENV=dev|staging|prod for REQUESTS API requests
	@test -n "$(ENV)" || { echo "ENV must be set, e.g. make cost ENV=dev REQUESTS=10000"; exit 1; }
	$(PY) -m cost --env $(ENV) --requests $(REQUESTS) $(COST_ARGS)
