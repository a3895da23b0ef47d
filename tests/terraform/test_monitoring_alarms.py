"""Alarm thresholds as Terraform evaluates them in each workspace (tfparse with the workspace's
var-file), wired to the SNS topic, and accepted by CloudWatch's PutMetricAlarm (moto)."""

from __future__ import annotations

import re

import boto3
import hcl2
import pytest
from monitoring_plan import (
    MONITORING,
    WORKSPACES,
    lambda_functions,
    one,
    plan,
    plan_with_vars,
    resources,
    root_variable,
)
from moto import mock_aws

# The seed's alarm rules: error rate > 5 %, p95 duration > 80 % of the timeout, throttles > 0.
SEED_DEFAULTS = {
    "alarm_error_rate_percent": 5,
    "alarm_duration_percent_of_timeout": 80,
    "alarm_throttles_threshold": 0,
    "alarm_api_5xx_rate_percent": 5,
}


def _blocks(value):
    """tfparse gives a repeated block as a list and a single one as a dict."""
    return value if isinstance(value, list) else [value]


def _alarms(parsed) -> dict[str, dict]:
    return {a["alarm_name"]: a for a in resources(parsed, "aws_cloudwatch_metric_alarm", "module.monitoring.")}


def test_monitoring_alarm_variables_default_to_the_seed_values():
    parsed = plan("dev")
    for name, value in SEED_DEFAULTS.items():
        assert one(parsed, "variable", f"variable.{name}")["default"] == value


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_alarms_per_function_use_the_workspace_thresholds(workspace):
    parsed = plan(workspace)
    alarms = _alarms(parsed)
    error_rate = root_variable(parsed, "alarm_error_rate_percent", workspace)
    duration_pct = root_variable(parsed, "alarm_duration_percent_of_timeout", workspace)
    throttles = root_variable(parsed, "alarm_throttles_threshold", workspace)
    functions = lambda_functions(parsed)
    enabled = root_variable(parsed, "function_alarms_enabled", workspace)
    # Every alarm the design names in prod; dev and staging keep the API and Bedrock alarms only.
    assert enabled is (workspace == "prod")
    assert len(alarms) == (3 * len(functions) if enabled else 0) + 2
    if not enabled:
        assert set(alarms) == {f"music-poetry-{workspace}-api-5xx-rate", f"music-poetry-{workspace}-bedrock-spend-hour"}
        return
    for key, fn in functions.items():
        name = fn["function_name"]
        rate = alarms[f"music-poetry-{workspace}-{key}-error-rate"]
        assert rate["threshold"] == error_rate and rate["comparison_operator"] == "GreaterThanThreshold"
        queries = _blocks(rate["metric_query"])
        [math] = [q for q in queries if "expression" in q]
        assert math["return_data"] is True and "errors / invocations" in math["expression"]
        assert sorted((q["metric"]["metric_name"], q["metric"]["stat"]) for q in queries if "metric" in q) == [
            ("Errors", "Sum"),
            ("Invocations", "Sum"),
        ]
        assert all(q["metric"]["dimensions"] == {"FunctionName": name} for q in queries if "metric" in q)

        duration = alarms[f"music-poetry-{workspace}-{key}-duration-p95"]
        # 80 % of the timeout Terraform gives this very function, in milliseconds.
        assert duration["threshold"] == pytest.approx(fn["timeout"] * 1000 * duration_pct / 100)
        assert (duration["metric_name"], duration["extended_statistic"]) == ("Duration", "p95")
        assert duration["dimensions"] == {"FunctionName": name}

        throttle = alarms[f"music-poetry-{workspace}-{key}-throttles"]
        assert throttle["threshold"] == throttles and throttle["statistic"] == "Sum"
        assert throttle["dimensions"] == {"FunctionName": name}


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_api_5xx_rate_alarm_uses_the_planned_api(workspace):
    parsed = plan(workspace)
    alarm = _alarms(parsed)[f"music-poetry-{workspace}-api-5xx-rate"]
    assert alarm["threshold"] == root_variable(parsed, "alarm_api_5xx_rate_percent", workspace)
    dims = {
        "ApiName": one(parsed, "aws_api_gateway_rest_api")["name"],
        "Stage": one(parsed, "aws_api_gateway_stage")["stage_name"],
    }
    metrics = sorted(q["metric"]["metric_name"] for q in _blocks(alarm["metric_query"]) if "metric" in q)
    assert metrics == ["5XXError", "Count"]
    assert all(q["metric"]["dimensions"] == dims for q in _blocks(alarm["metric_query"]) if "metric" in q)


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_alarms_notify_the_topic_and_recover(workspace):
    parsed = plan(workspace)
    topic = one(parsed, "aws_sns_topic", "module.monitoring.")
    assert topic["name"] == f"music-poetry-{workspace}-alarms"
    for alarm in _alarms(parsed).values():
        # tfparse stands in the topic's id for the unknown ARN.
        assert alarm["alarm_actions"] == [topic["id"]] and alarm["ok_actions"] == [topic["id"]]
        assert alarm["treat_missing_data"] == "notBreaching"
    # Every var-file names an alarm recipient (issue 13): someone hears the alarms.
    [email] = resources(parsed, "aws_sns_topic_subscription", "module.monitoring.")
    assert (email["protocol"], email["endpoint"]) == ("email", root_variable(parsed, "alarm_email", workspace))


def test_monitoring_thresholds_and_email_follow_the_variables():
    parsed = plan_with_vars(
        "staging",
        "function_alarms_enabled = true\n"
        "alarm_error_rate_percent = 2\nalarm_duration_percent_of_timeout = 50\n"
        "alarm_throttles_threshold = 3\nalarm_api_5xx_rate_percent = 1\n"
        'alarm_email = "ops@example.com"\n',
    )
    alarms = _alarms(parsed)
    poetry = lambda_functions(parsed)["poetry"]
    assert alarms["music-poetry-staging-poetry-error-rate"]["threshold"] == 2
    assert alarms["music-poetry-staging-poetry-duration-p95"]["threshold"] == poetry["timeout"] * 1000 * 0.5
    assert alarms["music-poetry-staging-poetry-throttles"]["threshold"] == 3
    assert alarms["music-poetry-staging-api-5xx-rate"]["threshold"] == 1
    [email] = resources(parsed, "aws_sns_topic_subscription", "module.monitoring.")
    assert (email["protocol"], email["endpoint"]) == ("email", "ops@example.com")


def test_monitoring_topic_policy_lets_cloudwatch_and_budgets_publish():
    parsed = plan("prod")
    document = one(parsed, "aws_iam_policy_document", "module.monitoring.data.aws_iam_policy_document.alarms_topic")
    granted = {}
    assert len(_blocks(document["statement"])) == 1  # one statement serves both services
    for statement in _blocks(document["statement"]):
        principals = _blocks(statement["principals"])
        for principal in principals:
            granted.update({service: statement["actions"] for service in principal["identifiers"]})
        conditions = _blocks(statement["condition"])
        assert [c["variable"] for c in conditions] == ["aws:SourceAccount"]
    assert granted == {"cloudwatch.amazonaws.com": ["sns:Publish"], "budgets.amazonaws.com": ["sns:Publish"]}


def _module_source_alarms() -> dict[str, list[dict]]:
    """Static metric_query blocks as written (tfparse hides their ids)."""
    with open(MONITORING / "alarms.tf") as handle:
        parsed = hcl2.load(handle)
    out = {}
    for block in parsed["resource"]:
        for name, body in block.get('"aws_cloudwatch_metric_alarm"', {}).items():
            if "metric_query" in body and "dynamic" not in body:
                out[name.strip('"')] = body["metric_query"]
    return out


def _bedrock_ids(alarm: dict) -> list[dict]:
    """The Bedrock alarm's query ids: its expression, then one per dynamic key (sorted), as the
    module writes them (in_<alias>, out_<alias>)."""
    [math] = [q for q in _blocks(alarm["metric_query"]) if "expression" in q]
    keys = sorted(set(re.findall(r"\b((?:in|out)_[a-z]+)\b", math["expression"])))
    return [{"id": '"spend_usd"'}] + [{"id": f'"{k}"'} for k in keys]


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_bedrock_spend_alarm_prices_the_profiles_tokens(workspace):
    parsed = plan(workspace)
    alarm = _alarms(parsed)[f"music-poetry-{workspace}-bedrock-spend-hour"]
    [profile] = resources(parsed, "aws_bedrock_inference_profile")
    queries = _blocks(alarm["metric_query"])
    [math] = [q for q in queries if "expression" in q]
    # Haiku 4.5 list prices from functions/poetry/bedrock_prices.json, per million tokens.
    assert math["expression"] == "(in_haiku * 1.1 + out_haiku * 5.5) / 1000000" and math["return_data"] is True
    metrics = [q["metric"] for q in queries if "metric" in q]
    assert sorted(m["metric_name"] for m in metrics) == ["InputTokenCount", "OutputTokenCount"]
    assert all(m["namespace"] == "AWS/Bedrock" and m["period"] == 3600 and m["stat"] == "Sum" for m in metrics)
    assert all(m["dimensions"] == {"ModelId": profile["id"]} for m in metrics)  # tfparse's stand-in for the ARN
    daily = root_variable(parsed, "poetry_daily_budget_usd", workspace)
    assert alarm["threshold"] == daily / 2 and alarm["comparison_operator"] == "GreaterThanOrEqualToThreshold"


def test_monitoring_metric_math_ids_are_defined_and_one_returns_data():
    source = _module_source_alarms()
    assert set(source) == {"error_rate", "api_5xx_rate"}
    for queries in source.values():
        ids = {q["id"].strip('"') for q in queries}
        assert all(re.match(r"^[a-z][a-zA-Z0-9_]*$", i) for i in ids)
        [math] = [q for q in queries if "expression" in q]
        used = set(re.findall(r"[a-z_][a-z0-9_]*", math["expression"].strip('"'))) - {"if"}
        assert used <= ids and used, (used, ids)
        assert [q.get("return_data", False) for q in queries].count(True) == 1


def _put_metric_alarm_args(alarm: dict, source_queries: list[dict] | None) -> dict:
    args = {
        key: alarm[tf]
        for key, tf in [
            ("AlarmName", "alarm_name"),
            ("AlarmDescription", "alarm_description"),
            ("ComparisonOperator", "comparison_operator"),
            ("Threshold", "threshold"),
            ("EvaluationPeriods", "evaluation_periods"),
            ("TreatMissingData", "treat_missing_data"),
        ]
    }
    if source_queries is None:
        args.update(
            Namespace=alarm["namespace"],
            MetricName=alarm["metric_name"],
            Period=alarm["period"],
            Dimensions=[{"Name": k, "Value": v} for k, v in alarm["dimensions"].items()],
        )
        if "extended_statistic" in alarm:
            args["ExtendedStatistic"] = alarm["extended_statistic"]
        else:
            args["Statistic"] = alarm["statistic"]
        return args
    metrics = []
    for query, written in zip(_blocks(alarm["metric_query"]), source_queries, strict=True):
        item = {"Id": written["id"].strip('"'), "ReturnData": bool(query.get("return_data", False))}
        if "expression" in query:
            item.update(Expression=query["expression"], Label=query["label"])
        else:
            metric = query["metric"]
            item["MetricStat"] = {
                "Metric": {
                    "Namespace": metric["namespace"],
                    "MetricName": metric["metric_name"],
                    "Dimensions": [{"Name": k, "Value": v} for k, v in metric["dimensions"].items()],
                },
                "Period": metric["period"],
                "Stat": metric["stat"],
            }
        metrics.append(item)
    args["Metrics"] = metrics
    return args


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_alarms_accepted_by_moto_put_metric_alarm(workspace):
    source = _module_source_alarms()
    rendered = resources(plan(workspace), "aws_cloudwatch_metric_alarm", "module.monitoring.")
    with mock_aws():
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
        for alarm in rendered:
            kind = re.search(r"aws_cloudwatch_metric_alarm\.(\w+)", alarm["__tfmeta"]["path"]).group(1)
            written = _bedrock_ids(alarm) if kind == "bedrock_spend" else source.get(kind)
            cloudwatch.put_metric_alarm(**_put_metric_alarm_args(alarm, written))
        stored = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    assert set(stored) == {a["alarm_name"] for a in rendered}
    assert {name: a["Threshold"] for name, a in stored.items()} == {a["alarm_name"]: a["threshold"] for a in rendered}
    spend = stored[f"music-poetry-{workspace}-bedrock-spend-hour"]
    assert {m["Id"] for m in spend["Metrics"]} == {"spend_usd", "in_haiku", "out_haiku"}
    if workspace == "prod":
        rate = stored[f"music-poetry-{workspace}-poetry-error-rate"]
        assert {m["Id"] for m in rate["Metrics"]} == {"error_rate", "errors", "invocations"}
