"""Every aws_* resource and data block of the monitoring and budget code against the real
hashicorp/aws 6.25.0 provider schema (../shared/terraform, see its README): no unknown or
computed-only argument, every required argument and block present, single blocks once."""
from __future__ import annotations

import json

import hcl2
import pytest
from monitoring_plan import ROOT, TERRAFORM

SCHEMA_PATH = ROOT.parent / "shared" / "terraform" / "aws-provider-6.25.0-schema.json"
FILES = [TERRAFORM / "monitoring.tf",
         *sorted((TERRAFORM / "modules" / "monitoring").glob("*.tf")),
         *sorted((TERRAFORM / "modules" / "budget").glob("*.tf"))]
META = {"count", "for_each", "lifecycle", "depends_on", "provider"}


@pytest.fixture(scope="module")
def schema():
    if not SCHEMA_PATH.exists():
        pytest.fail(f"provider schema not found at {SCHEMA_PATH}: "
                    "the shared folder must sit beside the repository (../shared)")
    return json.loads(SCHEMA_PATH.read_text())


def _is_block(value) -> bool:
    return isinstance(value, list) and value and all(isinstance(v, dict) and v.get("__is_block__") for v in value)


def _problems(where: str, body: dict, spec: dict, *, top: bool) -> list[str]:
    problems = []
    attributes, blocks = spec.get("attributes", {}), spec.get("blocks", {})
    computed = set(spec.get("computed_only_attributes", [])) | ({"id", "tags_all"} if top else set())
    for key, value in body.items():
        if key.startswith("__") or (top and key in META):
            continue
        if _is_block(value):
            if key not in blocks:
                problems.append(f"{where}: unknown block {key}")
                continue
            if blocks[key]["nesting"] == "single" and len(value) > 1:
                problems.append(f"{where}: block {key} may appear once")
            for item in value:
                problems += _problems(f"{where}.{key}", item, blocks[key], top=False)
        elif key not in attributes or key in computed:
            problems.append(f"{where}: {key} is not a settable argument")
    problems += [f"{where}: missing required {k}" for k, a in attributes.items() if a["required"] and k not in body]
    problems += [f"{where}: missing required block {k}" for k, b in blocks.items() if b["required"] and k not in body]
    return problems


def _aws_blocks():
    for path in FILES:
        with open(path) as handle:
            parsed = hcl2.load(handle)
        for kind, prefix in (("resource", ""), ("data", "data.")):
            for block in parsed.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        rtype, name = rtype.strip('"'), name.strip('"')
                        if rtype.startswith("aws_"):
                            yield f"{path.relative_to(TERRAFORM)}:{prefix}{rtype}.{name}", prefix + rtype, body


def test_monitoring_blocks_match_the_aws_provider_schema(schema):
    seen, problems = set(), []
    for where, rtype, body in _aws_blocks():
        seen.add(rtype)
        if rtype not in schema:
            problems.append(f"{where}: {rtype} does not exist in provider 6.25.0")
            continue
        problems += _problems(where, body, schema[rtype], top=True)
    assert problems == []
    assert {"aws_cloudwatch_dashboard", "aws_cloudwatch_metric_alarm", "aws_sns_topic", "aws_budgets_budget",
            "data.aws_iam_policy_document"} <= seen


def test_monitoring_schema_check_rejects_unknown_arguments(schema):
    # The checker must fail on the mistakes it exists for, e.g. the 5.x-era names.
    budget = {"name": '"b"', "budget_type": '"COST"', "time_unit": '"MONTHLY"',
              "cost_filters": {"TagKeyValue": ['"user:Project$x"']},
              "notification": [{"__is_block__": True, "threshold": 80}]}
    problems = _problems("t", budget, schema["aws_budgets_budget"], top=True)
    assert "t: cost_filters is not a settable argument" in problems
    assert any("notification: missing required comparison_operator" in p for p in problems)
    assert _problems("d", {"dashboard_name": '"x"', "dashboard_arn": '"y"'}, schema["aws_cloudwatch_dashboard"],
                     top=True) == ["d: dashboard_arn is not a settable argument", "d: missing required dashboard_body"]

