"""Monthly cost of one environment: plain arithmetic on a deployment (what Terraform
configures), a workload (what a month of traffic does) and a price list (one dated file).

Method: each operation's share of REQUESTS runs its paths; every path invokes functions for a
duration, may call Bedrock and DynamoDB and sends a response. Lambda bills requests and
GB-seconds (memory in GB x billed seconds, cold-start INIT included), API Gateway bills
requests, Bedrock bills tokens, CloudWatch bills log bytes, custom metrics, alarm metrics and
dashboards, X-Ray bills traces. Fixed items (metrics, alarms, dashboards, storage, budgets)
do not depend on traffic. Every line keeps its quantity and unit price so the breakdown shows
what a change costs; always-free allowances are applied per pool only in `total_after_free`.
The most one day can cost is in cost/worst_day.py."""

from __future__ import annotations

import json
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
        for pool in sorted({line.pool for line in self.lines if line.pool}):  # sorted: same sum every run
            members = [line for line in self.lines if line.pool == pool]
            quantity = sum(line.quantity for line in members)
            if quantity:
                price = sum(line.cost for line in members) / quantity  # one price per pool
                total += max(0.0, quantity - self.free.get(pool, 0.0)) * price
        return total


@dataclass
class _Usage:
    """What a month of requests does, summed over the deployed operations' paths."""

    invocations: dict[str, float]  # function -> calls
    billed_ms: dict[str, float]  # function -> calls x billed duration
    tokens: dict[str, list[float]] = field(default_factory=dict)  # model -> [input, output]
    reads: float = 0.0
    writes: float = 0.0
    cached_bytes: float = 0.0  # byte-months of cache items kept for their TTL
    response_bytes: float = 0.0
    absent: set[str] = field(default_factory=set)  # called but not deployed


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
    _check_inputs(requests, deployment, workload, durations_ms)
    meta, notes = prices["_meta"], list(deployment.notes)
    month_hours, gb = meta["month_hours"], meta["gb_bytes"]

    deployed_ops = {op: spec for op, spec in workload["operations"].items() if op in deployment.operations}
    skipped = sorted(set(workload["operations"]) - set(deployed_ops))
    if skipped:
        notes.append(f"not deployed, left out: {', '.join(skipped)}; shares renormalised over the rest")
    usage = _usage(requests, deployed_ops, deployment, workload, month_hours, worst_case, durations_ms)
    if usage.absent:
        notes.append(f"called but not deployed, left out: {', '.join(sorted(usage.absent))}")

    lines = _lambda_lines(deployment, workload, prices["lambda"], usage, worst_case)
    api_price = prices["api_gateway_rest"]["request_per_million"] / 1e6
    lines.append(Line("API Gateway", "REST requests", requests, "requests", api_price))
    lines += _bedrock_lines(usage.tokens, prices)
    log_gb = _log_bytes(requests, deployment, workload, usage) / gb
    lines += _log_lines(log_gb, deployment.log_retention_days, workload, prices["cloudwatch"], month_hours)
    lines += _metric_lines(requests, deployment, workload, prices["cloudwatch"])
    if deployment.tracing:
        traces = DAYS_PER_MONTH * sampled_traces(requests / DAYS_PER_MONTH)
        trace_price = prices["xray"]["trace_recorded_per_million"] / 1e6
        item = "traces recorded (sampled: 1/s + 5 %)"
        lines.append(Line("X-Ray", item, traces, "traces", trace_price, pool="traces"))
    lines += _storage_lines(deployment, workload, prices, usage, gb)
    lines += _account_lines(deployment, prices, month_hours)
    return Estimate(deployment.environment, requests, lines, _free_allowances(prices), notes)


def _check_inputs(requests: int, deployment: Deployment, workload: dict, durations_ms: dict | None) -> None:
    if requests < 0:
        raise ValueError("requests must be >= 0")
    unknown = sorted(set(deployment.operations) - set(workload["operations"]))
    if unknown:
        raise ValueError(f"the workload has no entry for operations {unknown}: add them to cost/workload.json")
    for key in durations_ms or {}:
        if key not in deployment.functions:
            raise ValueError(f"--duration names {key!r}, which is not a deployed function")


def _usage(
    requests: int,
    operations: dict,
    deployment: Deployment,
    workload: dict,
    month_hours: float,
    worst_case: bool,
    durations_ms: dict[str, float] | None,
) -> _Usage:
    """Each operation's share of `requests` (renormalised over `operations`) runs its paths."""
    fns = deployment.functions
    usage = _Usage(dict.fromkeys(fns, 0.0), dict.fromkeys(fns, 0.0))
    share_sum = sum(spec["share"] for spec in operations.values())
    for spec in operations.values():
        op_requests = requests * spec["share"] / share_sum
        for path in spec["paths"]:
            n = op_requests * path["fraction"]
            for key, ms in path["calls"].items():
                if key not in fns:
                    usage.absent.add(key)
                    continue
                usage.invocations[key] += n
                usage.billed_ms[key] += n * _call_ms(key, ms, fns[key], worst_case, durations_ms)
            _add_path_traffic(usage, path, n, workload, month_hours, worst_case)
    return usage


def _call_ms(key: str, ms: float, fn: FunctionSpec, worst_case: bool, durations_ms: dict[str, float] | None) -> float:
    """Billed duration of one call: the timeout in the worst case, else --duration, else the workload's."""
    if worst_case:
        return fn.timeout_s * 1000
    if durations_ms and key in durations_ms:
        return durations_ms[key]
    return ms


def _add_path_traffic(
    usage: _Usage, path: dict, n: float, workload: dict, month_hours: float, worst_case: bool
) -> None:
    """Bedrock tokens, DynamoDB units and bytes of `n` requests on `path`."""
    if "bedrock" in path:
        model = path["bedrock"]["model"]
        out = workload["worst_case"]["output_tokens"] if worst_case else path["bedrock"]["output_tokens"]
        sums = usage.tokens.setdefault(model, [0.0, 0.0])
        sums[0] += n * path["bedrock"]["input_tokens"]
        sums[1] += n * out
    usage.reads += n * path.get("dynamodb_read_units", 0)
    usage.writes += n * path.get("dynamodb_write_units", 0)
    ttl_months = workload["storage"]["cache_ttl_days"] * 24 / month_hours
    usage.cached_bytes += n * path.get("dynamodb_item_bytes", 0) * ttl_months
    usage.response_bytes += n * path.get("response_bytes", 0)


def _lambda_lines(deployment: Deployment, workload: dict, lam: dict, usage: _Usage, worst_case: bool) -> list[Line]:
    """Requests of all functions, then each function's GB-seconds and cold-start INIT."""
    invoked, request_price = sum(usage.invocations.values()), lam["request_per_million"] / 1e6
    lines = [Line("Lambda", "requests (all functions)", invoked, "requests", request_price, pool="lambda_requests")]
    for key, fn in sorted(deployment.functions.items()):
        profile = workload["functions"].get(key)
        if profile is None:
            raise ValueError(f"the workload has no profile for function {key!r}: add it to cost/workload.json")
        calls, billed_ms = usage.invocations[key], usage.billed_ms[key]
        gb_s_price = lam["gb_second"][fn.architecture]
        memory_gb = fn.memory_mb / MB_PER_GB
        item = f"{key}: {fn.memory_mb} MB x {_seconds(billed_ms, calls)} s"
        lines.append(Line("Lambda", item, memory_gb * billed_ms / 1000, "GB-s", gb_s_price, pool="lambda_gb_s"))
        cold_rate = workload["worst_case"]["cold_start_rate"] if worst_case else profile["cold_start_rate"]
        if lam.get("init_billed") and calls:
            cold = calls * cold_rate
            item = f"{key}: INIT {profile['init_ms'] / 1000:g} s x {cold:,.0f} cold starts"
            init_gb_s = memory_gb * cold * profile["init_ms"] / 1000
            lines.append(Line("Lambda", item, init_gb_s, "GB-s", gb_s_price, pool="lambda_gb_s"))
    return lines


def _seconds(total_ms: float, count: float) -> str:
    return f"{total_ms / count / 1000:g}" if count else "0"


def _bedrock_lines(tokens: dict[str, list[float]], prices: dict) -> list[Line]:
    lines = []
    for model, (tokens_in, tokens_out) in sorted(tokens.items()):
        rate = prices["bedrock"]["models"][model]["geo_or_in_region"]
        in_price, out_price = rate["input_per_million_tokens"] / 1e6, rate["output_per_million_tokens"] / 1e6
        lines.append(Line("Bedrock", f"{model} input tokens", tokens_in, "tokens", in_price))
        lines.append(Line("Bedrock", f"{model} output tokens", tokens_out, "tokens", out_price))
    return lines


def _log_bytes(requests: int, deployment: Deployment, workload: dict, usage: _Usage) -> float:
    """API access logs plus every function's logs."""
    log_bytes = requests * workload["api"]["access_log_bytes_per_request"]
    for key in sorted(deployment.functions):
        log_bytes += usage.invocations[key] * workload["functions"][key]["log_bytes_per_invocation"]
    return log_bytes


def _log_lines(log_gb: float, retention_days: int, workload: dict, cw: dict, month_hours: float) -> list[Line]:
    """Ingestion, then storage over the retention period (compressed)."""
    item = "log ingestion (functions + API access logs)"
    ingestion = Line("CloudWatch", item, log_gb, "GB", cw["logs_ingestion_per_gb"], pool="logs_gb")
    stored_gb = log_gb * retention_days * 24 / month_hours * workload["observability"]["logs_compression_ratio"]
    item = f"log storage ({retention_days} d retention, compressed)"
    return [ingestion, Line("CloudWatch", item, stored_gb, "GB-month", cw["logs_storage_per_gb_month"])]


def _metric_lines(requests: int, deployment: Deployment, workload: dict, cw: dict) -> list[Line]:
    """Custom metrics, API Gateway detailed metrics, alarm metrics and dashboards."""
    # Billed by the hour a metric is published: an idle environment publishes none. Counted as a
    # whole month as soon as there is traffic (an upper bound).
    streams = sum(len(names) for names in deployment.custom_metrics.values())
    metric_price = cw["custom_metric_per_month"]
    item = f"custom metrics (EMF, {streams} streams, only when published)"
    lines = [Line("CloudWatch", item, streams if requests else 0, "metrics", metric_price, pool="custom_metrics")]
    if deployment.api_detailed_metric_methods:
        methods = deployment.api_detailed_metric_methods
        detailed = methods * workload["observability"]["api_detailed_metrics_per_method"]
        item = f"API Gateway detailed metrics ({methods} methods)"
        lines.append(Line("CloudWatch", item, detailed, "metrics", metric_price, pool="custom_metrics", fixed=True))
    alarms, alarm_price = deployment.alarm_metrics, cw["alarm_metric_per_month"]
    dashboards, dashboard_price = deployment.dashboards, cw["dashboard_per_month"]
    return lines + [
        Line("CloudWatch", "alarm metrics", alarms, "alarm metrics", alarm_price, pool="alarm_metrics", fixed=True),
        Line("CloudWatch", "dashboards", dashboards, "dashboards", dashboard_price, pool="dashboards", fixed=True),
    ]


def _storage_lines(deployment: Deployment, workload: dict, prices: dict, usage: _Usage, gb: float) -> list[Line]:
    """DynamoDB units and cache, the S3 artifacts, and the responses' transfer out."""
    ddb, storage = prices["dynamodb_on_demand"], workload["storage"]
    cached_gb, versions = usage.cached_bytes / gb, storage["artifact_versions_kept"]
    artifacts_gb, s3_price = deployment.artifact_bytes * versions / gb, prices["s3_standard"]["storage_per_gb_month"]
    transfer_gb, transfer_price = usage.response_bytes / gb, prices["data_transfer_out"]["internet_per_gb"]
    return [
        Line("DynamoDB", "read request units", usage.reads, "RRU", ddb["read_request_unit_per_million"] / 1e6),
        Line("DynamoDB", "write request units", usage.writes, "WRU", ddb["write_request_unit_per_million"] / 1e6),
        Line("DynamoDB", "cache storage", cached_gb, "GB-month", ddb["storage_per_gb_month"], pool="dynamodb_gb"),
        Line("S3", f"artifacts ({versions} versions kept)", artifacts_gb, "GB-month", s3_price, fixed=True),
        Line("Data transfer", "responses to the internet", transfer_gb, "GB", transfer_price, pool="transfer_gb"),
    ]


def _account_lines(deployment: Deployment, prices: dict, month_hours: float) -> list[Line]:
    """Secrets and budgets: fixed monthly items."""
    lines = []
    if deployment.secrets:
        secret_price = prices["secrets_manager"]["secret_per_month"]
        lines.append(Line("Secrets Manager", "secrets", deployment.secrets, "secrets", secret_price, fixed=True))
    budget_price = prices["budgets"]["budget_per_day"] * month_hours / 24
    item = "cost budgets (notifications only, no actions)"
    lines.append(Line("Budgets", item, deployment.budgets, "budgets", budget_price, fixed=True))
    return lines


def _free_allowances(prices: dict) -> dict[str, float]:
    """Always-free quantity per month of each pool."""
    lam, cw = prices["lambda"], prices["cloudwatch"]
    return {
        "lambda_requests": lam["free"]["requests"],
        "lambda_gb_s": lam["free"]["gb_seconds"],
        "logs_gb": cw["free"]["logs_gb"],
        "custom_metrics": cw["free"]["custom_metrics"],
        "alarm_metrics": cw["free"]["alarm_metrics"],
        "dashboards": cw["free"]["dashboards"],
        "traces": prices["xray"]["free"]["traces"],
        "dynamodb_gb": prices["dynamodb_on_demand"]["free"]["storage_gb"],
        "transfer_gb": prices["data_transfer_out"]["free"]["gb"],
    }


# X-Ray's default sampling rule, which the API stage's tracing follows (no rule of our own):
# the first request each second (the reservoir) and 5 % of the rest.
XRAY_RESERVOIR_PER_S, XRAY_FIXED_RATE = 1, 0.05


def sampled_traces(requests_per_day: float) -> float:
    """Traces X-Ray records in a day of `requests_per_day` spread evenly over it."""
    reservoir = min(requests_per_day, XRAY_RESERVOIR_PER_S * 86_400)
    return reservoir + XRAY_FIXED_RATE * (requests_per_day - reservoir)
