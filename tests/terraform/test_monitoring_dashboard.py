"""The dashboard body Terraform would send, per workspace with the dashboard turned on: valid,
complete, built from free built-in metrics only, pointing at functions, the API and Bedrock
profiles that exist, and accepted by CloudWatch's PutDashboard (moto). Off by default."""

from __future__ import annotations

import json
import re

import boto3
import pytest
from monitoring_plan import (
    DASHBOARD_VARS,
    SETTINGS,
    WORKSPACES,
    dashboard_body,
    dashboard_problems,
    lambda_functions,
    metric_rows,
    one,
    plan,
    render_module,
    resources,
)
from moto import mock_aws

LAMBDA_METRICS = {"Invocations", "Errors", "Duration", "Throttles", "ConcurrentExecutions"}
API_METRICS = {"Count", "4XXError", "5XXError", "Latency"}
BEDROCK_METRICS = {"InputTokenCount", "OutputTokenCount", "Invocations", "InvocationThrottles"}
FREE_NAMESPACES = {"AWS/Lambda", "AWS/ApiGateway", "AWS/Bedrock"}


def dashboard_plan(workspace: str) -> dict:
    return plan(workspace, DASHBOARD_VARS)


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_dashboard_is_opt_in(workspace):
    parsed = plan(workspace)
    assert resources(parsed, "aws_cloudwatch_dashboard") == []  # 3.00 USD a month: off unless asked
    assert one(parsed, "output", "output.dashboard_url")["value"] is None


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_dashboard_reads_only_free_metrics(workspace):
    namespaces = {ns for _t, ns, _m, _d, _o in metric_rows(dashboard_body(dashboard_plan(workspace)))}
    assert namespaces == FREE_NAMESPACES
    body = json.dumps(dashboard_body(dashboard_plan(workspace)))
    assert "SEARCH(" not in body and f'music-poetry-{workspace}"' not in body


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_dashboard_bedrock_widgets_use_the_planned_profiles(workspace):
    parsed = dashboard_plan(workspace)
    profiles = {p["name"].rsplit("-", 1)[1]: p["id"] for p in resources(parsed, "aws_bedrock_inference_profile")}
    assert set(profiles) == {"haiku"}  # Haiku only unless a workspace opts into more
    rows = [(m, d) for _t, ns, m, d, _o in metric_rows(dashboard_body(parsed)) if ns == "AWS/Bedrock"]
    assert {m for m, _d in rows} == BEDROCK_METRICS
    # tfparse stands in the profile's id for its unknown ARN, the ModelId the calls name.
    assert {d["ModelId"] for _m, d in rows} == set(profiles.values())


def test_monitoring_workspaces_are_the_three_environments():
    assert WORKSPACES == ["dev", "prod", "staging"]


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_dashboard_body_is_valid_json_on_the_grid(workspace):
    body = dashboard_body(dashboard_plan(workspace))
    assert dashboard_problems(body) == []
    assert {w["type"] for w in body["widgets"]} == {"text", "metric", "log"}


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_dashboard_watches_every_function_in_settings(workspace):
    parsed = dashboard_plan(workspace)
    planned = lambda_functions(parsed)
    assert sorted(planned) == sorted(SETTINGS["functions"])  # functions come from settings.json
    shown: dict[str, set] = {}
    for _title, namespace, metric, dims, options in metric_rows(dashboard_body(parsed)):
        if namespace == "AWS/Lambda":
            assert metric in LAMBDA_METRICS and set(dims) == {"FunctionName"}
            shown.setdefault(dims["FunctionName"], set()).add(f"{metric}:{options['stat']}")
    expected = {
        "Invocations:Sum",
        "Errors:Sum",
        "Throttles:Sum",
        "ConcurrentExecutions:Maximum",
        "Duration:p50",
        "Duration:p95",
        "Duration:p99",
    }
    assert shown == {fn["function_name"]: expected for fn in planned.values()}
    assert all(
        name == f"music-poetry-{workspace}-{key}"
        for key, name in ((k, fn["function_name"]) for k, fn in planned.items())
    )


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_dashboard_api_widgets_use_the_planned_api_and_stage(workspace):
    parsed = dashboard_plan(workspace)
    api = one(parsed, "aws_api_gateway_rest_api")["name"]
    stage = one(parsed, "aws_api_gateway_stage")["stage_name"]
    rows = [
        (metric, dims, opts)
        for _t, ns, metric, dims, opts in metric_rows(dashboard_body(parsed))
        if ns == "AWS/ApiGateway"
    ]
    assert {metric for metric, _d, _o in rows} == API_METRICS
    assert all(dims == {"ApiName": api, "Stage": stage} for _m, dims, _o in rows)
    assert {opts["stat"] for metric, _d, opts in rows if metric == "Latency"} == {"p50", "p95", "p99"}


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_dashboard_logs_widget_reads_every_function_log_group(workspace):
    parsed = dashboard_plan(workspace)
    body = dashboard_body(parsed)
    [logs] = [w for w in body["widgets"] if w["type"] == "log"]
    sources = re.findall(r"SOURCE '([^']+)'", logs["properties"]["query"])
    groups = {g["name"] for g in resources(parsed, "aws_cloudwatch_log_group", "module.function[")}
    assert sorted(sources) == sorted(groups) and len(groups) == len(SETTINGS["functions"])
    assert 'level in ["ERROR", "CRITICAL"]' in logs["properties"]["query"]
    saved = one(parsed, "aws_cloudwatch_query_definition", "module.monitoring.")
    assert sorted(saved["log_group_names"]) == sorted(groups)


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_dashboard_accepted_by_moto_put_dashboard(workspace):
    parsed = dashboard_plan(workspace)
    dashboard = one(parsed, "aws_cloudwatch_dashboard", "module.monitoring.")
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
        answer = cloudwatch.put_dashboard(
            DashboardName=dashboard["dashboard_name"], DashboardBody=dashboard["dashboard_body"]
        )
        assert answer["DashboardValidationMessages"] == []
        stored = cloudwatch.get_dashboard(DashboardName=f"music-poetry-{workspace}")
        assert json.loads(stored["DashboardBody"]) == dashboard_body(parsed)


def test_monitoring_dashboard_name_matches_the_root_output():
    parsed = dashboard_plan("dev")
    url = one(parsed, "output", "output.dashboard_url")["value"]
    assert url.endswith("#dashboards/dashboard/" + one(parsed, "aws_cloudwatch_dashboard")["dashboard_name"])


def test_monitoring_module_draws_one_bedrock_widget_per_profile():
    functions = {key: {"name": f"music-poetry-test-{key}", "timeout": 10} for key in SETTINGS["functions"]}
    prices = {"input_per_million_tokens": 1.1, "output_per_million_tokens": 5.5}
    profiles = {
        alias: {"arn": f"arn:aws:bedrock:us-east-1:1:application-inference-profile/{alias}", **prices}
        for alias in ("haiku", "sonnet")
    }
    body = dashboard_body(render_module(functions, bedrock_profiles=profiles))
    assert dashboard_problems(body) == []
    titles = [w["properties"]["title"] for w in body["widgets"] if "Bedrock" in w["properties"].get("title", "")]
    assert len(titles) == 2
    assert {d["ModelId"] for _t, ns, _m, d, _o in metric_rows(body) if ns == "AWS/Bedrock"} == {
        p["arn"] for p in profiles.values()
    }


def test_monitoring_module_dashboard_follows_the_function_set():
    one_function = dashboard_body(render_module({"poetry": {"name": "p", "timeout": 5}}))
    assert {dims["FunctionName"] for _t, ns, _m, dims, _o in metric_rows(one_function) if ns == "AWS/Lambda"} == {"p"}
    assert not [w for w in one_function["widgets"] if "thumbnail" in w["properties"].get("title", "")]
    assert dashboard_problems(one_function) == []


def test_monitoring_dashboard_checker_catches_broken_bodies():
    # The structural checker must fail on the mistakes it exists for.
    good = dashboard_body(dashboard_plan("dev"))
    broken = json.loads(json.dumps(good))
    metric_widget = next(w for w in broken["widgets"] if w["properties"].get("title") == "API: 4XXError and 5XXError")
    metric_widget["x"] = 20  # now overlaps its neighbour and leaves the grid
    metric_widget["properties"]["metrics"].append([{"expression": "100 * nothing / requests", "id": "x1"}])
    del broken["widgets"][0]["properties"]["markdown"]
    problems = "\n".join(dashboard_problems(broken))
    assert "outside the 24-column grid" in problems and "overlaps" in problems
    assert "undefined ids ['nothing']" in problems and "text widget without markdown" in problems
