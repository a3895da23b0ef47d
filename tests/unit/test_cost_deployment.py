"""`make cost` on the real configuration: the deployment read from Terraform per workspace,
the workload covering the contract and the functions, and the command's output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cost import __main__ as cli
from cost.deployment import budget_limit, emitted_metrics, from_terraform

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
    # The worst day is bounded and includes the whole 3 USD daily Bedrock cap.
    assert 3.00 < totals["MOST ONE DAY CAN COST"] < 100


@pytest.mark.parametrize("environment", ["dev", "staging"])
def test_cost_goal_idle_environment(environment):
    totals = _cost_totals(environment, 0)
    assert totals["TOTAL at list prices"] <= 0.50
    assert totals["Workload"] == 0
