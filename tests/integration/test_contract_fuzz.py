"""Contract fuzzing: schemathesis generates requests from the contract served at /openapi.json
by the running local API and checks every response against the contract.

`make fuzz` runs FUZZ_EXAMPLES=150 per operation and mode (valid and invalid data), over
1,000 cases across the routes; CI runs the default, a bounded 25 per operation and mode.
A 5xx passes only when it is one of 502/503/504, is documented for that operation, and
carries the error JSON: upstreams (Bedrock, YouTube, thumbnail hosts) are unreachable offline.

The coverage run adds schemathesis's coverage phase per operation: boundary, missing and
malformed values, and every method the path does not declare (schemathesis's set plus HEAD,
CONNECT and an extension method), each answered with JSON and CORS, never a 5xx."""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from functions.common import contract

pytestmark = pytest.mark.fuzz
EXTRA_METHODS = frozenset({"head", "connect", "propfind"})
API_GATEWAY_METHODS = {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
UPSTREAM_STATUSES = {502, 503, 504}


@pytest.fixture(scope="module")
def fuzz_counts():
    """Generated cases per (operation, mode), checked once every selected case has run:
    hypothesis stops early once it has tried every value of a small input space (enums), so
    expect at least a fifth of the configured examples per operation and mode on average, and
    `make fuzz`'s FUZZ_MIN_CASES when the whole set ran."""
    counts: dict[tuple[str, str], int] = {}
    yield counts
    total = sum(counts.values())
    print(f"\nfuzz: {total} generated cases over {len(counts)} operation and mode pairs")
    if counts:
        floor = len(counts) * max(1, EXAMPLES // 5)
        if len(counts) == 2 * len(contract.operations()):
            floor = max(floor, int(os.environ.get("FUZZ_MIN_CASES", "0")))
        assert total >= floor, f"only {total} generated cases ran (floor {floor})"


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation_id", [op.operation_id for op in contract.operations()])
def test_contract_fuzz_answers_as_documented(start_api, fuzz_counts, operation_id, mode):
    api = start_api()
    # Loaded from the running API, as a client would; the run's port replaces the contract's 3001.
    schema = schemathesis.openapi.from_url(f"{api.base}/openapi.json")
    operation = next(op for op in _operations(schema) if op.definition.raw.get("operationId") == operation_id)
    documented = {int(code) for code in operation.definition.raw["responses"] if code.isdigit()}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
    )
    def run(case):
        response = case.call(base_url=api.base, timeout=30)
        fuzz_counts[operation_id, mode.name] = fuzz_counts.get((operation_id, mode.name), 0) + 1
        case.validate_response(
            response, checks=[status_code_conformance, content_type_conformance, response_schema_conformance]
        )
        status = response.status_code
        if mode is GenerationMode.NEGATIVE:
            assert status >= 400 or status == 200, f"invalid input answered {status}"
        if status >= 500:
            assert status in UPSTREAM_STATUSES and status in documented, f"undocumented {status}: {response.text[:300]}"
            assert "error" in json.loads(response.text)
        if status >= 400:
            assert "Traceback" not in response.text

    run()
    assert fuzz_counts.get((operation_id, mode.name), 0) >= 1, "no case was generated"


@pytest.mark.parametrize("operation_id", [op.operation_id for op in contract.operations()])
def test_contract_fuzz_coverage_with_every_method(start_api, operation_id):
    api = start_api()
    schema = schemathesis.openapi.from_url(f"{api.base}/openapi.json")
    coverage = schema.config.phases.coverage
    coverage.unexpected_methods = set(coverage.unexpected_methods) | EXTRA_METHODS  # a new set: never the default
    operation = next(op for op in _operations(schema) if op.definition.raw.get("operationId") == operation_id)
    documented = {int(code) for code in operation.definition.raw["responses"] if code.isdigit()}
    config = schema.config.generation_for(operation=operation, phase="coverage")
    methods = set()
    cases = schema.iter_coverage_cases(
        operation, generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], generation_config=config
    )
    for case in cases:
        response = case.call(base_url=api.base, timeout=30)
        method, status, label = case.method.upper(), response.status_code, f"{case.method} {case.formatted_path}"
        methods.add(method)
        if status >= 500:
            assert status in UPSTREAM_STATUSES and status in documented, f"{label}: {status} {response.text[:300]}"
        if status >= 400 and method != "HEAD":
            assert "error" in json.loads(response.text) and "Traceback" not in response.text, label
        if method not in (operation.method.upper(), "OPTIONS"):
            # The path's ANY mock answers API Gateway's other methods; the rest match no method (404).
            assert status == (405 if method in API_GATEWAY_METHODS else 404), f"{label}: {status}"
            assert response.headers.get("access-control-allow-origin") == ["*"], label  # the gateway's CORS
    expected = {m.upper() for m in coverage.unexpected_methods} | {operation.method.upper()}
    assert methods >= expected, f"never sent: {sorted(expected - methods)}"
