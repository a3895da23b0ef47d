"""The monthly cost budget as Terraform evaluates it per workspace (filtered on that workspace's
own Environment tag), then created in moto's AWS Budgets from exactly those parameters
(translated the way the provider does)."""

from __future__ import annotations

import boto3
import pytest
from monitoring_plan import WORKSPACES, one, plan, plan_with_vars, resources, root_variable
from moto import mock_aws

ACCOUNT = "123456789012"


def _budget(parsed) -> dict:
    return one(parsed, "aws_budgets_budget", "module.budget.")


def _notifications(budget) -> dict[str, dict]:
    blocks = budget["notification"] if isinstance(budget["notification"], list) else [budget["notification"]]
    return {n["notification_type"]: n for n in blocks}


def _create_budget_args(budget: dict, topic_arn: str) -> dict:
    """CreateBudget parameters from the planned resource: the provider maps cost_filter blocks to
    CostFilters {name: values} and each notification block to one NotificationWithSubscribers."""
    filters = budget["cost_filter"] if isinstance(budget["cost_filter"], list) else [budget["cost_filter"]]
    cost_types = {k: v for k, v in budget["cost_types"].items() if k.startswith(("include_", "use_"))}
    notifications = []
    for note in _notifications(budget).values():
        subscribers = [{"SubscriptionType": "SNS", "Address": topic_arn} for _ in note["subscriber_sns_topic_arns"]]
        subscribers += [{"SubscriptionType": "EMAIL", "Address": a} for a in note["subscriber_email_addresses"]]
        notifications.append(
            {
                "Notification": {
                    "NotificationType": note["notification_type"],
                    "ComparisonOperator": note["comparison_operator"],
                    "Threshold": float(note["threshold"]),
                    "ThresholdType": note["threshold_type"],
                },
                "Subscribers": subscribers,
            }
        )
    return {
        "AccountId": ACCOUNT,
        "Budget": {
            "BudgetName": budget["name"],
            "BudgetLimit": {"Amount": budget["limit_amount"], "Unit": budget["limit_unit"]},
            "BudgetType": budget["budget_type"],
            "TimeUnit": budget["time_unit"],
            "CostFilters": {f["name"]: f["values"] for f in filters},
            "CostTypes": {"".join(part.title() for part in k.split("_")): v for k, v in cost_types.items()},
        },
        "NotificationsWithSubscribers": notifications,
    }


def test_monitoring_budget_limit_defaults_to_5_usd():
    assert one(plan("dev"), "variable", "variable.budget_limit_usd")["default"] == 5


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_budget_is_monthly_cost_on_the_environment_tag(workspace):
    parsed = plan(workspace)
    budget = _budget(parsed)
    tags = one(parsed, "provider", "provider.aws")["default_tags"]["tags"]
    assert tags["Environment"] == workspace  # every resource of this workspace carries it
    assert (budget["budget_type"], budget["time_unit"], budget["limit_unit"]) == ("COST", "MONTHLY", "USD")
    assert float(budget["limit_amount"]) == root_variable(parsed, "budget_limit_usd", workspace)
    assert budget["name"] == f"music-poetry-{workspace}-monthly-cost"
    # Provider 6.x: a cost_filter block; tags are "user:<key>$<value>" as in Cost Explorer.
    cost_filter = budget["cost_filter"]
    assert (cost_filter["name"], cost_filter["values"]) == ("TagKeyValue", [f"user:Environment${workspace}"])
    # ... and so do the Bedrock application profiles, the largest cost.
    for profile in resources(parsed, "aws_bedrock_inference_profile"):
        assert profile["tags"]["Environment"] == workspace and profile["tags"]["Project"] == "music-poetry"


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_budget_notifies_80_actual_and_100_forecast_to_the_topic(workspace):
    parsed = plan(workspace)
    topic = one(parsed, "aws_sns_topic", "module.monitoring.")
    notes = _notifications(_budget(parsed))
    assert set(notes) == {"ACTUAL", "FORECASTED"}
    assert (notes["ACTUAL"]["threshold"], notes["FORECASTED"]["threshold"]) == (80, 100)
    for note in notes.values():
        assert (note["comparison_operator"], note["threshold_type"]) == ("GREATER_THAN", "PERCENTAGE")
        assert note["subscriber_sns_topic_arns"] == [topic["id"]]  # tfparse's stand-in for the topic ARN
        # Every var-file names a budget recipient (issue 13).
        assert note["subscriber_email_addresses"] == [
            a.strip('"') for a in root_variable(parsed, "budget_email_addresses", workspace)
        ]


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_monitoring_budget_created_in_moto_from_the_planned_parameters(workspace):
    parsed = plan(workspace)
    budget = _budget(parsed)
    with mock_aws():
        topic_arn = boto3.client("sns", region_name="us-east-1").create_topic(
            Name=one(parsed, "aws_sns_topic", "module.monitoring.")["name"]
        )["TopicArn"]
        client = boto3.client("budgets", region_name="us-east-1")
        client.create_budget(**_create_budget_args(budget, topic_arn))
        stored = client.describe_budget(AccountId=ACCOUNT, BudgetName=budget["name"])["Budget"]
        notes = client.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName=budget["name"])["Notifications"]
    assert stored["BudgetLimit"] == {"Amount": "5", "Unit": "USD"}
    assert stored["CostFilters"] == {"TagKeyValue": [f"user:Environment${workspace}"]}
    assert (stored["TimeUnit"], stored["BudgetType"]) == ("MONTHLY", "COST")
    assert stored["CostTypes"] == {"IncludeCredit": False, "IncludeRefund": False}
    assert sorted((n["NotificationType"], n["Threshold"]) for n in notes) == [("ACTUAL", 80.0), ("FORECASTED", 100.0)]


def test_monitoring_budget_follows_limit_and_email_variables():
    parsed = plan_with_vars("prod", 'budget_limit_usd = 12.5\nbudget_email_addresses = ["billing@example.com"]\n')
    budget = _budget(parsed)
    assert float(budget["limit_amount"]) == 12.5
    assert all(n["subscriber_email_addresses"] == ["billing@example.com"] for n in _notifications(budget).values())
    with mock_aws():
        client = boto3.client("budgets", region_name="us-east-1")
        client.create_budget(**_create_budget_args(budget, f"arn:aws:sns:us-east-1:{ACCOUNT}:t"))
        assert (
            client.describe_budget(AccountId=ACCOUNT, BudgetName=budget["name"])["Budget"]["BudgetLimit"]["Amount"]
            == "12.5"
        )


def test_monitoring_cost_allocation_tags_are_left_to_the_bootstrap():
    # Activation is account-wide (terraform/bootstrap); a workspace that also managed it would fight it.
    for workspace in WORKSPACES:
        assert "aws_ce_cost_allocation_tag" not in plan(workspace)
