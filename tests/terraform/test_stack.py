"""Functions, layers, storage, workspaces and outputs as tfparse evaluates each workspace."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from terraform_scan import parse, tf_files
from tf_helpers import as_list, items, locals_of, one_by_function, outputs, single
from workspaces import TERRAFORM, TEST_VARS, evaluate, settings, tfvars

FIXTURE_MANIFEST = json.loads((Path(__file__).parent / "fixtures" / "manifest.json").read_text())


def test_stack_fixture_manifest_covers_every_function_and_layer():
    data = settings()["functions"]
    wanted = {f"function/{k}" for k in data} | {f"layer/{layer}" for fn in data.values() for layer in fn["layers"]}
    missing = wanted - set(FIXTURE_MANIFEST["artifacts"])
    assert not missing, f"add {sorted(missing)} to tests/terraform/fixtures/manifest.json"


def test_stack_functions_follow_settings(plan, workspace):
    data = settings()
    lambdas = one_by_function(plan, "aws_lambda_function")
    assert set(lambdas) == set(data["functions"])
    names = {key: fn["function_name"] for key, fn in lambdas.items()}
    for key, fn in lambdas.items():
        spec = data["functions"][key]
        assert fn["runtime"] == data["runtime"] and fn["architectures"] == [data["architecture"]]
        assert fn["handler"] == spec["handler"]
        assert (fn["memory_size"], fn["timeout"]) == (spec["memory"], spec["timeout"])
        env = fn["environment"]["variables"]
        # settings.json env, then the deployed names Terraform knows, then tfvars on top
        known = {f"{target.upper()}_FUNCTION_NAME": fn_name for target, fn_name in names.items()}
        known |= {"CACHE_TABLE_NAME": f"music-poetry-{workspace}-cache"}
        overlay = tfvars(workspace).get("function_env", {}).get(key, {})
        layered = {k: str(v) for k, v in spec.get("env", {}).items() if k not in known} | overlay
        assert {k: env.get(k) for k in layered} == layered
        assert {k: v for k, v in env.items() if k in known} == {k: known[k] for k in env if k in known}
        assert env["POWERTOOLS_SERVICE_NAME"] == key
    if "analysis" in data["functions"] and "youtube" in data["functions"]:
        youtube = lambdas["youtube"]["environment"]["variables"]
        assert youtube["ANALYSIS_FUNCTION_NAME"] == f"music-poetry-{workspace}-analysis"
        assert youtube["CACHE_TABLE_NAME"] == f"music-poetry-{workspace}-cache"


def test_stack_exposed_functions_time_out_under_the_api_limit():
    for key, fn in settings()["functions"].items():
        if not fn.get("internal"):
            assert fn["timeout"] < 29, f"{key}: API Gateway gives up after 29 s"


def test_stack_code_comes_from_the_manifest(plan):
    objects = one_by_function(plan, "aws_s3_object")
    layers = {r["layer_name"]: r for r in items(plan, "aws_lambda_layer_version")}
    for key, fn in one_by_function(plan, "aws_lambda_function").items():
        artifact = FIXTURE_MANIFEST["artifacts"][f"function/{key}"]
        assert fn["source_code_hash"] == artifact["sha256_base64"]
        assert artifact["sha256"] in objects[key]["key"] and objects[key]["source_hash"] == artifact["sha256"]
        assert (fn["s3_bucket"], fn["s3_key"]) == (objects[key]["bucket"], objects[key]["key"])
        assert fn["s3_object_version"]["__attribute__"] == "aws_s3_object.zip.version_id"
        prefix = fn["function_name"].rsplit("-", 1)[0]
        expected_layers = [layers[f"{prefix}-{name}"]["id"] for name in settings()["functions"][key]["layers"]]
        assert fn["layers"] == expected_layers
    for name, layer in layers.items():
        artifact = FIXTURE_MANIFEST["artifacts"][f"layer/{name.split('-', 3)[-1]}"]
        assert layer["source_code_hash"] == artifact["sha256_base64"]
        assert layer["compatible_runtimes"] == [settings()["runtime"]]
        assert layer["s3_key"].startswith("layers/") and artifact["sha256"] in layer["s3_key"]
        assert layer["s3_object_version"]["__attribute__"] == "aws_s3_object.zip.version_id"


def test_stack_tracing_logs_and_concurrency(plan, workspace):
    values = tfvars(workspace)
    groups = one_by_function(plan, "aws_cloudwatch_log_group")
    for key, fn in one_by_function(plan, "aws_lambda_function").items():
        assert fn["tracing_config"]["mode"] == "Active"
        assert fn["logging_config"]["log_group"] == groups[key]["name"] == f"/aws/lambda/{fn['function_name']}"
        assert groups[key]["retention_in_days"] == values["log_retention_days"]
        expected = values.get("reserved_concurrency", {}).get(key, values.get("default_reserved_concurrency"))
        # Unset unless the var-file reserves some (a new account cannot reserve any).
        reserved = fn.get("reserved_concurrent_executions")
        if expected is None:  # tfparse leaves a null variable as its reference; test_plan reads the real value
            assert reserved is None or reserved.get("__attribute__") == "var.reserved_concurrency", key
        else:
            assert reserved == expected >= 1, key
    assert all(g.get("retention_in_days") for g in items(plan, "aws_cloudwatch_log_group"))


def test_stack_artifacts_bucket_is_private_encrypted_versioned(plan):
    hardening = "module.storage.module.artifacts."
    assert single(plan, "aws_s3_bucket_versioning", ".this")["__tfmeta"]["path"].startswith(hardening)
    assert single(plan, "aws_s3_bucket_versioning", ".this")["versioning_configuration"]["status"] == "Enabled"
    (rule,) = as_list(single(plan, "aws_s3_bucket_server_side_encryption_configuration", ".this")["rule"])
    assert rule["apply_server_side_encryption_by_default"]["sse_algorithm"] in ("AES256", "aws:kms")
    block = single(plan, "aws_s3_bucket_public_access_block", ".this")
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    table = single(plan, "aws_dynamodb_table", ".cache")
    assert table["billing_mode"] == "PAY_PER_REQUEST" and table["ttl"]["enabled"] is True


def test_stack_tags_versions_and_no_credentials(plan, workspace):
    (provider,) = items(plan, "provider")
    assert provider["default_tags"]["tags"] == {
        "Project": "music-poetry",
        "Environment": workspace,
        "ManagedBy": "terraform",
    }
    assert not {"access_key", "secret_key", "token", "profile", "shared_credentials_files"} & set(provider)
    blocks = items(plan, "terraform")
    assert len(blocks) >= 5  # root and every module
    for block in blocks:
        # 1.11: S3-native state locking (backend.hcl's use_lockfile) is GA there.
        assert block["required_version"] == ">= 1.11"
        # The mirror's 5.100 (tf-check) and the 6.x line users install (the 6.25 schema check).
        assert block["required_providers"]["aws"] == {"source": "hashicorp/aws", "version": ">= 5.100, < 7.0"}
    secret = re.compile(r"(access_key|secret_key|AKIA[0-9A-Z]{16})")
    assert [p for p in tf_files() if secret.search(p.read_text())] == []


def test_stack_outputs_are_the_documented_set(plan, workspace):
    values = outputs(plan)
    for name in ("api_endpoint", "frontend_env", "function_names", "function_arns", "dashboard_url"):
        assert f"output.{name}" in values
    assert values["output.frontend_env"] == "VITE_API_ENDPOINT=${module.api.invoke_url}"
    assert values["output.api_endpoint"]["__attribute__"] == "module.api.invoke_url"
    assert values["module.api.output.invoke_url"]["__attribute__"] == "aws_api_gateway_stage.this.invoke_url"
    assert values["output.function_names"] == {k: f"music-poetry-{workspace}-{k}" for k in settings()["functions"]}
    assert values["output.dashboard_url"] is None  # the dashboard is opt-in (dashboard_enabled)


def test_stack_locals_for_monitoring(plan, workspace):
    names = locals_of(plan)
    functions = settings()["functions"]
    assert names["name_prefix"] == f"music-poetry-{workspace}"
    assert names["environment"] == workspace
    assert names["function_names"] == {k: f"music-poetry-{workspace}-{k}" for k in functions}
    assert names["function_timeouts"] == {k: fn["timeout"] for k, fn in functions.items()}
    assert names["api_stage_name"] == "Prod"
    assert names["api_name"] == f"music-poetry-{workspace}-api"
    assert names["api_id"] == single(plan, "aws_api_gateway_rest_api", ".this")["id"]


def _failed_guards(workspace: str, extra: str | None, tmp_path: Path) -> list[str]:
    var_files = [f"environments/{'dev' if workspace == 'default' else workspace}.tfvars", TEST_VARS]
    if extra is not None:
        override = tmp_path / "override.tfvars"
        override.write_text(extra)
        var_files.append(os.path.relpath(override, TERRAFORM))
    plan = evaluate(TERRAFORM, workspace, var_files)
    checks = as_list(single(plan, "terraform_data", "guard")["lifecycle"]["precondition"])
    return [c["error_message"] for c in checks if c["condition"] is not True]


@pytest.mark.parametrize(
    "workspace, extra, message",
    [
        ("default", None, 'Workspace "default" is not an environment'),
        ("staging", 'environment = "dev"\n', 'environments/dev.tfvars was passed in workspace "staging"'),
        ("dev", 'build_manifest_path = "no/such/manifest.json"\n', "run `make build` first"),
    ],
)
def test_stack_guard_fails_clearly(workspace, extra, message, tmp_path):
    failed = _failed_guards(workspace, extra, tmp_path)
    assert any(message in m for m in failed), failed


def test_stack_arns_name_the_partition():
    # Literal "arn:aws:" breaks in aws-cn and aws-us-gov; ARNs use local.partition / aws_partition.
    literal = re.compile(r'"arn:aws:')
    assert [str(p.relative_to(TERRAFORM)) for p in tf_files() if literal.search(p.read_text())] == []


def test_stack_tfvars_name_their_environment():
    for workspace in ("dev", "staging", "prod"):
        assert tfvars(workspace)["environment"] == workspace
        assert parse(TERRAFORM / "environments" / f"{workspace}.tfvars")
