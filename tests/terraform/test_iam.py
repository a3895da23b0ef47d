"""IAM invariants on every workspace: one role per function, no wildcard grants except the
X-Ray writes AWS requires, and each grant where the design needs it and nowhere else."""

from __future__ import annotations

import json

from tf_helpers import as_list, by_function, items, one_by_function, path, statements
from workspaces import settings

from functions.youtube.cache import KEY_PREFIX

XRAY_WRITES = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
ACCOUNT, REGION = "123456789012", "us-east-1"  # fixtures/test.tfvars and the default region


def _allow_statements(plan: dict):
    for document in items(plan, "aws_iam_policy_document"):
        for statement in statements(document):
            if statement.get("effect", "Allow") == "Allow":
                yield path(document), statement
    for policy in items(plan, "aws_iam_role_policy"):
        text = policy.get("policy")
        if isinstance(text, str) and text.lstrip().startswith("{"):  # inline JSON, not a document reference
            for statement in as_list(json.loads(text).get("Statement")):
                if statement.get("Effect") == "Allow":
                    yield (
                        path(policy),
                        {"actions": as_list(statement.get("Action")), "resources": as_list(statement.get("Resource"))},
                    )


def _function_statements(plan: dict) -> dict[str, dict[str, dict]]:
    documents = one_by_function(plan, "aws_iam_policy_document", "permissions")
    return {key: {s["sid"]: s for s in statements(doc)} for key, doc in documents.items()}


def test_iam_one_role_per_function(plan):
    functions = set(settings()["functions"])
    roles = one_by_function(plan, "aws_iam_role")
    lambdas = one_by_function(plan, "aws_lambda_function")
    assert set(roles) == set(lambdas) == functions
    for key, fn in lambdas.items():
        assert fn["role"] == roles[key]["id"], f"{key} must run as its own role"
    names = [role["name"] for role in roles.values()]
    assert len(set(names)) == len(names)
    policies = by_function(plan, "aws_iam_role_policy")
    assert {key: len(p) for key, p in policies.items()} == dict.fromkeys(functions, 1)
    for key, (policy,) in policies.items():
        assert policy["role"] == roles[key]["id"]


def test_iam_allow_statements_have_no_wildcards(plan):
    checked = 0
    for where, statement in _allow_statements(plan):
        actions, resources = as_list(statement.get("actions")), as_list(statement.get("resources"))
        assert not [a for a in actions if "*" in a], f"{where}: wildcard action in {actions}"
        principals = as_list(statement.get("principals"))
        if principals:  # a trust policy: who may assume the role, never everyone
            assert all("*" not in as_list(p.get("identifiers")) for p in principals), where
            continue
        assert actions and resources, f"{where}: an Allow statement needs actions and resources"
        if "*" in resources:
            assert set(actions) <= XRAY_WRITES, f"{where}: resource * only for X-Ray writes, not {actions}"
        checked += 1
    assert checked >= 2 * len(settings()["functions"])


def test_iam_no_managed_policies_in_an_environment(plan):
    # API Gateway's account-wide logging role (the one managed policy) lives in terraform/bootstrap.
    assert [a["__tfmeta"]["path"] for a in items(plan, "aws_iam_role_policy_attachment")] == []


def test_iam_each_function_writes_only_its_own_log_group(plan):
    groups = one_by_function(plan, "aws_cloudwatch_log_group")
    for key, sids in _function_statements(plan).items():
        assert sids["OwnLogGroup"]["resources"] == [f"{groups[key]['id']}:*"]
        assert set(sids["OwnLogGroup"]["actions"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
        assert set(sids["XRayWrite"]["actions"]) == XRAY_WRITES


def test_iam_grants_follow_the_design(dev_plan_with_secret):
    sids = _function_statements(dev_plan_with_secret)
    assert set(sids) == set(settings()["functions"]) == {"poetry", "thumbnail", "youtube", "analysis"}
    base = {"OwnLogGroup", "XRayWrite"}
    assert set(sids["poetry"]) == base | {"BedrockInferenceProfiles", "BedrockModelsViaProfiles", "PoetryCounters"}
    assert set(sids["youtube"]) == base | {"InvokeFunctions", "CacheTable", "NamedSecrets"}
    for key in set(sids) - {"poetry", "youtube"}:
        assert set(sids[key]) == base, f"{key} gets only its log group and X-Ray"

    youtube = sids["youtube"]
    assert youtube["InvokeFunctions"]["actions"] == ["lambda:InvokeFunction"]
    assert youtube["InvokeFunctions"]["resources"] == [
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:music-poetry-dev-analysis"
    ]
    assert set(youtube["CacheTable"]["actions"]) == {"dynamodb:GetItem", "dynamodb:PutItem"}
    assert youtube["CacheTable"]["resources"] == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/music-poetry-dev-cache"]
    # Its own keys only: the same table holds poetry's spend#/client# counters.
    (leading,) = as_list(youtube["CacheTable"]["condition"])
    assert (leading["test"], leading["variable"]) == ("ForAllValues:StringLike", "dynamodb:LeadingKeys")
    assert leading["values"] == [f"{KEY_PREFIX}*"]
    assert youtube["NamedSecrets"]["actions"] == ["secretsmanager:GetSecretValue"]
    assert youtube["NamedSecrets"]["resources"] == [
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:music-poetry/dev/cookies-??????"
    ]
    invokers = [key for key, s in sids.items() if any("lambda:InvokeFunction" in st["actions"] for st in s.values())]
    assert invokers == ["youtube"]


def test_iam_bedrock_only_allowed_profiles_and_their_models(dev_plan_with_secret):
    plan = dev_plan_with_secret
    poetry = _function_statements(plan)["poetry"]
    # The tagged application profiles (tfparse stands in each profile's id for its unknown ARN),
    # never the untagged system profiles they copy.
    applications = {p["id"]: p for p in items(plan, "aws_bedrock_inference_profile")}
    assert [p["model_source"]["copy_from"] for p in applications.values()] == [
        f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0"
    ]
    profiles = poetry["BedrockInferenceProfiles"]
    assert profiles["actions"] == ["bedrock:InvokeModel"]
    assert profiles["resources"] == list(applications)
    models = poetry["BedrockModelsViaProfiles"]
    assert models["actions"] == ["bedrock:InvokeModel"]
    assert {r.split("/")[-1] for r in models["resources"]} == {"anthropic.claude-haiku-4-5-20251001-v1:0"}
    assert all(r.startswith("arn:aws:bedrock:us-") and "::foundation-model/" in r for r in models["resources"])
    (condition,) = as_list(models["condition"])
    assert condition["variable"] == "bedrock:InferenceProfileArn"
    assert condition["values"] == profiles["resources"]
    counters = poetry["PoetryCounters"]
    assert set(counters["actions"]) == {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    assert counters["resources"] == [f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/music-poetry-dev-cache"]
    (leading,) = as_list(counters["condition"])
    assert (leading["test"], leading["variable"]) == ("ForAllValues:StringLike", "dynamodb:LeadingKeys")
    assert leading["values"] == ["spend#*", "client#*"]


def test_iam_poet_allow_list_equals_granted_profiles(plan, workspace):
    # The code's ALLOWED_MODELS and IAM must agree, or an accepted model would be a 403.
    poetry = one_by_function(plan, "aws_lambda_function")["poetry"]
    allowed = poetry["environment"]["variables"]["ALLOWED_MODELS"].split(",")
    profiles = _function_statements(plan)["poetry"]["BedrockInferenceProfiles"]
    assert sorted(allowed) == sorted(as_list(profiles["resources"]))
    sources = json.loads(poetry["environment"]["variables"]["BEDROCK_PROFILE_SOURCES"])
    assert sorted(sources) == sorted(allowed)  # each allowed profile names the model it copies
