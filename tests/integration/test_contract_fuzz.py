"""Contract fuzzing: schemathesis generates requests from the contract served at /openapi.json
by the running local API and checks every response against the contract.

`make fuzz` runs FUZZ_EXAMPLES=150 per operation and mode (valid and invalid data), over
1,000 cases across the routes; CI runs the default, a bounded 25 per operation and mode.
A 5xx passes only when it is one of 502/503/504, is documented for that operation, and
carries the error JSON: upstreams (Bedrock, YouTube, thumbnail hosts) are unreachable offline."""

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
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
UPSTREAM_STATUSES = {502, 503, 504}
CASES: list[str] = []


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation_id", [op.operation_id for op in contract.operations()])
def test_contract_fuzz(start_api, operation_id, mode):
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
        CASES.append(operation_id)
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


def test_contract_fuzz_case_count():
    # Runs after the parametrized cases in this module (pytest keeps file order).
    # Hypothesis stops early once it has tried every value of a small input space (enums), so
    # expect at least a fifth of the configured examples per operation and mode.
    floor = len(contract.operations()) * 2 * max(1, EXAMPLES // 5)
    minimum = int(os.environ.get("FUZZ_MIN_CASES", "0"))
    assert len(CASES) >= max(minimum, floor), f"only {len(CASES)} generated cases ran"
    print(f"\nfuzz: {len(CASES)} generated cases")
