"""Monthly cost of one environment: plain arithmetic on a deployment (what Terraform
configures), a workload (what a month of traffic does) and a price list (one dated file).

Method: each operation's share of REQUESTS runs its paths; every path invokes functions for a
duration, may call Bedrock and DynamoDB and sends a response. Lambda bills requests and
GB-seconds (memory in GB x billed seconds, cold-start INIT included), API Gateway bills
requests, Bedrock bills tokens, CloudWatch bills log bytes, custom metrics, alarm metrics and
dashboards, X-Ray bills traces. Fixed items (metrics, alarms, dashboards, storage, budgets)
do not depend on traffic. Every line keeps its quantity and unit price so the breakdown shows
what a change costs; always-free allowances are applied per pool only in `total_after_free`."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

MB_PER_GB = 1024  # Lambda bills memory in MB / 1024
ROOT = Path(__file__).resolve().parent.parent
DAYS_PER_MONTH = 730 / 24


def load_prices(path: Path) -> dict:
    """A dated price file with the Bedrock section taken from the one table the poetry
    function prices its calls with (functions/poetry/bedrock_prices.json)."""
    prices = json.loads(Path(path).read_text())
    table = prices.get("bedrock", {}).get("table")
    if table:
        prices["bedrock"] = {**prices["bedrock"], **json.loads((ROOT / table).read_text())}
    return prices


@dataclass(frozen=True)
class FunctionSpec:
    memory_mb: int
    timeout_s: float
    architecture: str = "x86_64"


@dataclass(frozen=True)
class Method:
    """One API Gateway method: its own throttle bucket's steady rate and what it reaches."""

    rate_rps: float
    operation: str | None = None  # operationId in the contract: its workload paths
    function: str | None = None  # reached without an operation (the CORS preflight); neither: a mock


@dataclass(frozen=True)
class Deployment:
    """What Terraform configures for one environment (see cost.deployment.from_terraform)."""

    environment: str
    functions: dict[str, FunctionSpec]
    operations: dict[str, str]  # operationId -> function key (x-function)
    custom_metrics: dict[str, list[str]]  # function key -> metric streams it publishes
    alarm_metrics: int = 0
    dashboards: int = 0
    budgets: int = 0
    api_detailed_metric_methods: int = 0  # methods with per-method metrics enabled
    log_retention_days: int = 30
    secrets: int = 0
    artifact_bytes: int = 0
    tracing: bool = True
    # Spend safety and throttling (for the most one day can cost):
    throttle_rate_rps: float = 0.0  # API stage default steady rate of each method; 0: unknown
    # "GET /api/x" -> Method, every method of the deployed API with its own rate (override or
    # stage default); empty: one method per operation at the stage rate.
    methods: dict[str, Method] = field(default_factory=dict)
    reserved_concurrency: dict[str, int] = field(default_factory=dict)  # function -> reserved (absent: none)
    daily_budget_usd: float | None = None  # POETRY_DAILY_BUDGET_USD; None: no Bedrock
    max_tokens: int = 900  # POETRY_MAX_TOKENS
    bedrock_models: tuple[str, ...] = ()  # price-table keys of the enabled models
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    service: str
    item: str
    quantity: float
    unit: str
    unit_price: float  # USD per unit
    pool: str = ""  # lines sharing an always-free allowance
    fixed: bool = False  # independent of traffic

    @property
    def cost(self) -> float:
        return self.quantity * self.unit_price


@dataclass
class Estimate:
    environment: str
    requests: int
    lines: list[Line]
    free: dict[str, float]  # pool -> free quantity per month
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(line.cost for line in self.lines)

    @property
    def fixed(self) -> float:
        return sum(line.cost for line in self.lines if line.fixed)

    @property
    def variable(self) -> float:
        return self.total - self.fixed

    @property
    def total_after_free(self) -> float:
        """The total if the account's always-free allowances were all available to this environment."""
        total = sum(line.cost for line in self.lines if not line.pool)
        for pool in {line.pool for line in self.lines if line.pool}:
            members = [line for line in self.lines if line.pool == pool]
            quantity = sum(line.quantity for line in members)
            if quantity:
                price = sum(line.cost for line in members) / quantity  # one price per pool
                total += max(0.0, quantity - self.free.get(pool, 0.0)) * price
        return total


def estimate(
    *,
    requests: int,
    deployment: Deployment,
    workload: dict,
    prices: dict,
    worst_case: bool = False,
    durations_ms: dict[str, float] | None = None,
) -> Estimate:
    """Monthly cost of `deployment` serving `requests` API requests shaped by `workload`.

    durations_ms overrides the workload's duration of every call to that function (ms);
    worst_case runs every call to its timeout, every invocation cold, and Bedrock to maxTokens."""
    if requests < 0:
        raise ValueError("requests must be >= 0")
    unknown = sorted(set(deployment.operations) - set(workload["operations"]))
    if unknown:
        raise ValueError(f"the workload has no entry for operations {unknown}: add them to cost/workload.json")
    for key in durations_ms or {}:
        if key not in deployment.functions:
            raise ValueError(f"--duration names {key!r}, which is not a deployed function")
    meta, notes = prices["_meta"], list(deployment.notes)
    month_hours, gb = meta["month_hours"], meta["gb_bytes"]

    deployed_ops = {op: spec for op, spec in workload["operations"].items() if op in deployment.operations}
    share_sum = sum(spec["share"] for spec in deployed_ops.values())
    skipped = sorted(set(workload["operations"]) - set(deployed_ops))
    if skipped:
        notes.append(f"not deployed, left out: {', '.join(skipped)}; shares renormalised over the rest")

    invocations: dict[str, float] = {key: 0.0 for key in deployment.functions}
    billed_ms: dict[str, float] = {key: 0.0 for key in deployment.functions}
    tokens: dict[str, list[float]] = {}
    reads = writes = response_bytes = cached_bytes = 0.0
    absent: set[str] = set()
    for spec in deployed_ops.values():
        op_requests = requests * spec["share"] / share_sum
        for path in spec["paths"]:
            n = op_requests * path["fraction"]
            for key, ms in path["calls"].items():
                if key not in deployment.functions:
                    absent.add(key)
                    continue
                if worst_case:
                    ms = deployment.functions[key].timeout_s * 1000
                elif durations_ms and key in durations_ms:
                    ms = durations_ms[key]
                invocations[key] += n
                billed_ms[key] += n * ms
            if "bedrock" in path:
                model = path["bedrock"]["model"]
                out = workload["worst_case"]["output_tokens"] if worst_case else path["bedrock"]["output_tokens"]
                sums = tokens.setdefault(model, [0.0, 0.0])
                sums[0] += n * path["bedrock"]["input_tokens"]
                sums[1] += n * out
            reads += n * path.get("dynamodb_read_units", 0)
            writes += n * path.get("dynamodb_write_units", 0)
            ttl_months = workload["storage"]["cache_ttl_days"] * 24 / month_hours
            cached_bytes += n * path.get("dynamodb_item_bytes", 0) * ttl_months
            response_bytes += n * path.get("response_bytes", 0)

    if absent:
        notes.append(f"called but not deployed, left out: {', '.join(sorted(absent))}")

    lines: list[Line] = []
    lam = prices["lambda"]
    lines.append(
        Line(
            "Lambda",
            "requests (all functions)",
            sum(invocations.values()),
            "requests",
            lam["request_per_million"] / 1e6,
            pool="lambda_requests",
        )
    )
    log_bytes = requests * workload["api"]["access_log_bytes_per_request"]
    for key, fn in sorted(deployment.functions.items()):
        profile = workload["functions"].get(key)
        if profile is None:
            raise ValueError(f"the workload has no profile for function {key!r}: add it to cost/workload.json")
        gb_s_price = lam["gb_second"][fn.architecture]
        memory_gb = fn.memory_mb / MB_PER_GB
        lines.append(
            Line(
                "Lambda",
                f"{key}: {fn.memory_mb} MB x {_seconds(billed_ms[key], invocations[key])} s",
                memory_gb * billed_ms[key] / 1000,
                "GB-s",
                gb_s_price,
                pool="lambda_gb_s",
            )
        )
        cold_rate = workload["worst_case"]["cold_start_rate"] if worst_case else profile["cold_start_rate"]
        if lam.get("init_billed") and invocations[key]:
            cold = invocations[key] * cold_rate
            lines.append(
                Line(
                    "Lambda",
                    f"{key}: INIT {profile['init_ms'] / 1000:g} s x {cold:,.0f} cold starts",
                    memory_gb * cold * profile["init_ms"] / 1000,
                    "GB-s",
                    gb_s_price,
                    pool="lambda_gb_s",
                )
            )
        log_bytes += invocations[key] * profile["log_bytes_per_invocation"]

    lines.append(
        Line(
            "API Gateway",
            "REST requests",
            requests,
            "requests",
            prices["api_gateway_rest"]["request_per_million"] / 1e6,
        )
    )
    for model, (tokens_in, tokens_out) in sorted(tokens.items()):
        rate = prices["bedrock"]["models"][model]["geo_or_in_region"]
        lines.append(
            Line("Bedrock", f"{model} input tokens", tokens_in, "tokens", rate["input_per_million_tokens"] / 1e6)
        )
        lines.append(
            Line("Bedrock", f"{model} output tokens", tokens_out, "tokens", rate["output_per_million_tokens"] / 1e6)
        )

    cw, obs = prices["cloudwatch"], workload["observability"]
    lines.append(
        Line(
            "CloudWatch",
            "log ingestion (functions + API access logs)",
            log_bytes / gb,
            "GB",
            cw["logs_ingestion_per_gb"],
            pool="logs_gb",
        )
    )
    stored_gb = log_bytes / gb * deployment.log_retention_days * 24 / month_hours * obs["logs_compression_ratio"]
    lines.append(
        Line(
            "CloudWatch",
            f"log storage ({deployment.log_retention_days} d retention, compressed)",
            stored_gb,
            "GB-month",
            cw["logs_storage_per_gb_month"],
        )
    )
    # Billed by the hour a metric is published: an idle environment publishes none. Counted as a
    # whole month as soon as there is traffic (an upper bound).
    streams = sum(len(names) for names in deployment.custom_metrics.values())
    lines.append(
        Line(
            "CloudWatch",
            f"custom metrics (EMF, {streams} streams, only when published)",
            streams if requests else 0,
            "metrics",
            cw["custom_metric_per_month"],
            pool="custom_metrics",
        )
    )
    if deployment.api_detailed_metric_methods:
        detailed = deployment.api_detailed_metric_methods * obs["api_detailed_metrics_per_method"]
        methods = deployment.api_detailed_metric_methods
        lines.append(
            Line(
                "CloudWatch",
                f"API Gateway detailed metrics ({methods} methods)",
                detailed,
                "metrics",
                cw["custom_metric_per_month"],
                pool="custom_metrics",
                fixed=True,
            )
        )
    lines.append(
        Line(
            "CloudWatch",
            "alarm metrics",
            deployment.alarm_metrics,
            "alarm metrics",
            cw["alarm_metric_per_month"],
            pool="alarm_metrics",
            fixed=True,
        )
    )
    lines.append(
        Line(
            "CloudWatch",
            "dashboards",
            deployment.dashboards,
            "dashboards",
            cw["dashboard_per_month"],
            pool="dashboards",
            fixed=True,
        )
    )
    if deployment.tracing:
        lines.append(
            Line(
                "X-Ray",
                "traces recorded (sampled: 1/s + 5 %)",
                DAYS_PER_MONTH * sampled_traces(requests / DAYS_PER_MONTH),
                "traces",
                prices["xray"]["trace_recorded_per_million"] / 1e6,
                pool="traces",
            )
        )

    ddb = prices["dynamodb_on_demand"]
    lines.append(Line("DynamoDB", "read request units", reads, "RRU", ddb["read_request_unit_per_million"] / 1e6))
    lines.append(Line("DynamoDB", "write request units", writes, "WRU", ddb["write_request_unit_per_million"] / 1e6))
    lines.append(
        Line(
            "DynamoDB", "cache storage", cached_bytes / gb, "GB-month", ddb["storage_per_gb_month"], pool="dynamodb_gb"
        )
    )
    storage = workload["storage"]
    lines.append(
        Line(
            "S3",
            f"artifacts ({storage['artifact_versions_kept']} versions kept)",
            deployment.artifact_bytes * storage["artifact_versions_kept"] / gb,
            "GB-month",
            prices["s3_standard"]["storage_per_gb_month"],
            fixed=True,
        )
    )
    lines.append(
        Line(
            "Data transfer",
            "responses to the internet",
            response_bytes / gb,
            "GB",
            prices["data_transfer_out"]["internet_per_gb"],
            pool="transfer_gb",
        )
    )
    if deployment.secrets:
        lines.append(
            Line(
                "Secrets Manager",
                "secrets",
                deployment.secrets,
                "secrets",
                prices["secrets_manager"]["secret_per_month"],
                fixed=True,
            )
        )
    lines.append(
        Line(
            "Budgets",
            "cost budgets (notifications only, no actions)",
            deployment.budgets,
            "budgets",
            prices["budgets"]["budget_per_day"] * month_hours / 24,
            fixed=True,
        )
    )

    free = {
        "lambda_requests": lam["free"]["requests"],
        "lambda_gb_s": lam["free"]["gb_seconds"],
        "logs_gb": cw["free"]["logs_gb"],
        "custom_metrics": cw["free"]["custom_metrics"],
        "alarm_metrics": cw["free"]["alarm_metrics"],
        "dashboards": cw["free"]["dashboards"],
        "traces": prices["xray"]["free"]["traces"],
        "dynamodb_gb": ddb["free"]["storage_gb"],
        "transfer_gb": prices["data_transfer_out"]["free"]["gb"],
    }
    return Estimate(deployment.environment, requests, lines, free, notes)


def _seconds(total_ms: float, count: float) -> str:
    return f"{total_ms / count / 1000:g}" if count else "0"


# X-Ray's default sampling rule, which the API stage's tracing follows (no rule of our own):
# the first request each second (the reservoir) and 5 % of the rest.
XRAY_RESERVOIR_PER_S, XRAY_FIXED_RATE = 1, 0.05


def sampled_traces(requests_per_day: float) -> float:
    """Traces X-Ray records in a day of `requests_per_day` spread evenly over it."""
    reservoir = min(requests_per_day, XRAY_RESERVOIR_PER_S * 86_400)
    return reservoir + XRAY_FIXED_RATE * (requests_per_day - reservoir)


def max_day(*, deployment: Deployment, workload: dict, prices: dict, fixed_per_month: float) -> list[Line]:
    """The most one UTC day can cost under the caps, as lines (USD for that day, list prices).

    API Gateway throttles each method in its own token bucket (the stage setting is every
    method's default, not a shared budget), so every method runs at its own rate all day, each
    request on that method's costliest path with every call to its function's timeout: an
    operation's workload paths, a preflight's function, nothing for a mock. No function runs
    beyond its reserved concurrency for the whole day. Bedrock: the daily spend cap, plus what
    calls admitted just before it was reached can add (one poem at maxTokens per concurrent
    poetry run). Logs and DynamoDB follow the requests, traces X-Ray's default sampling; fixed
    items are a 30.4th of their month."""
    methods = deployment.methods or {
        op: Method(deployment.throttle_rate_rps, operation=op) for op in deployment.operations
    }
    unbounded = sorted(key for key, method in methods.items() if not method.rate_rps)
    if not methods or unbounded:
        raise ValueError(f"no API throttling rate for {', '.join(unbounded) or 'the API'}: the day is unbounded")
    lam, cw = prices["lambda"], prices["cloudwatch"]
    fns = deployment.functions

    def gb_s(path: dict) -> float:
        return sum(fns[k].memory_mb / MB_PER_GB * fns[k].timeout_s for k in path["calls"] if k in fns)

    def paths_of(method: Method) -> list[dict]:
        if method.operation is not None:
            if method.operation not in workload["operations"]:
                raise ValueError(f"the workload has no entry for operation {method.operation!r}")
            return workload["operations"][method.operation]["paths"]
        return [{"calls": {method.function: 0} if method.function else {}}]

    invocations = dict.fromkeys(fns, 0.0)
    requests = reads = writes = bedrock_rate = 0.0
    per_method = []
    for key, method in methods.items():
        day = method.rate_rps * 86_400
        paths = paths_of(method)
        costliest = max(paths, key=lambda p: (gb_s(p), len(p["calls"])))
        for fn in costliest["calls"]:
            if fn in fns:
                invocations[fn] += day
        requests += day
        reads += day * max(p.get("dynamodb_read_units", 0) for p in paths)
        writes += day * max(p.get("dynamodb_write_units", 0) for p in paths)
        if any("bedrock" in p for p in paths):
            bedrock_rate += method.rate_rps
        per_method.append((key, method, day))

    lines = []
    if deployment.daily_budget_usd is not None and deployment.bedrock_models:
        table = prices["bedrock"]["models"]
        endpoint = prices["bedrock"].get("endpoint", "geo_or_in_region")
        poem = max(
            (
                workload["worst_case"].get("input_tokens", 1000) * table[m][endpoint]["input_per_million_tokens"]
                + deployment.max_tokens * table[m][endpoint]["output_per_million_tokens"]
            )
            / 1e6
            for m in deployment.bedrock_models
        )
        poetry = fns.get("poetry")
        concurrency = deployment.reserved_concurrency.get("poetry")
        if concurrency is None or concurrency < 0:
            concurrency = math.ceil(bedrock_rate * (poetry.timeout_s if poetry else 1))
        lines.append(
            Line("Bedrock", "daily spend cap (POETRY_DAILY_BUDGET_USD)", 1, "day", deployment.daily_budget_usd)
        )
        lines.append(
            Line("Bedrock", f"overshoot: {concurrency} poems in flight at the cap", concurrency, "poems", poem)
        )

    api_price = prices["api_gateway_rest"]["request_per_million"] / 1e6
    mocks = [(key, method, day) for key, method, day in per_method if method.operation is None and not method.function]
    for key, method, day in per_method:
        if (key, method, day) not in mocks:
            lines.append(Line("API Gateway", f"{key} at {method.rate_rps:g}/s", day, "requests", api_price))
    if mocks:
        rates = "/".join(f"{r:g}" for r in sorted({m.rate_rps for _, m, _ in mocks}))
        lines.append(
            Line(
                "API Gateway",
                f"{len(mocks)} mock methods (404/405) at {rates}/s each",
                sum(day for _, _, day in mocks),
                "requests",
                api_price,
            )
        )
    lines.append(Line("Lambda", "requests", sum(invocations.values()), "requests", lam["request_per_million"] / 1e6))
    for fn_key, fn in sorted(fns.items()):
        if not invocations[fn_key]:
            continue
        memory_gb = fn.memory_mb / MB_PER_GB
        quantity = invocations[fn_key] * memory_gb * fn.timeout_s
        reserved = deployment.reserved_concurrency.get(fn_key)
        item = f"{fn_key}: {fn.memory_mb} MB, every call to its {fn.timeout_s:g} s timeout"
        if reserved is not None and reserved >= 0 and reserved * 86_400 * memory_gb < quantity:
            quantity = reserved * 86_400 * memory_gb  # reserved concurrency caps it all day
            item = f"{fn_key}: {fn.memory_mb} MB, {reserved} reserved running all day"
        lines.append(Line("Lambda", item, quantity, "GB-s", lam["gb_second"][fn.architecture]))
    log_bytes = requests * workload["api"]["access_log_bytes_per_request"] + sum(
        n * workload["functions"][k]["log_bytes_per_invocation"] for k, n in invocations.items()
    )
    ddb = prices["dynamodb_on_demand"]
    lines += [
        Line("CloudWatch", "log ingestion", log_bytes / prices["_meta"]["gb_bytes"], "GB", cw["logs_ingestion_per_gb"]),
        Line("DynamoDB", "request units", reads, "RRU", ddb["read_request_unit_per_million"] / 1e6),
        Line("DynamoDB", "write units", writes, "WRU", ddb["write_request_unit_per_million"] / 1e6),
    ]
    if deployment.tracing:
        lines.append(
            Line(
                "X-Ray",
                "traces",
                sampled_traces(requests),
                "traces",
                prices["xray"]["trace_recorded_per_million"] / 1e6,
            )
        )
    lines.append(Line("Fixed", "a day of the fixed monthly items", 1, "day", fixed_per_month / DAYS_PER_MONTH))
    return lines
