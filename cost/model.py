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

from dataclasses import dataclass, field

MB_PER_GB = 1024  # Lambda bills memory in MB / 1024


@dataclass(frozen=True)
class FunctionSpec:
    memory_mb: int
    timeout_s: float
    architecture: str = "x86_64"


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
    streams = sum(len(names) for names in deployment.custom_metrics.values())
    lines.append(
        Line(
            "CloudWatch",
            f"custom metrics (EMF, {streams} streams)",
            streams,
            "metrics",
            cw["custom_metric_per_month"],
            pool="custom_metrics",
            fixed=True,
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
                "traces recorded (one per API request)",
                requests,
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
            "cost budgets",
            deployment.budgets,
            "budgets",
            prices["budgets"]["budget_per_day"] * month_hours / 24,
            pool="budgets",
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
        "budgets": prices["budgets"]["free"]["budgets"],
    }
    return Estimate(deployment.environment, requests, lines, free, notes)


def _seconds(total_ms: float, count: float) -> str:
    return f"{total_ms / count / 1000:g}" if count else "0"
