"""An environment's deployment as Terraform configures it, read offline: the root evaluated by
tfparse with the workspace's var-file (memory, timeout, architecture and tracing of every
function, log retention, alarms, dashboards, budgets, API method metrics), the contract's
operations, the metric names each function's code emits, and artifact sizes from the build."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import yaml

from cost.model import Deployment, FunctionSpec, Method

ROOT = Path(__file__).resolve().parent.parent
TERRAFORM = ROOT / "terraform"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


def _resources(parsed: dict, kind: str) -> list[dict]:
    return parsed.get(kind, [])


def _blocks(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def literal_metric_names(function_dir: Path) -> set[str]:
    """Metric names a function's code passes as a literal to add_metric/single_metric."""
    names = set()
    for path in sorted(function_dir.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "add_metric",
                "single_metric",
            ):
                for arg in [kw.value for kw in node.keywords if kw.arg == "name"] + node.args[:1]:
                    names |= _literal_strings(arg)
    return names


def emitted_metrics(function_dir: Path, *, exclude: set[str]) -> list[str]:
    """Literal metric names passed to add_metric/single_metric, plus Powertools' ColdStart."""
    cold_start = any("capture_cold_start_metric=True" in path.read_text() for path in function_dir.glob("*.py"))
    return sorted(literal_metric_names(function_dir) - exclude) + (["ColdStart"] if cold_start else [])


def _literal_strings(node) -> set[str]:
    """ "A" -> {A}; `"A" if cond else "B"` -> {A, B} (never the strings inside cond)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _literal_strings(node.body) | _literal_strings(node.orelse)
    return set()


def _alarm_metrics(alarm: dict) -> int:
    queries = _blocks(alarm.get("metric_query"))
    return sum(1 for q in queries if "metric" in q) if queries else 1


def _artifact_bytes(workload: dict, keys: list[str]) -> tuple[int, str | None]:
    manifest = ROOT / "build" / "dist" / "manifest.json"
    if manifest.exists():
        artifacts = json.loads(manifest.read_text()).get("artifacts", {})
        missing = [k for k in keys if k not in artifacts]
        total = sum(a.get("zip_bytes", 0) for k, a in artifacts.items() if k in keys)
        note = f"artifact sizes from build/dist/manifest.json ({len(keys) - len(missing)} of {len(keys)} zips)"
        if missing:
            note += f"; missing {', '.join(missing)} (run make build)"
        return total, note
    return workload["storage"]["artifact_bytes_default"], "no build/dist/manifest.json: artifact size estimated"


def from_terraform(environment: str, *, workload: dict) -> Deployment:
    """Evaluate terraform/ for `environment` (workspace and environments/<env>.tfvars)."""
    import hcl2
    import tfparse

    var_file = TERRAFORM / "environments" / f"{environment}.tfvars"
    if not var_file.exists():
        known = sorted(p.stem for p in var_file.parent.glob("*.tfvars"))
        raise ValueError(f"no terraform/environments/{environment}.tfvars (environments: {', '.join(known)})")
    parsed = tfparse.load_from_path(
        TERRAFORM, workspace_name=environment, vars_paths=[f"environments/{environment}.tfvars"]
    )
    functions, retention = {}, []
    for fn in _resources(parsed, "aws_lambda_function"):
        match = re.search(r'module\.function\["([^"]+)"\]', fn["__tfmeta"]["path"])
        if match is None:
            raise ValueError(f"aws_lambda_function outside module.function: {fn['__tfmeta']['path']}")
        key = match.group(1)
        functions[key] = FunctionSpec(
            memory_mb=int(fn["memory_size"]),
            timeout_s=float(fn["timeout"]),
            architecture=(fn.get("architectures") or ["x86_64"])[0],
        )
    tracing = all(
        _blocks(fn.get("tracing_config"))[0].get("mode") == "Active"
        for fn in _resources(parsed, "aws_lambda_function")
        if fn.get("tracing_config")
    )
    for group in _resources(parsed, "aws_cloudwatch_log_group"):
        if str(group.get("name", "")).startswith("/aws/lambda/"):
            retention.append(int(group["retention_in_days"]))

    contract = yaml.safe_load((ROOT / "functions" / "openapi.yaml").read_text())
    operations = {
        op["operationId"]: op["x-function"]
        for methods in contract["paths"].values()
        for op in methods.values()
        if isinstance(op, dict) and "operationId" in op
    }

    obs = workload["observability"]
    custom = {}
    for key in functions:
        names = emitted_metrics(ROOT / "functions" / key, exclude=set(obs["local_only_metrics"]))
        if "YouTubeFailure" in names:  # one stream per reason value
            names += [f"YouTubeFailure#{i}" for i in range(2, obs["youtube_failure_reasons_per_month"] + 1)]
        custom[key] = names

    spend = _spend_settings(parsed, functions, contract)
    with open(var_file) as handle:
        secrets = sum(len(v) for v in hcl2.load(handle).get("function_secrets", {}).values())
    artifact_keys = [f"function/{k}" for k in functions] + sorted(
        {
            f"layer/{layer}"
            for fn in json.loads((ROOT / "functions" / "settings.json").read_text())["functions"].values()
            for layer in fn["layers"]
        }
    )
    artifact_bytes, artifact_note = _artifact_bytes(workload, artifact_keys)
    return Deployment(
        environment=environment,
        functions=functions,
        operations=operations,
        custom_metrics=custom,
        alarm_metrics=sum(_alarm_metrics(a) for a in _resources(parsed, "aws_cloudwatch_metric_alarm")),
        dashboards=len(_resources(parsed, "aws_cloudwatch_dashboard")),
        budgets=len(_resources(parsed, "aws_budgets_budget")),
        api_detailed_metric_methods=detailed_metric_methods(
            _resources(parsed, "aws_api_gateway_method_settings"), spend["methods"]
        ),
        log_retention_days=max(retention) if retention else 30,
        secrets=secrets,
        artifact_bytes=artifact_bytes,
        tracing=tracing,
        notes=tuple(n for n in [artifact_note, _streams_note(custom)] if n),
        **spend,
    )


def _spend_settings(parsed: dict, functions: dict, contract: dict) -> dict:
    """Throttle rates per method, reserved concurrency and the poet's cap, maxTokens and models, as planned."""
    from functions.poetry.bedrock import MAX_TOKENS
    from functions.poetry.model_catalog import base_model, price_table

    # "*/*" is every method's default; "api/x/GET" overrides one method ("GET /api/x").
    rates: dict[str, float] = {}
    for m in _resources(parsed, "aws_api_gateway_method_settings"):
        for block in _blocks(m.get("settings")):
            if block.get("throttling_rate_limit") not in (None, -1):
                path, _, verb = str(m["method_path"]).rpartition("/")
                key = "*" if m["method_path"] == "*/*" else f"{verb} /{path}"
                rates[key] = float(block["throttling_rate_limit"])
    default_rps = rates.pop("*", 0.0)
    reserved: dict[str, int] = {}
    env: dict[str, str] = {}
    for fn in _resources(parsed, "aws_lambda_function"):
        match = re.search(r'module\.function\["([^"]+)"\]', fn["__tfmeta"]["path"])
        if match is None:
            continue  # from_terraform refuses such a function already
        key = match.group(1)
        value = fn.get("reserved_concurrent_executions")
        if isinstance(value, int | float) and value >= 0:
            reserved[key] = int(value)
        if key == "poetry":
            env = (_blocks(fn.get("environment")) or [{}])[0].get("variables") or {}
    models = ()
    if "poetry" in functions and env.get("POETRY_PROVIDER", "bedrock") == "bedrock":
        sources = json.loads(env.get("BEDROCK_PROFILE_SOURCES") or "{}")
        ids = {base_model(s) for s in sources.values()} or {
            base_model(m) for m in env.get("ALLOWED_MODELS", "").split(",") if m
        }
        models = tuple(sorted(k for k, spec in price_table()["models"].items() if spec["model_id"] in ids))
    from functions.poetry.spend import DEFAULT_DAILY_BUDGET_USD

    return {
        "throttle_rate_rps": default_rps,
        "methods": api_methods(contract, default_rps=default_rps, overrides=rates),
        "reserved_concurrency": reserved,
        "daily_budget_usd": float(env.get("POETRY_DAILY_BUDGET_USD", DEFAULT_DAILY_BUDGET_USD)) if models else None,
        "max_tokens": int(env.get("POETRY_MAX_TOKENS", MAX_TOKENS)),
        "bedrock_models": models,
    }


def detailed_metric_methods(method_settings: list[dict], methods: dict[str, Method]) -> int:
    """How many methods publish per-method metrics: all of them (`methods`, the CORS preflights
    and mocks included) when any aws_api_gateway_method_settings turns metrics on, since the
    "*/*" settings are every method's default and an override repeats them; else 0."""
    on = any(block.get("metrics_enabled") is True for s in method_settings for block in _blocks(s.get("settings")))
    return len(methods) if on else 0


def api_methods(contract: dict, *, default_rps: float, overrides: dict[str, float]) -> dict[str, Method]:
    """Every method the REST API has, as terraform/modules/api/body.tf builds it from the
    contract: each operation; an OPTIONS per path without one, answered by the path's first
    function; an ANY mock (405) per path; ANY mocks (404) on / and /{proxy+}. Each at its
    override's rate ("GET /api/x" -> rps) or the stage default: every method has its own bucket."""
    methods: dict[str, Method] = {}
    for path, item in contract["paths"].items():
        ops = {m: op for m, op in item.items() if m in HTTP_METHODS and isinstance(op, dict)}
        for method, op in ops.items():
            methods[f"{method.upper()} {path}"] = Method(default_rps, operation=op["operationId"])
        if "options" not in ops and ops:
            methods[f"OPTIONS {path}"] = Method(default_rps, function=next(iter(ops.values()))["x-function"])
        methods[f"ANY {path}"] = Method(default_rps)
    for path in ("/", "/{proxy+}"):
        methods[f"ANY {path}"] = Method(default_rps)
    unknown = sorted(set(overrides) - set(methods))
    if unknown:
        raise ValueError(f"throttling overrides for methods the API does not have: {', '.join(unknown)}")
    return {
        key: Method(overrides[key], m.operation, m.function) if key in overrides else m for key, m in methods.items()
    }


def _streams_note(custom: dict[str, list[str]]) -> str:
    listed = (
        f"{key} {len(names)} ({', '.join(n for n in names if '#' not in n)})" for key, names in sorted(custom.items())
    )
    return "custom metric streams: " + "; ".join(listed)


def budget_limit(environment: str) -> float | None:
    """The environment's monthly budget in USD: its var-file's budget_limit_usd, else the default."""
    import hcl2

    with open(TERRAFORM / "environments" / f"{environment}.tfvars") as handle:
        values = hcl2.load(handle)
    if "budget_limit_usd" in values:
        return float(values["budget_limit_usd"])
    for path in sorted(TERRAFORM.glob("*.tf")):  # the root's variables (variables.tf)
        with open(path) as handle:
            for block in hcl2.load(handle).get("variable", []):
                for name, body in block.items():
                    if name.strip('"') == "budget_limit_usd":
                        return float(body["default"])
    return None
