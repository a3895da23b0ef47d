"""The most one UTC day can cost under the caps, as lines (USD for that day, list prices).

API Gateway throttles each method in its own token bucket (the stage setting is every
method's default, not a shared budget), so every method runs at its own rate all day, each
request on that method's costliest path with every call to its function's timeout: an
operation's workload paths, a preflight's function, nothing for a mock. No function runs
beyond its reserved concurrency for the whole day. Bedrock: the daily spend cap, plus what
calls admitted just before it was reached can add (one poem at maxTokens per concurrent
poetry run). Logs and DynamoDB follow the requests, traces X-Ray's default sampling; fixed
items are a 30.4th of their month."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cost.model import DAYS_PER_MONTH, MB_PER_GB, Deployment, FunctionSpec, Line, Method, sampled_traces

SECONDS_PER_DAY = 86_400


@dataclass
class _Traffic:
    """A day of every method at its own throttle rate."""

    invocations: dict[str, float]  # function -> calls
    requests: float = 0.0
    reads: float = 0.0
    writes: float = 0.0
    bedrock_rate: float = 0.0  # requests per second that may reach Bedrock
    per_method: list[tuple[str, Method, float]] = field(default_factory=list)  # (key, method, requests)


def max_day(*, deployment: Deployment, workload: dict, prices: dict, fixed_per_month: float) -> list[Line]:
    """The most one UTC day can cost under the caps (see the module docstring)."""
    methods = deployment.methods or {
        op: Method(deployment.throttle_rate_rps, operation=op) for op in deployment.operations
    }
    unbounded = sorted(key for key, method in methods.items() if not method.rate_rps)
    if not methods or unbounded:
        raise ValueError(f"no API throttling rate for {', '.join(unbounded) or 'the API'}: the day is unbounded")
    traffic = _traffic(methods, deployment.functions, workload)
    lines = _bedrock_lines(deployment, workload, prices, traffic.bedrock_rate)
    lines += _api_lines(traffic.per_method, prices["api_gateway_rest"]["request_per_million"] / 1e6)
    lines += _lambda_lines(deployment, traffic.invocations, prices["lambda"])
    lines += _follower_lines(deployment, workload, prices, traffic)
    lines.append(Line("Fixed", "a day of the fixed monthly items", 1, "day", fixed_per_month / DAYS_PER_MONTH))
    return lines


def _traffic(methods: dict[str, Method], fns: dict[str, FunctionSpec], workload: dict) -> _Traffic:
    """Each method's day of requests on its costliest path (most GB-s at the timeouts, then most calls)."""
    traffic = _Traffic(dict.fromkeys(fns, 0.0))
    for key, method in methods.items():
        day = method.rate_rps * SECONDS_PER_DAY
        paths = _paths_of(method, workload)
        costliest = max(paths, key=lambda p: (_timeout_gb_s(p, fns), len(p["calls"])))
        for fn in costliest["calls"]:
            if fn in fns:
                traffic.invocations[fn] += day
        traffic.requests += day
        traffic.reads += day * max(p.get("dynamodb_read_units", 0) for p in paths)
        traffic.writes += day * max(p.get("dynamodb_write_units", 0) for p in paths)
        if any("bedrock" in p for p in paths):
            traffic.bedrock_rate += method.rate_rps
        traffic.per_method.append((key, method, day))
    return traffic


def _paths_of(method: Method, workload: dict) -> list[dict]:
    """An operation's workload paths; a preflight calls its function; a mock calls nothing."""
    if method.operation is not None:
        if method.operation not in workload["operations"]:
            raise ValueError(f"the workload has no entry for operation {method.operation!r}")
        return workload["operations"][method.operation]["paths"]
    return [{"calls": {method.function: 0} if method.function else {}}]


def _timeout_gb_s(path: dict, fns: dict[str, FunctionSpec]) -> float:
    return sum(fns[k].memory_mb / MB_PER_GB * fns[k].timeout_s for k in path["calls"] if k in fns)


def _bedrock_lines(deployment: Deployment, workload: dict, prices: dict, bedrock_rate: float) -> list[Line]:
    """The daily cap, plus one costliest poem for each poetry run in flight when it is reached."""
    if deployment.daily_budget_usd is None or not deployment.bedrock_models:
        return []  # no Bedrock deployed: prices may have no section for it
    bedrock = prices["bedrock"]
    table = bedrock["models"]
    endpoint = bedrock.get("endpoint", "geo_or_in_region")
    poem = max(
        (
            workload["worst_case"].get("input_tokens", 1000) * table[m][endpoint]["input_per_million_tokens"]
            + deployment.max_tokens * table[m][endpoint]["output_per_million_tokens"]
        )
        / 1e6
        for m in deployment.bedrock_models
    )
    poetry = deployment.functions.get("poetry")
    concurrency = deployment.reserved_concurrency.get("poetry")
    if concurrency is None or concurrency < 0:
        concurrency = math.ceil(bedrock_rate * (poetry.timeout_s if poetry else 1))
    return [
        Line("Bedrock", "daily spend cap (POETRY_DAILY_BUDGET_USD)", 1, "day", deployment.daily_budget_usd),
        Line("Bedrock", f"overshoot: {concurrency} poems in flight at the cap", concurrency, "poems", poem),
    ]


def _api_lines(per_method: list[tuple[str, Method, float]], price: float) -> list[Line]:
    """One line per method that reaches a function; the mocks (404/405) together."""
    lines, mocks = [], []
    for key, method, day in per_method:
        if method.operation is None and not method.function:
            mocks.append((method, day))
        else:
            lines.append(Line("API Gateway", f"{key} at {method.rate_rps:g}/s", day, "requests", price))
    if mocks:
        rates = "/".join(f"{r:g}" for r in sorted({m.rate_rps for m, _ in mocks}))
        item = f"{len(mocks)} mock methods (404/405) at {rates}/s each"
        lines.append(Line("API Gateway", item, sum(day for _, day in mocks), "requests", price))
    return lines


def _lambda_lines(deployment: Deployment, invocations: dict[str, float], lam: dict) -> list[Line]:
    """Requests, then each invoked function at its timeout, capped by its reserved concurrency."""
    lines = [Line("Lambda", "requests", sum(invocations.values()), "requests", lam["request_per_million"] / 1e6)]
    for fn_key, fn in sorted(deployment.functions.items()):
        if not invocations[fn_key]:
            continue
        memory_gb = fn.memory_mb / MB_PER_GB
        quantity = invocations[fn_key] * memory_gb * fn.timeout_s
        reserved = deployment.reserved_concurrency.get(fn_key)
        item = f"{fn_key}: {fn.memory_mb} MB, every call to its {fn.timeout_s:g} s timeout"
        if reserved is not None and reserved >= 0 and reserved * SECONDS_PER_DAY * memory_gb < quantity:
            quantity = reserved * SECONDS_PER_DAY * memory_gb  # reserved concurrency caps it all day
            item = f"{fn_key}: {fn.memory_mb} MB, {reserved} reserved running all day"
        lines.append(Line("Lambda", item, quantity, "GB-s", lam["gb_second"][fn.architecture]))
    return lines


def _follower_lines(deployment: Deployment, workload: dict, prices: dict, traffic: _Traffic) -> list[Line]:
    """What follows the requests: log ingestion, DynamoDB units, sampled traces."""
    cw, ddb = prices["cloudwatch"], prices["dynamodb_on_demand"]
    log_bytes = traffic.requests * workload["api"]["access_log_bytes_per_request"] + sum(
        n * workload["functions"][k]["log_bytes_per_invocation"] for k, n in traffic.invocations.items()
    )
    lines = [
        Line("CloudWatch", "log ingestion", log_bytes / prices["_meta"]["gb_bytes"], "GB", cw["logs_ingestion_per_gb"]),
        Line("DynamoDB", "request units", traffic.reads, "RRU", ddb["read_request_unit_per_million"] / 1e6),
        Line("DynamoDB", "write units", traffic.writes, "WRU", ddb["write_request_unit_per_million"] / 1e6),
    ]
    if deployment.tracing:
        trace_price = prices["xray"]["trace_recorded_per_million"] / 1e6
        lines.append(Line("X-Ray", "traces", sampled_traces(traffic.requests), "traces", trace_price))
    return lines
