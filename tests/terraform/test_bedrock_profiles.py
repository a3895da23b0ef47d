"""terraform/bedrock.tf per workspace: the poet calls tagged application inference profiles
copied from the system profiles, Haiku only unless a workspace opts into more, and the
function's settings, IAM and the spend alarm follow whatever is enabled."""

from __future__ import annotations

import json

import pytest
from monitoring_plan import WORKSPACES, lambda_functions, plan, plan_with_vars, resources
from workspaces import workspace_plan

HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


def _poetry_env(parsed) -> dict:
    return lambda_functions(parsed)["poetry"]["environment"]["variables"]


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_bedrock_profiles_are_tagged_copies_of_haiku_only(workspace):
    parsed = workspace_plan(workspace)  # with the fixture account id, so ARNs evaluate
    [profile] = resources(parsed, "aws_bedrock_inference_profile")
    assert profile["name"] == f"music-poetry-{workspace}-haiku"
    assert profile["model_source"]["copy_from"] == f"arn:aws:bedrock:us-east-1:123456789012:inference-profile/{HAIKU}"
    assert profile["tags"] == {"Project": "music-poetry", "Environment": workspace, "Model": "haiku"}
    env = _poetry_env(parsed)
    assert env["ALLOWED_MODELS"] == profile["id"]  # tfparse's stand-in for the profile's ARN
    assert json.loads(env["BEDROCK_PROFILE_SOURCES"]) == {profile["id"]: HAIKU}


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_bedrock_spend_settings_come_from_the_workspace(workspace):
    env = _poetry_env(plan(workspace))
    assert float(env["POETRY_DAILY_BUDGET_USD"]) == {"dev": 1, "staging": 1, "prod": 3}[workspace]
    # Client limits are left to the function's defaults, defined once in functions/poetry/spend.py.
    assert "POETRY_CLIENT_LIMIT_PER_MINUTE" not in env and "POETRY_CLIENT_LIMIT_PER_DAY" not in env
    assert env["POETRY_COUNTER_TABLE"] == f"music-poetry-{workspace}-cache"


def test_bedrock_client_limits_pass_through_when_set():
    env = _poetry_env(plan_with_vars("dev", "poetry_client_limit_per_minute = 3\npoetry_client_limit_per_day = 0\n"))
    assert (env["POETRY_CLIENT_LIMIT_PER_MINUTE"], env["POETRY_CLIENT_LIMIT_PER_DAY"]) == ("3", "0")


def test_bedrock_sonnet_is_opt_in_and_everything_follows():
    parsed = plan_with_vars("staging", f'bedrock_inference_profiles = ["{HAIKU}", "{SONNET}"]\n')
    profiles = {p["tags"]["Model"]: p for p in resources(parsed, "aws_bedrock_inference_profile")}
    assert set(profiles) == {"haiku", "sonnet"}
    env = _poetry_env(parsed)
    assert sorted(env["ALLOWED_MODELS"].split(",")) == sorted(p["id"] for p in profiles.values())
    [alarm] = [
        a for a in resources(parsed, "aws_cloudwatch_metric_alarm") if a["alarm_name"].endswith("bedrock-spend-hour")
    ]
    [math] = [q for q in alarm["metric_query"] if "expression" in q]
    assert "in_sonnet * 3.3 + out_sonnet * 16.5" in math["expression"]  # Sonnet 4.5 list prices


def test_bedrock_profile_without_a_price_is_refused_at_plan():
    parsed = plan_with_vars("dev", 'bedrock_inference_profiles = ["us.anthropic.claude-opus-4-1-20250805-v1:0"]\n')
    [profile] = resources(parsed, "aws_bedrock_inference_profile")
    # The precondition fails the plan: the daily cap could not meter an unpriced model.
    assert profile["lifecycle"]["precondition"]["condition"] is False
