"""The environment a function sees in Lambda: the runtime's own variables, the settings
file's `env`, and the variables Terraform adds (mirrored from terraform/locals.tf)."""

from __future__ import annotations

import json
from pathlib import Path

from .config import ROOT, Function, Target

# What the python runtime already has in /var/lang/lib/python3.x/site-packages.
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
SMOKE_PREFIX = "music-poetry-smoke"
LAMBDA_PATH = "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin"
LAMBDA_LD_LIBRARY_PATH = (
    "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib"
)


def openapi(root: Path = ROOT) -> dict:
    import yaml

    return yaml.safe_load((root / "functions" / "openapi.yaml").read_text(encoding="utf-8"))


class TerraformLocalsError(RuntimeError):
    """terraform/locals.tf cannot be read, so the sandbox cannot mirror Terraform's variables."""


def terraform_grants(root: Path = ROOT) -> dict:
    """Per function, what terraform/locals.tf grants that adds environment variables: the cache
    table (its `local.grant_cache_keys.<name>` in `function_grants`, where `cache_key_grants`
    gives it the sid "CacheTable", which CACHE_TABLE_NAME follows) and the functions it invokes
    (`function_invokes`). Raises TerraformLocalsError when the file cannot be read or holds
    neither: a smoke without those variables would pass on an environment Lambda never has."""
    path = root / "terraform" / "locals.tf"
    try:
        import hcl2
        from lark.exceptions import LarkError  # what python-hcl2's parser raises
    except ImportError as exc:
        raise TerraformLocalsError(f"cannot read {path}: {exc} (python-hcl2 is in requirements-dev.txt)") from exc
    try:
        with open(path, encoding="utf-8") as fh:
            doc = hcl2.load(fh)
    except OSError as exc:
        raise TerraformLocalsError(f"cannot read {path}: {exc}") from exc
    except LarkError as exc:
        raise TerraformLocalsError(f"cannot parse {path}: {exc}") from exc
    grants: dict = {}
    invokes: dict = {}
    key_grants: dict = {}
    found = False
    for block in doc.get("locals", []):
        found = found or "function_grants" in block or "function_invokes" in block
        grants.update(block.get("function_grants", {}))
        invokes.update(block.get("function_invokes", {}))
        key_grants.update(block.get("cache_key_grants", {}))
    if not found:
        raise TerraformLocalsError(f"{path} defines neither local.function_grants nor local.function_invokes")
    return {
        name: {
            "cache": str(key_grants.get(name, {}).get("sid", "")).strip('"') == "CacheTable"
            and any(f"local.grant_cache_keys.{name}" in str(g) for g in grants.get(name, [])),
            "invoke": [str(t).strip('"') for t in invokes.get(name, [])],
        }
        for name in sorted(set(grants) | set(invokes))
    }


def terraform_env(fn: Function, all_functions: list[str], grants: dict) -> dict[str, str]:
    """What terraform/locals.tf `function_env` adds on top of settings.json `env` (dev workspace)."""
    env = {
        "POWERTOOLS_SERVICE_NAME": fn.name,
        "POWERTOOLS_METRICS_NAMESPACE": SMOKE_PREFIX,
        "DEPLOY_ENVIRONMENT": "dev",
    }
    if not fn.internal:
        env["ALLOWED_ORIGINS"] = "*"
    grant = grants.get(fn.name, {})
    if grant.get("cache"):
        env["CACHE_TABLE_NAME"] = f"{SMOKE_PREFIX}-cache"
    for other in grant.get("invoke", []):
        if other in all_functions:
            env[f"{other.upper()}_FUNCTION_NAME"] = f"{SMOKE_PREFIX}-{other}"
    return env


def lambda_env(
    fn: Function, target: Target, *, all_functions: list[str] | None = None, grants: dict | None = None
) -> dict[str, str]:
    """Exactly what the function's process gets: nothing from this machine's environment."""
    name = f"{SMOKE_PREFIX}-{fn.name}"
    env = {
        "_HANDLER": fn.handler,
        "_X_AMZN_TRACE_ID": "Root=1-5e1b4151-5ac6c58f5d0b1b2c3d4e5f60;Parent=53995c3f42cd8ad8;Sampled=0",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{target.runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2000/01/01/[$LATEST]00000000000000000000000000000000",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
        # Lambda injects the execution role's credentials; these are inert (no network here).
        "AWS_ACCESS_KEY_ID": "ASIASMOKETESTNOTREAL0",
        "AWS_SECRET_ACCESS_KEY": "smoke-not-a-secret",
        "AWS_SESSION_TOKEN": "smoke-not-a-token",
        "LAMBDA_TASK_ROOT": "/var/task",
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PATH": LAMBDA_PATH,
        "LD_LIBRARY_PATH": LAMBDA_LD_LIBRARY_PATH,
        "PYTHONPATH": "/var/runtime",
    }
    env.update(fn.env)
    env.update(terraform_env(fn, all_functions or [fn.name], grants if grants is not None else terraform_grants()))
    return env


def parse_records(stdout: str) -> list[dict]:
    out = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return out
