"""`make preflight`: each check passing and failing, against botocore's Stubber (no AWS)."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from tools.deploy import preflight
from tools.deploy.preflight import FAIL, OK, WARN, Config

ACCOUNT = "123456789012"
HAIKU = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
AVAILABLE = {
    "modelId": "anthropic.claude-haiku-4-5-20251001-v1:0",
    "agreementAvailability": {"status": "AVAILABLE"},
    "authorizationStatus": "AUTHORIZED",
    "entitlementAvailability": "AVAILABLE",
    "regionAvailability": "AVAILABLE",
}


def _config(**changes: Any) -> Config:
    base: dict[str, Any] = {
        "env": "dev",
        "region": "us-east-1",
        "project": "music-poetry",
        "account_id": None,
        "profiles": [HAIKU],
        "reserved": {},
        "alarm_email": "ops@music.test",
        "budget_emails": ["billing@music.test"],
        "state_bucket": "music-poetry-tfstate",
    }
    return Config(**(base | changes))


class Stubs:
    """One stubbed client per service, handed out as preflight's client factory."""

    def __init__(self, region: str = "us-east-1"):
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
        self.clients = {name: session.client(name) for name in ("sts", "lambda", "bedrock", "apigateway", "s3", "ce")}
        self.stubbers = {name: Stubber(client) for name, client in self.clients.items()}
        for stubber in self.stubbers.values():
            stubber.activate()

    def __call__(self, service: str):
        return self.clients[service]

    def __getitem__(self, service: str) -> Stubber:
        return self.stubbers[service]

    def all_used(self):
        for stubber in self.stubbers.values():
            stubber.assert_no_pending_responses()


def _identity(stubs: Stubs, account: str = ACCOUNT):
    stubs["sts"].add_response(
        "get_caller_identity",
        {"Account": account, "Arn": f"arn:aws:iam::{account}:user/dev", "UserId": "AIDEXAMPLE"},
    )


def _healthy(
    stubs: Stubs, *, unreserved: int = 1000, model: dict = AVAILABLE, role: str | None = "arn:aws:iam::1:role/r"
):
    _identity(stubs)
    stubs["lambda"].add_response(
        "get_account_settings",
        {"AccountLimit": {"ConcurrentExecutions": 1000, "UnreservedConcurrentExecutions": unreserved}},
    )
    stubs["bedrock"].add_response(
        "get_foundation_model_availability", model, {"modelId": "anthropic.claude-haiku-4-5-20251001-v1:0"}
    )
    stubs["apigateway"].add_response("get_account", {"cloudwatchRoleArn": role} if role else {})


def _bucket_ok(stubs: Stubs, bucket: str = "music-poetry-tfstate", status: str = "Enabled"):
    stubs["s3"].add_response("head_bucket", {}, {"Bucket": bucket})
    stubs["s3"].add_response("get_bucket_versioning", {"Status": status}, {"Bucket": bucket})


def _tags(stubs: Stubs, project: str = "Active", environment: str = "Active"):
    stubs["ce"].add_response(
        "list_cost_allocation_tags",
        {
            "CostAllocationTags": [
                {"TagKey": "Project", "Type": "UserDefined", "Status": project},
                {"TagKey": "Environment", "Type": "UserDefined", "Status": environment},
            ]
        },
        {"TagKeys": ["Project", "Environment"], "Type": "UserDefined"},
    )


def _by_name(checks) -> dict[str, preflight.Check]:
    return {c.name: c for c in checks}


def test_preflight_every_check_passes_on_a_ready_account():
    stubs = Stubs()
    _healthy(stubs)
    _bucket_ok(stubs)
    _tags(stubs)
    checks = preflight.run_checks(_config(), stubs)
    assert [(c.name, c.status) for c in checks] == [
        ("credentials", OK),
        ("inference profiles", OK),
        ("lambda concurrency", OK),
        (f"model {HAIKU.split('.', 1)[1]}", OK),
        ("api gateway log role", OK),
        ("state bucket", OK),
        ("cost allocation tags", OK),
        ("notification recipients", OK),
    ]
    stubs.all_used()


def test_preflight_without_credentials_stops_with_what_to_do():
    stubs = Stubs()
    stubs["sts"].add_client_error(
        "get_caller_identity", "ExpiredToken", "The security token included in the request is expired"
    )
    checks = _by_name(preflight.run_checks(_config(), stubs))
    assert checks["credentials"].status == FAIL
    assert "ExpiredToken" in checks["credentials"].detail and "aws sso login" in checks["credentials"].action
    assert "lambda concurrency" not in checks  # nothing else is asked without credentials
    stubs.all_used()


def test_preflight_pinned_account_must_match():
    stubs = Stubs()
    _identity(stubs, account="999999999999")
    check, account = preflight.check_identity(_config(account_id=ACCOUNT), stubs)
    assert (check.status, account) == (FAIL, "999999999999")
    assert ACCOUNT in check.detail and ACCOUNT in check.action
    stubs = Stubs()
    _identity(stubs)
    assert preflight.check_identity(_config(account_id=ACCOUNT), stubs)[0].status == OK


@pytest.mark.parametrize(
    "region, profile, status",
    [
        ("us-east-1", HAIKU, OK),
        ("us-west-2", HAIKU, OK),
        ("eu-west-1", HAIKU, FAIL),
        ("eu-central-1", "eu.anthropic.claude-haiku-4-5-20251001-v1:0", OK),
        ("ap-southeast-1", "apac.anthropic.claude-haiku-4-5-20251001-v1:0", OK),
        ("us-east-1", "apac.anthropic.claude-haiku-4-5-20251001-v1:0", FAIL),
    ],
)
def test_preflight_inference_profiles_follow_the_region(region, profile, status):
    check = preflight.check_profile_region(_config(region=region, profiles=[profile]))
    assert check.status == status, check
    if status == FAIL:
        assert profile in check.detail and "us. for us-*" in check.action


def test_preflight_concurrency_a_new_account_cannot_reserve_any():
    stubs = Stubs()
    stubs["lambda"].add_response(
        "get_account_settings", {"AccountLimit": {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}}
    )
    for key in ("poetry", "thumbnail"):  # not deployed yet
        stubs["lambda"].add_client_error(
            "get_function_concurrency",
            "ResourceNotFoundException",
            "Function not found",
            http_status_code=404,
            expected_params={"FunctionName": f"music-poetry-dev-{key}"},
        )
    check = preflight.check_concurrency(_config(reserved={"poetry": 2, "thumbnail": 2}), stubs)
    assert check.status == FAIL
    assert "reserves 4" in check.detail and "Service Quotas" in check.action and "at least 104" in check.action
    # The same account with nothing reserved (dev and staging) is fine.
    stubs["lambda"].add_response(
        "get_account_settings", {"AccountLimit": {"ConcurrentExecutions": 10, "UnreservedConcurrentExecutions": 10}}
    )
    assert preflight.check_concurrency(_config(reserved={}), stubs).status == OK
    stubs.all_used()


def test_preflight_concurrency_already_held_by_deployed_functions_is_not_counted_twice():
    # prod deployed: its 4 x 5 are already out of the unreserved pool (1000 - 20 = 980).
    stubs = Stubs()
    stubs["lambda"].add_response(
        "get_account_settings", {"AccountLimit": {"ConcurrentExecutions": 120, "UnreservedConcurrentExecutions": 100}}
    )
    reserved = {"poetry": 5, "thumbnail": 5, "youtube": 5, "analysis": 5}
    for key in reserved:
        stubs["lambda"].add_response(
            "get_function_concurrency",
            {"ReservedConcurrentExecutions": 5},
            {"FunctionName": f"music-poetry-prod-{key}"},
        )
    check = preflight.check_concurrency(_config(env="prod", reserved=reserved), stubs)
    assert check.status == OK and "20 of it already held" in check.detail
    stubs.all_used()


@pytest.mark.parametrize(
    "change, words",
    [
        ({"authorizationStatus": "NOT_AUTHORIZED"}, "Submit use case details"),
        ({"agreementAvailability": {"status": "NOT_AVAILABLE"}}, "accept the model's offer"),
        ({"agreementAvailability": {"status": "PENDING"}}, "wait for the agreement"),
        ({"entitlementAvailability": "NOT_AVAILABLE"}, "Marketplace subscription is missing"),
        ({"regionAvailability": "NOT_AVAILABLE"}, "region where the model is offered"),
    ],
)
def test_preflight_model_access_names_the_missing_step(change, words):
    stubs = Stubs()
    stubs["bedrock"].add_response("get_foundation_model_availability", AVAILABLE | change)
    (check,) = preflight.check_models(_config(), stubs)
    assert check.status == FAIL and words in check.action, check
    assert "403" in check.detail


def test_preflight_api_gateway_role_missing_points_at_the_bootstrap():
    stubs = Stubs()
    stubs["apigateway"].add_response("get_account", {})
    check = preflight.check_api_gateway_account(_config(), stubs)
    assert check.status == FAIL and "make bootstrap" in check.action
    stubs["apigateway"].add_response("get_account", {"cloudwatchRoleArn": "arn:aws:iam::1:role/logs"})
    assert preflight.check_api_gateway_account(_config(), stubs).status == OK


def test_preflight_state_bucket_missing_or_unversioned():
    stubs = Stubs()
    stubs["s3"].add_client_error("head_bucket", "404", "Not Found", http_status_code=404)
    check = preflight.check_state_bucket(_config(), ACCOUNT, stubs)
    assert check.status == FAIL and "make bootstrap" in check.action
    _bucket_ok(stubs, status="Suspended")
    assert preflight.check_state_bucket(_config(), ACCOUNT, stubs).status == WARN
    # No backend.hcl yet: the bootstrap's default name is looked for.
    _bucket_ok(stubs, bucket=f"music-poetry-tfstate-{ACCOUNT}-us-east-1")
    check = preflight.check_state_bucket(_config(state_bucket=None), ACCOUNT, stubs)
    assert check.status == WARN and "backend.hcl" in check.action
    stubs.all_used()


def test_preflight_inactive_cost_tags_warn():
    stubs = Stubs()
    _tags(stubs, environment="Inactive")
    check = preflight.check_cost_tags(_config(), stubs)
    assert check.status == WARN and "Environment" in check.detail
    assert "activate_cost_allocation_tags=true" in check.action


def test_preflight_recipients_missing_or_placeholder():
    assert preflight.check_recipients(_config(alarm_email=None)).status == FAIL
    assert preflight.check_recipients(_config(budget_emails=[])).status == FAIL
    check = preflight.check_recipients(_config(alarm_email="alerts+dev@example.com"))
    assert check.status == WARN and "alerts+dev@example.com" in check.detail
    assert preflight.check_recipients(_config()).status == OK


def test_preflight_var_files_as_the_checks_read_them():
    dev, prod = preflight.load_config("dev"), preflight.load_config("prod")
    assert dev.reserved == {} and dev.region == "us-east-1"
    assert dev.profiles and all(p.startswith("us.") for p in dev.profiles)
    assert dev.alarm_email and dev.budget_emails
    assert set(prod.reserved.values()) == {5}


def test_preflight_main_prints_a_table_and_exits_1_on_a_blocker(capsys, monkeypatch):
    monkeypatch.setattr(preflight, "load_config", lambda env: _config(env=env))
    stubs = Stubs()
    _healthy(stubs, role=None)
    _bucket_ok(stubs)
    _tags(stubs)
    assert preflight.main(["--env", "dev"], client_factory=lambda region: stubs) == 1
    out = capsys.readouterr().out
    assert "What to do" in out and re.search(r"api gateway log role +FAIL +no CloudWatch role", out)
    assert "make bootstrap" in out and "1 blocker(s)" in out
    stubs = Stubs()
    _healthy(stubs)
    _bucket_ok(stubs)
    _tags(stubs, project="Inactive")
    assert preflight.main(["--env", "dev"], client_factory=lambda region: stubs) == 0
    assert "0 blocker(s), 1 warning(s)" in capsys.readouterr().out
