"""`make preflight ENV=dev`: read-only AWS checks before `make deploy`, as a table of checks
with what to do, exiting 1 when one of them would make the deploy (or every poem) fail.

Only read calls: sts:GetCallerIdentity, lambda:GetAccountSettings, lambda:GetFunctionConcurrency,
bedrock:GetFoundationModelAvailability, apigateway:GetAccount, s3:HeadBucket,
s3:GetBucketVersioning and ce:ListCostAllocationTags.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hcl2

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"
OK, WARN, FAIL = "ok", "warn", "FAIL"
# AWS keeps this much of the account's concurrency unreserved, whatever functions reserve.
UNRESERVED_MINIMUM = 100
USE_CASE_FORM = (
    "submit Anthropic's use-case form once per account: Bedrock console > Model catalog > an "
    "Anthropic model > 'Submit use case details' (API: bedrock:PutUseCaseForModelAccess)"
)
# Geographic inference profile prefixes and the regions whose names they cover.
PROFILE_GEOGRAPHIES = {
    "us": ("us-",),
    "us-gov": ("us-gov-",),
    "eu": ("eu-",),
    "apac": ("ap-",),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4"),
    "ca": ("ca-",),
}


@dataclass
class Check:
    name: str
    status: str
    detail: str
    action: str = ""


@dataclass
class Config:
    """What the environment's var-file (over the root variables' defaults) asks for."""

    env: str
    region: str
    project: str
    account_id: str | None
    profiles: list[str]
    reserved: dict[str, int]  # function -> reserved concurrency (only those that reserve)
    alarm_email: str | None
    budget_emails: list[str]
    state_bucket: str | None  # from terraform/backend.hcl, None: the bootstrap's default name
    tag_keys: list[str] = field(default_factory=lambda: ["Project", "Environment"])


def clean_hcl(value):
    """python-hcl2 output as plain values: strings unquoted, `null` as None, its own keys dropped."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [clean_hcl(v) for v in value]
    if isinstance(value, dict):
        return {k: clean_hcl(v) for k, v in value.items() if not k.startswith("__")}
    return None if value == "${null}" else value


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return clean_hcl(hcl2.load(handle))


def load_config(env: str, terraform: Path = TERRAFORM, settings: Path | None = None) -> Config:
    defaults: dict = {}
    for path in sorted(terraform.glob("*.tf")):
        for block in _load(path).get("variable", []):
            for name, body in block.items():
                defaults[name.strip('"')] = body.get("default")
    values = defaults | _load(terraform / "environments" / f"{env}.tfvars")
    settings_path = settings or terraform.parent / "functions" / "settings.json"
    functions = json.loads(settings_path.read_text(encoding="utf-8"))["functions"]
    per_function = values.get("reserved_concurrency") or {}
    default = values.get("default_reserved_concurrency")
    reserved = {key: per_function.get(key, default) for key in functions}
    backend = terraform / "backend.hcl"
    bucket = _load(backend).get("bucket") if backend.exists() else None
    return Config(
        env=env,
        region=values.get("region") or "us-east-1",
        project=values.get("project") or "music-poetry",
        account_id=values.get("account_id"),
        profiles=list(values.get("bedrock_inference_profiles") or []),
        reserved={k: int(v) for k, v in reserved.items() if v is not None},
        alarm_email=values.get("alarm_email"),
        budget_emails=list(values.get("budget_email_addresses") or []),
        state_bucket=bucket,
    )


def _error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response:
        err = response.get("Error", {})
        return f"{err.get('Code', type(exc).__name__)}: {err.get('Message', '')}".strip(": ")
    return f"{type(exc).__name__}: {exc}"


def check_identity(cfg: Config, client: Callable) -> tuple[Check, str | None]:
    try:
        who = client("sts").get_caller_identity()
    except Exception as exc:  # no credentials, expired SSO session, ...
        return Check(
            "credentials",
            FAIL,
            _error(exc),
            "sign in: `aws sso login` or set AWS_PROFILE / AWS_ACCESS_KEY_ID",
        ), None
    account = who["Account"]
    if cfg.account_id and cfg.account_id != account:
        return Check(
            "credentials",
            FAIL,
            f"{who['Arn']} is in account {account}, {cfg.env}.tfvars pins {cfg.account_id}",
            f"use credentials for account {cfg.account_id} (or fix account_id in {cfg.env}.tfvars)",
        ), account
    return Check("credentials", OK, f"{who['Arn']} (account {account})"), account


def check_profile_region(cfg: Config) -> Check:
    wrong = []
    for profile in cfg.profiles:
        prefix = profile.split(".", 1)[0]
        regions = PROFILE_GEOGRAPHIES.get(prefix)
        if regions is None or not cfg.region.startswith(regions):
            wrong.append(profile)
    if wrong:
        return Check(
            "inference profiles",
            FAIL,
            f"{', '.join(wrong)} cannot be called from {cfg.region}",
            "use profiles of the region's geography (us. for us-*, eu. for eu-*, apac. for ap-*) "
            "in bedrock_inference_profiles, or deploy to a matching region",
        )
    return Check("inference profiles", OK, f"{len(cfg.profiles)} profile(s) match {cfg.region}")


def check_concurrency(cfg: Config, client: Callable) -> Check:
    try:
        limits = client("lambda").get_account_settings()["AccountLimit"]
    except Exception as exc:
        return Check("lambda concurrency", FAIL, _error(exc), "allow lambda:GetAccountSettings, then rerun")
    quota, unreserved = limits["ConcurrentExecutions"], limits["UnreservedConcurrentExecutions"]
    wanted = sum(cfg.reserved.values())
    # Already deployed functions hold their reservation already: only the difference is new.
    held = 0
    for key in cfg.reserved:
        try:
            got = client("lambda").get_function_concurrency(FunctionName=f"{cfg.project}-{cfg.env}-{key}")
            held += got.get("ReservedConcurrentExecutions", 0)
        except Exception as exc:
            if "ResourceNotFound" not in _error(exc):
                return Check("lambda concurrency", FAIL, _error(exc), "allow lambda:GetFunctionConcurrency, then rerun")
    detail = f"quota {quota}, unreserved {unreserved}, {cfg.env}.tfvars reserves {wanted}"
    detail += f" ({held} of it already held)" if held else ""
    if wanted and unreserved - (wanted - held) < UNRESERVED_MINIMUM:
        return Check(
            "lambda concurrency",
            FAIL,
            detail + f" (AWS keeps {UNRESERVED_MINIMUM} unreserved)",
            "remove default_reserved_concurrency / reserved_concurrency from the var-file, or ask for a "
            "higher quota (Service Quotas > Lambda > Concurrent executions: at least "
            f"{quota - unreserved - held + wanted + UNRESERVED_MINIMUM})",
        )
    return Check("lambda concurrency", OK, detail)


def _model_id(profile: str) -> str:
    return profile.split(".", 1)[1] if "." in profile else profile


def check_models(cfg: Config, client: Callable) -> list[Check]:
    checks = []
    for profile in cfg.profiles:
        model = _model_id(profile)
        name = f"model {model}"
        try:
            got = client("bedrock").get_foundation_model_availability(modelId=model)
        except Exception as exc:
            checks.append(Check(name, FAIL, _error(exc), "allow bedrock:GetFoundationModelAvailability, then rerun"))
            continue
        problems, actions = [], []
        if got.get("regionAvailability") != "AVAILABLE":
            problems.append(f"not offered in {cfg.region}")
            actions.append("pick a region where the model is offered")
        if got.get("authorizationStatus") != "AUTHORIZED":
            problems.append("use case not submitted")
            actions.append(USE_CASE_FORM)
        agreement = (got.get("agreementAvailability") or {}).get("status")
        if agreement != "AVAILABLE":
            problems.append(f"agreement {agreement or 'missing'}")
            actions.append(
                "accept the model's offer (Bedrock console > Model catalog > the model; "
                "it creates the AWS Marketplace subscription)"
                if agreement != "PENDING"
                else "wait for the agreement to finish (a few minutes), then rerun"
            )
        if got.get("entitlementAvailability") != "AVAILABLE":
            problems.append("no entitlement")
            actions.append(
                "the Marketplace subscription is missing: accept the offer, and allow aws-marketplace:Subscribe"
            )
        if problems:
            checks.append(Check(name, FAIL, "; ".join(problems) + " (every poem would be a 403)", "; ".join(actions)))
        else:
            checks.append(Check(name, OK, "available, authorized, agreement and entitlement in place"))
    return checks


def check_api_gateway_account(cfg: Config, client: Callable) -> Check:
    try:
        role = client("apigateway").get_account().get("cloudwatchRoleArn")
    except Exception as exc:
        return Check("api gateway log role", FAIL, _error(exc), "allow apigateway:GET on /account, then rerun")
    if not role:
        return Check(
            "api gateway log role",
            FAIL,
            f"no CloudWatch role in {cfg.region}'s API Gateway settings: the stage's logging would fail",
            "apply the bootstrap once per account and region: make bootstrap",
        )
    return Check("api gateway log role", OK, role)


def check_state_bucket(cfg: Config, account: str | None, client: Callable) -> Check:
    bucket = cfg.state_bucket or (account and f"{cfg.project}-tfstate-{account}-{cfg.region}")
    if not bucket:
        return Check("state bucket", FAIL, "unknown (no credentials)", "fix the credentials first")
    source = "terraform/backend.hcl" if cfg.state_bucket else "bootstrap default, no terraform/backend.hcl yet"
    s3 = client("s3")
    try:
        s3.head_bucket(Bucket=bucket)
    except Exception as exc:
        return Check(
            "state bucket",
            FAIL,
            f"{bucket} ({source}): {_error(exc)}",
            "make bootstrap (creates it and writes terraform/backend.hcl), or fix `bucket` in terraform/backend.hcl",
        )
    try:
        versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    except Exception as exc:
        return Check("state bucket", WARN, f"{bucket}: versioning unknown ({_error(exc)})", "")
    if versioning != "Enabled":
        return Check(
            "state bucket",
            WARN,
            f"{bucket} exists but is not versioned",
            "turn versioning on (the bootstrap's bucket has it), so a bad apply can be rolled back",
        )
    if not cfg.state_bucket:
        return Check("state bucket", WARN, f"{bucket} exists", "write terraform/backend.hcl: make bootstrap does it")
    return Check("state bucket", OK, f"{bucket}, versioned")


def check_cost_tags(cfg: Config, client: Callable) -> Check:
    try:
        tags = client("ce").list_cost_allocation_tags(TagKeys=cfg.tag_keys, Type="UserDefined")["CostAllocationTags"]
    except Exception as exc:
        return Check("cost allocation tags", WARN, _error(exc), "allow ce:ListCostAllocationTags, then rerun")
    active = {t["TagKey"] for t in tags if t.get("Status") == "Active"}
    missing = [key for key in cfg.tag_keys if key not in active]
    if missing:
        return Check(
            "cost allocation tags",
            WARN,
            f"{', '.join(missing)} not active: the budgets cannot see this project's spend",
            "a day after the first deploy (tags must appear in billing first): "
            "make bootstrap BOOTSTRAP_ARGS='-var activate_cost_allocation_tags=true'",
        )
    return Check("cost allocation tags", OK, ", ".join(cfg.tag_keys) + " active")


def check_recipients(cfg: Config) -> Check:
    addresses = ([cfg.alarm_email] if cfg.alarm_email else []) + cfg.budget_emails
    if not cfg.alarm_email or not cfg.budget_emails:
        return Check(
            "notification recipients",
            FAIL,
            "alarm_email or budget_email_addresses is missing",
            f"name them in terraform/environments/{cfg.env}.tfvars",
        )
    placeholders = [a for a in addresses if re.search(r"@example\.(com|org|net)$", a)]
    if placeholders:
        return Check(
            "notification recipients",
            WARN,
            f"placeholder addresses {', '.join(placeholders)}: nobody would hear an alarm",
            f"put real addresses in terraform/environments/{cfg.env}.tfvars",
        )
    return Check("notification recipients", OK, ", ".join(addresses))


def run_checks(cfg: Config, client: Callable) -> list[Check]:
    identity, account = check_identity(cfg, client)
    checks = [identity, check_profile_region(cfg)]
    if account is None:  # nothing else can be asked without credentials
        return [*checks, check_recipients(cfg)]
    checks.append(check_concurrency(cfg, client))
    checks += check_models(cfg, client)
    checks.append(check_api_gateway_account(cfg, client))
    checks.append(check_state_bucket(cfg, account, client))
    checks.append(check_cost_tags(cfg, client))
    checks.append(check_recipients(cfg))
    return checks


def render(checks: list[Check]) -> str:
    rows = [("Check", "Status", "Detail", "What to do")]
    rows += [(c.name, c.status, c.detail, c.action or "-") for c in checks]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
        if index == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 10)
    return "\n".join(lines)


def session_clients(region: str) -> Callable:
    import boto3

    session = boto3.Session(region_name=region)
    cache: dict[str, object] = {}

    def client(service: str):
        if service not in cache:
            # Cost Explorer answers in us-east-1 only.
            cache[service] = session.client(service, region_name="us-east-1" if service == "ce" else region)
        return cache[service]

    return client


def main(argv: list[str] | None = None, client_factory: Callable[[str], Callable] = session_clients) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", required=True, choices=("dev", "staging", "prod"))
    args = parser.parse_args(argv)
    cfg = load_config(args.env)
    checks = run_checks(cfg, client_factory(cfg.region))
    print(f"preflight {cfg.env} ({cfg.region})")
    print(render(checks))
    blockers = [c for c in checks if c.status == FAIL]
    warnings = [c for c in checks if c.status == WARN]
    print(f"\n{len(blockers)} blocker(s), {len(warnings)} warning(s)")
    return 1 if blockers else 0


if __name__ == "__main__":
    sys.exit(main())
