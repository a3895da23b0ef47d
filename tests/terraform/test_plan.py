"""Invariants on the plans the real terraform makes (`make tf-check`: hashicorp/aws from the
filesystem mirror, a local backend, fake credentials, no network): what AWS would receive.

The plans are cached in .cache/tf-check/plans while terraform/ and its inputs are unchanged,
so after `make tf-check` (which `make test` runs first) these tests read them; otherwise the
fixture plans every workspace once. Without terraform they skip, except under CI=true.
"""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from workspaces import WORKSPACES, settings, tfvars

from tools.deploy import tfcheck

# Resources that configure a whole account (or an account's region) rather than one stack:
# creating one from an environment means destroying that environment resets it for all.
ACCOUNT_WIDE = {
    "aws_api_gateway_account",
    "aws_ce_cost_allocation_tag",
    "aws_bedrock_model_invocation_logging_configuration",
    "aws_cloudwatch_log_account_policy",
    "aws_ebs_encryption_by_default",
    "aws_iam_account_alias",
    "aws_iam_account_password_policy",
    "aws_iam_service_linked_role",
    "aws_lambda_code_signing_config",
    "aws_s3_account_public_access_block",
    "aws_servicequotas_service_quota",
    "aws_sns_sms_preferences",
    "aws_ssm_service_setting",
    "aws_xray_encryption_config",
}
# Attributes that name a resource in AWS: two workspaces sharing one would share the resource.
# (An inline role policy's name and an object's key are scoped by their role and bucket.)
SCOPED = ("aws_iam_role_policy.name=", "aws_s3_object.key=")
IDENTITY = (
    "name",
    "name_prefix",
    "bucket",
    "bucket_prefix",
    "function_name",
    "layer_name",
    "alarm_name",
    "dashboard_name",
    "role",
    "key",
)


@pytest.fixture(scope="module")
def plans() -> dict[str, dict]:
    if shutil.which(os.environ.get("TF", "terraform")) is None:
        message = f"terraform is not on PATH, so the plan-based checks cannot run. {tfcheck.INSTALL_HINT}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        return tfcheck.ensure_plans()
    except tfcheck.TfCheckError as error:
        pytest.fail(str(error))


def _created(plan: dict) -> list[dict]:
    return [r for r in plan["resource_changes"] if "create" in r["change"]["actions"]]


def _of_type(plan: dict, type_: str) -> list[dict]:
    return [r for r in plan["resource_changes"] if r["type"] == type_ and r["mode"] == "managed"]


def _identities(plan: dict) -> dict[str, str]:
    found = {}
    for resource in _created(plan):
        after = resource["change"]["after"] or {}
        for attr in IDENTITY:
            value = after.get(attr)
            identity = f"{resource['type']}.{attr}={value}"
            if isinstance(value, str) and value and not identity.startswith(SCOPED):
                found[identity] = resource["address"]
    return found


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_plan_every_workspace_plans_with_the_real_provider(plans, workspace):
    plan = plans[workspace]
    assert plan["errored"] is False and plan["complete"] is True
    assert plan["configuration"]["provider_config"]["aws"]["version_constraint"] == ">= 5.100.0, < 7.0.0"
    created = _created(plan)
    # dev and staging have no dashboard and only the API and Bedrock alarms (cost goal): fewer.
    assert len(created) >= (65 if workspace == "prod" else 50), len(created)
    assert all(r["change"]["actions"] == ["create"] for r in plan["resource_changes"] if r["mode"] == "managed")


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_plan_no_environment_manages_an_account_wide_resource(plans, workspace):
    types = {r["type"] for r in plans[workspace]["resource_changes"]}
    assert not types & ACCOUNT_WIDE, (
        f"{workspace} plans account-wide {sorted(types & ACCOUNT_WIDE)}: move to terraform/bootstrap"
    )


def test_plan_dev_destroy_touches_nothing_another_workspace_needs(plans):
    # `make destroy ENV=dev` deletes exactly what dev's state holds, which is what dev's plan
    # creates: no account-wide type, and no resource whose AWS name another workspace uses.
    dev = _identities(plans["dev"])
    assert len(dev) >= 25, sorted(dev)
    for other in ("staging", "prod"):
        shared = set(dev) & set(_identities(plans[other]))
        assert not shared, f"dev and {other} would share {sorted(shared)}"
    for identity, address in dev.items():
        value = identity.split("=", 1)[1]
        assert "dev" in value, f"{address}: {identity} is not dev's own name"
    assert not {r["type"] for r in plans["dev"]["resource_changes"]} & ACCOUNT_WIDE


@pytest.mark.parametrize("workspace", ("dev", "staging"))
def test_plan_reserves_no_concurrency_outside_prod(plans, workspace):
    functions = _of_type(plans[workspace], "aws_lambda_function")
    assert len(functions) == len(settings()["functions"])
    for fn in functions:
        # -1 is the provider's "unreserved" (5.x); null in 6.x.
        assert fn["change"]["after"].get("reserved_concurrent_executions") in (None, -1), fn["address"]


def test_plan_prod_reserves_what_its_var_file_says(plans):
    wanted = tfvars("prod").get("default_reserved_concurrency")
    for fn in _of_type(plans["prod"], "aws_lambda_function"):
        assert fn["change"]["after"]["reserved_concurrent_executions"] == wanted


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_plan_someone_hears_alarms_and_budget(plans, workspace):
    values = tfvars(workspace)
    subscriptions = _of_type(plans[workspace], "aws_sns_topic_subscription")
    assert [(s["change"]["after"]["protocol"], s["change"]["after"]["endpoint"]) for s in subscriptions] == [
        ("email", values["alarm_email"])
    ]
    (budget,) = _of_type(plans[workspace], "aws_budgets_budget")
    notifications = budget["change"]["after"]["notification"]
    assert sorted(n["notification_type"] for n in notifications) == ["ACTUAL", "FORECASTED"]
    for notification in notifications:
        assert notification["subscriber_email_addresses"] == values["budget_email_addresses"]
    # The alarm topic's ARN is known only after apply: unknown here means it is subscribed.
    assert [n["subscriber_sns_topic_arns"] for n in budget["change"]["after_unknown"]["notification"]] == [True, True]


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_plan_gateway_answers_carry_the_one_origin(plans, workspace):
    (api,) = _of_type(plans[workspace], "aws_api_gateway_rest_api")
    body = json.loads(api["change"]["after"]["body"])
    (origin,) = tfvars(workspace)["allowed_origins"]
    for response in body["x-amazon-apigateway-gateway-responses"].values():
        assert response["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == f"'{origin}'"


def test_plan_uploads_wait_for_versioning_and_modules_have_no_depends_on(plans):
    config = plans["dev"]["configuration"]["root_module"]
    storage = config["module_calls"]["storage"]["module"]
    bucket_output = storage["outputs"]["artifacts_bucket_name"]
    assert "module.artifacts.versioned_bucket_name" in bucket_output["expression"]["references"]
    hardening = storage["module_calls"]["artifacts"]["module"]["outputs"]["versioned_bucket_name"]
    assert "aws_s3_bucket_versioning.this" in hardening["expression"]["references"]
    for name in ("function", "layer"):
        bucket = config["module_calls"][name]["expressions"]["bucket"]
        assert "module.storage.artifacts_bucket_name" in bucket["references"]
    assert {
        name: call.get("depends_on") for name, call in config["module_calls"].items() if call.get("depends_on")
    } == {}


def test_plan_bootstrap_holds_the_account_wide_pieces(plans):
    plan = plans["bootstrap"]
    types = [r["type"] for r in _created(plan)]
    assert types.count("aws_api_gateway_account") == 1
    tags = sorted(r["change"]["after"]["tag_key"] for r in _of_type(plan, "aws_ce_cost_allocation_tag"))
    assert tags == ["Environment", "Project"]
    (versioning,) = _of_type(plan, "aws_s3_bucket_versioning")
    assert versioning["change"]["after"]["versioning_configuration"][0]["status"] == "Enabled"
    (block,) = _of_type(plan, "aws_s3_bucket_public_access_block")
    assert all(block["change"]["after"][k] is True for k in ("block_public_acls", "block_public_policy"))
    (sse,) = _of_type(plan, "aws_s3_bucket_server_side_encryption_configuration")
    assert sse["change"]["after"]["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"
    (attachment,) = _of_type(plan, "aws_iam_role_policy_attachment")
    assert re.fullmatch(
        r"arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
        attachment["change"]["after"]["policy_arn"],
    )
    assert ACCOUNT_WIDE & set(types) == {"aws_api_gateway_account", "aws_ce_cost_allocation_tag"}


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_plan_route_throttling_overrides_one_method_each(plans, workspace):
    # API Gateway throttles every method in its own bucket; "*/*" is each one's default and
    # route_throttling adds one method settings resource per overridden method.
    routes = {key.strip('"'): value for key, value in tfvars(workspace)["route_throttling"].items()}
    assert routes, f"{workspace} overrides no route"
    settings_by_path = {
        r["change"]["after"]["method_path"]: r for r in _of_type(plans[workspace], "aws_api_gateway_method_settings")
    }
    assert len(settings_by_path) == 1 + len(routes)
    default = settings_by_path.pop("*/*")["change"]["after"]["settings"][0]
    for key, route in routes.items():
        method, path = key.split(" ", 1)
        found = settings_by_path.pop(f"{path.removeprefix('/')}/{method}")
        assert found["index"] == key and re.fullmatch(r"[a-z0-9/{}+-]+/[A-Z]+", found["change"]["after"]["method_path"])
        after = found["change"]["after"]["settings"][0]
        assert (after["throttling_rate_limit"], after["throttling_burst_limit"]) == (
            route["rate_limit"],
            route["burst_limit"],
        )
        assert route["rate_limit"] < default["throttling_rate_limit"]
        # An override replaces the method's settings: it must repeat the logging and metrics.
        same = ("logging_level", "metrics_enabled", "data_trace_enabled", "caching_enabled")
        assert {k: after[k] for k in same} == {k: default[k] for k in same}
    assert settings_by_path == {}


def test_plan_cost_model_knows_every_method_of_the_api(plans):
    # `make cost` prices each method's own bucket from cost.deployment.api_methods: it must list
    # exactly the methods the REST body Terraform builds has.
    from workspaces import contract

    from cost.deployment import api_methods

    (api,) = _of_type(plans["dev"], "aws_api_gateway_rest_api")
    body = json.loads(api["change"]["after"]["body"])
    planned = {
        f"{'ANY' if method == 'x-amazon-apigateway-any-method' else method.upper()} {path}"
        for path, item in body["paths"].items()
        for method in item
    }
    assert set(api_methods(contract(), default_rps=1, overrides={})) == planned
