"""`make cost` on the real configuration: the deployment read from Terraform per workspace,
the workload covering the contract and the functions, and the command's output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cost import __main__ as cli
from cost.deployment import api_methods, budget_limit, detailed_metric_methods, emitted_metrics, from_terraform
from cost.model import Method

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = json.loads((ROOT / "functions" / "settings.json").read_text())
WORKLOAD = json.loads((ROOT / "cost" / "workload.json").read_text())
CONTRACT = yaml.safe_load((ROOT / "functions" / "openapi.yaml").read_text())
OPERATIONS = {
    op["operationId"]
    for methods in CONTRACT["paths"].values()
    for op in methods.values()
    if isinstance(op, dict) and "operationId" in op
}


def test_cost_workload_covers_every_operation_and_function():
    assert OPERATIONS <= set(WORKLOAD["operations"]), "cost/workload.json lacks an operation of the contract"
    assert set(SETTINGS["functions"]) <= set(WORKLOAD["functions"]), "cost/workload.json lacks a function profile"
    assert sum(op["share"] for op in WORKLOAD["operations"].values()) == pytest.approx(1.0)
    for name, op in WORKLOAD["operations"].items():
        assert sum(path["fraction"] for path in op["paths"]) == pytest.approx(1.0), name
        assert op["source"].split(":")[0] in {"measured", "configured", "estimate"}, name


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_cost_deployment_reads_memory_and_timeouts_from_terraform(environment):
    deployment = from_terraform(environment, workload=WORKLOAD)
    assert set(deployment.functions) == set(SETTINGS["functions"])
    for key, spec in SETTINGS["functions"].items():
        assert (deployment.functions[key].memory_mb, deployment.functions[key].timeout_s) == (
            spec["memory"],
            spec["timeout"],
        )
        assert deployment.functions[key].architecture == SETTINGS["architecture"]
    # error rate (2 metrics), p95 duration and throttles per function where enabled (prod), API 5XX
    # rate (2 metrics) and the Bedrock spend alarm (input and output tokens of Haiku) everywhere
    per_function = 4 * len(SETTINGS["functions"]) if environment == "prod" else 0
    assert deployment.alarm_metrics == per_function + 2 + 2
    assert (deployment.dashboards, deployment.budgets) == (0, 1)
    assert set(deployment.operations) == OPERATIONS
    # Only YouTubeFailure (by reason) is a custom metric: everything else has a free twin.
    assert deployment.custom_metrics["poetry"] == []
    assert deployment.custom_metrics["youtube"][0] == "YouTubeFailure"
    assert deployment.bedrock_models == ("claude-haiku-4.5",)
    assert deployment.daily_budget_usd == {"dev": 1, "staging": 1, "prod": 3}[environment]
    assert deployment.throttle_rate_rps > 0


def _tfvars(environment: str) -> dict:
    import hcl2

    with open(ROOT / "terraform" / "environments" / f"{environment}.tfvars") as handle:
        values = hcl2.load(handle)
    # python-hcl2 keeps the quotes of quoted map keys ("GET /api/x").
    values["route_throttling"] = {k.strip('"'): v for k, v in values.get("route_throttling", {}).items()}
    return values


@pytest.mark.parametrize("environment", ["dev", "staging", "prod"])
def test_cost_deployment_reads_each_methods_rate_from_the_var_file(environment):
    values = _tfvars(environment)
    overrides = {key: route["rate_limit"] for key, route in values["route_throttling"].items()}
    deployment = from_terraform(environment, workload=WORKLOAD)
    assert deployment.throttle_rate_rps == values["throttling_rate_limit"]
    # The costliest route is overridden below the stage default in every environment.
    assert 0 < overrides["GET /api/youtube/audio-with-analysis"] < values["throttling_rate_limit"]
    for key, method in deployment.methods.items():
        assert method.rate_rps == overrides.get(key, values["throttling_rate_limit"]), key
    assert deployment.methods["GET /api/youtube/audio-with-analysis"].operation == "getYoutubeAudioWithAnalysis"


def test_cost_deployment_api_methods_follow_the_contract():
    methods = api_methods(CONTRACT, default_rps=5, overrides={"GET /api/thumbnail": 1})
    paths = list(CONTRACT["paths"])
    # Per path: its operations, an OPTIONS preflight to the path's function, an ANY 405 mock;
    # plus the two 404 mocks on / and /{proxy+} (terraform/modules/api/body.tf).
    assert len(methods) == len(OPERATIONS) + 2 * len(paths) + 2
    assert methods["GET /api/thumbnail"] == Method(1, operation="getThumbnail")
    assert methods["OPTIONS /api/youtube/audio-with-analysis"] == Method(5, function="youtube")
    assert methods["ANY /{proxy+}"] == methods["ANY /api/poetry/generate"] == Method(5)
    with pytest.raises(ValueError, match=r"does not have: DELETE /api/thumbnail"):
        api_methods(CONTRACT, default_rps=5, overrides={"DELETE /api/thumbnail": 1})


def test_cost_deployment_detailed_metrics_count_every_method():
    methods = api_methods(CONTRACT, default_rps=5, overrides={})
    on = [{"method_path": "*/*", "settings": [{"metrics_enabled": True}]}]
    off = [{"method_path": "*/*", "settings": [{"metrics_enabled": False}]}]
    # Preflights and mocks publish metrics too: more methods than operations.
    assert detailed_metric_methods(on, methods) == len(methods) > len(OPERATIONS)
    assert detailed_metric_methods(off, methods) == 0
    assert all(from_terraform(env, workload=WORKLOAD).api_detailed_metric_methods == 0 for env in ("dev", "prod"))


def test_cost_deployment_retention_follows_the_var_file():
    days = {env: from_terraform(env, workload=WORKLOAD).log_retention_days for env in ("dev", "prod")}
    assert days["dev"] < days["prod"]


def test_cost_emitted_metrics_reads_literal_names_only(tmp_path):
    (tmp_path / "handler.py").write_text(
        'metrics.add_metric(name="A" if kind == "x" else "B", unit=1, value=1)\n'
        'single_metric(name="C", unit=1, value=1)\n'
        "@metrics.log_metrics(capture_cold_start_metric=True)\ndef h(): pass\n"
    )
    assert emitted_metrics(tmp_path, exclude={"B"}) == ["A", "C", "ColdStart"]


def test_cost_budget_limit_defaults_to_5():
    assert budget_limit("dev") == 5.0  # read from terraform/variables.tf


def test_cost_cli_prints_the_breakdown(capsys):
    assert cli.main(["--env", "dev", "--requests", "10000"]) == 0
    out = capsys.readouterr().out
    assert "Monthly cost of dev for 10,000 API requests (prices-2026-11.json" in out
    for text in ("Lambda", "API Gateway", "Bedrock", "CloudWatch", "TOTAL at list prices", "of the 5 USD budget"):
        assert text in out
    for key, spec in SETTINGS["functions"].items():
        if any(key in op_path["calls"] for op in WORKLOAD["operations"].values() for op_path in op["paths"]):
            assert f"{key}: {spec['memory']} MB x" in out
    # The worst day names every method's own rate, the override included.
    day = out.split("The most one UTC day can cost")[1]
    rate = _tfvars("dev")["route_throttling"]["GET /api/youtube/audio-with-analysis"]["rate_limit"]
    assert f"GET /api/youtube/audio-with-analysis at {rate:g}/s" in day
    assert f"POST /api/poetry/generate at {_tfvars('dev')['throttling_rate_limit']:g}/s" in day


def test_cost_cli_json_totals_add_up(capsys):
    assert cli.main(["--env", "prod", "--requests", "2000", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["environment"] == "prod" and data["requests"] == 2000
    assert data["total"] == pytest.approx(sum(line["cost"] for line in data["lines"]), abs=1e-3)


def test_cost_cli_rejects_unknown_environment_and_bad_duration(capsys):
    assert cli.main(["--env", "qa", "--requests", "1"]) == 2
    assert "no terraform/environments/qa.tfvars" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--env", "dev", "--requests", "1", "--duration", "poetry"])


def _cost_totals(environment: str, requests: int) -> dict[str, float]:
    """`make cost ENV=... REQUESTS=...` runs `python -m cost`; its printed totals, parsed."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "cost", "--env", environment, "--requests", str(requests)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    totals = {}
    for label in ("Fixed", "Workload", "TOTAL at list prices", "TOTAL with always-free", "MOST ONE DAY CAN COST"):
        line = next(x for x in out.splitlines() if x.startswith(label))
        totals[label] = float(line[72:].split()[0])
    return totals


def test_cost_goal_prod_at_design_workload():
    totals = _cost_totals("prod", 1000)
    assert totals["TOTAL at list prices"] <= 5.00
    assert totals["TOTAL with always-free"] <= 2.00
    # The worst day is bounded and includes the whole 3 USD daily Bedrock cap. Every one of
    # prod's 14 methods has its own bucket (12 at 20/s, the analysis route and its preflight at
    # 5/s): about 21.6 M requests with their logs and X-Ray's sampled traces, Lambda capped by
    # reserved concurrency: 135.00 on 2026-12-01 (docs/observability-and-cost.md).
    assert 3.00 < totals["MOST ONE DAY CAN COST"] < 150


@pytest.mark.parametrize("environment", ["dev", "staging"])
def test_cost_goal_idle_environment(environment):
    totals = _cost_totals(environment, 0)
    assert totals["TOTAL at list prices"] <= 0.50
    assert totals["Workload"] == 0
