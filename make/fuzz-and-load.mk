# Contract fuzzing and a bounded load run on loopback (see docs/testing.md).
.PHONY: fuzz load

fuzz: setup ## schemathesis over every operation, 150 cases per operation and mode (>1,000 in all), plus every method on every path
	FUZZ_EXAMPLES=150 FUZZ_MIN_CASES=1000 $(PY) -m pytest -q -p no:randomly tests/integration/test_contract_fuzz.py

load: setup ## bounded load on loopback: 50 clients for 20 s; prints JSON with p50/p99 and environments started, fails on any error
	$(PY) -m tools.loadtest --clients $${CLIENTS:-50} --seconds $${SECONDS_:-20}
