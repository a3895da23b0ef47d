"""The cost model's arithmetic: the hand-computed worked example in docs/observability-and-cost.md, and how the
breakdown moves when one input changes."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from cost.model import Deployment, FunctionSpec, Method, estimate, load_prices
from cost.worst_day import max_day

ROOT = Path(__file__).resolve().parents[2]
PRICES = load_prices(ROOT / "cost" / "prices-2026-11.json")

# The inputs stated in docs/observability-and-cost.md, "Worked example".
EXAMPLE_DEPLOYMENT = Deployment(
    environment="example",
    functions={"poetry": FunctionSpec(512, 28), "thumbnail": FunctionSpec(256, 10)},
    operations={"generatePoetry": "poetry", "getThumbnail": "thumbnail"},
    custom_metrics={
        "poetry": ["PoemLatency", "BedrockInputTokens", "BedrockOutputTokens", "ColdStart"],
        "thumbnail": ["ThumbnailBytes", "ColdStart"],
    },
    alarm_metrics=10,
    dashboards=1,
    budgets=1,
    api_detailed_metric_methods=0,
    log_retention_days=7,
    artifact_bytes=2**29,
    tracing=True,
)
EXAMPLE_WORKLOAD = {
    "operations": {
        "generatePoetry": {
            "share": 0.5,
            "paths": [
                {
                    "fraction": 1.0,
                    "calls": {"poetry": 3000},
                    "response_bytes": 2000,
                    "bedrock": {"model": "claude-haiku-4.5", "input_tokens": 250, "output_tokens": 300},
                }
            ],
        },
        "getThumbnail": {
            "share": 0.5,
            "paths": [{"fraction": 1.0, "calls": {"thumbnail": 300}, "response_bytes": 20000}],
        },
    },
    "functions": {
        "poetry": {"cold_start_rate": 0.2, "init_ms": 800, "log_bytes_per_invocation": 950},
        "thumbnail": {"cold_start_rate": 0.2, "init_ms": 500, "log_bytes_per_invocation": 700},
    },
    "api": {"access_log_bytes_per_request": 650},
    "observability": {"logs_compression_ratio": 0.15, "api_detailed_metrics_per_method": 5},
    "storage": {"artifact_versions_kept": 2, "cache_ttl_days": 30},
    "worst_case": {"output_tokens": 900, "cold_start_rate": 1.0},
}


def _readme_example() -> dict[tuple[str, str], float]:
    text = (ROOT / "docs" / "observability-and-cost.md").read_text()
    table = text.split("<!-- cost-worked-example -->")[1].split("<!-- /cost-worked-example -->")[0]
    rows = {}
    for line in table.strip().splitlines()[2:]:
        service, item, _arithmetic, usd = [cell.strip() for cell in line.strip("|").split("|")]
        rows[(service, item)] = float(usd)
    return rows


def _example(**changes):
    return estimate(
        requests=changes.pop("requests", 10_000),
        deployment=changes.pop("deployment", EXAMPLE_DEPLOYMENT),
        workload=changes.pop("workload", EXAMPLE_WORKLOAD),
        prices=PRICES,
        **changes,
    )


def test_cost_model_reproduces_the_readme_worked_example():
    expected = _readme_example()
    result = _example()
    computed = {(line.service, line.item): line.cost for line in result.lines if line.cost}
    rows = {key: usd for key, usd in expected.items() if key[0]}
    assert set(rows) == set(computed)
    for key, usd in rows.items():
        assert round(computed[key], 4) == pytest.approx(usd, abs=1e-9), key
    assert round(result.variable, 4) == expected[("", "Traffic-driven")]
    assert round(result.fixed, 4) == expected[("", "Fixed")]
    assert round(result.total, 4) == expected[("", "Total at list prices")]
    after_free = expected[("", "Total if every always-free allowance is unused elsewhere")]
    assert round(result.total_after_free, 4) == after_free


def _custom_metrics(result) -> float:
    return next(x.cost for x in result.lines if x.item.startswith("custom metrics"))


def test_cost_model_traffic_part_scales_linearly_and_fixed_part_does_not():
    one, two = _example(requests=10_000), _example(requests=20_000)
    # Custom metrics are billed per stream published at all, not per request.
    assert _custom_metrics(two) == _custom_metrics(one) == pytest.approx(1.80)
    assert two.variable - _custom_metrics(two) == pytest.approx(2 * (one.variable - _custom_metrics(one)))
    assert two.fixed == pytest.approx(one.fixed)
    assert _example(requests=0).total == pytest.approx(one.fixed)


def test_cost_model_memory_change_moves_only_that_functions_compute():
    bigger = replace(EXAMPLE_DEPLOYMENT, functions={**EXAMPLE_DEPLOYMENT.functions, "poetry": FunctionSpec(1024, 28)})
    base = {line.item: line.cost for line in _example().lines}
    after = {line.item.replace("1024 MB", "512 MB"): line.cost for line in _example(deployment=bigger).lines}
    changed = {item for item in base if base[item] != pytest.approx(after[item])}
    assert changed == {"poetry: 512 MB x 3 s", "poetry: INIT 0.8 s x 1,000 cold starts"}
    assert after["poetry: 512 MB x 3 s"] == pytest.approx(2 * base["poetry: 512 MB x 3 s"])


def test_cost_model_measured_duration_replaces_the_estimate():
    lines = {line.item: line for line in _example(durations_ms={"poetry": 1500}).lines}
    assert lines["poetry: 512 MB x 1.5 s"].quantity == pytest.approx(5_000 * 1.5 * 0.5)
    assert lines["thumbnail: 256 MB x 0.3 s"].quantity == pytest.approx(375)
    with pytest.raises(ValueError, match="not a deployed function"):
        _example(durations_ms={"nosuch": 10})


def test_cost_model_worst_case_uses_timeouts_cold_starts_and_max_tokens():
    lines = {line.item: line for line in _example(worst_case=True).lines}
    assert lines["poetry: 512 MB x 28 s"].quantity == pytest.approx(5_000 * 28 * 0.5)
    assert lines["thumbnail: INIT 0.5 s x 5,000 cold starts"].quantity == pytest.approx(5_000 * 0.5 * 0.25)
    assert lines["claude-haiku-4.5 output tokens"].quantity == 5_000 * 900


def test_cost_model_arm64_uses_its_own_gb_second_price():
    arm = replace(
        EXAMPLE_DEPLOYMENT,
        functions={k: replace(f, architecture="arm64") for k, f in EXAMPLE_DEPLOYMENT.functions.items()},
    )
    line = next(x for x in _example(deployment=arm).lines if x.item == "poetry: 512 MB x 3 s")
    assert line.unit_price == PRICES["lambda"]["gb_second"]["arm64"] < PRICES["lambda"]["gb_second"]["x86_64"]


def test_cost_model_api_detailed_metrics_are_billed_per_method():
    detailed = replace(EXAMPLE_DEPLOYMENT, api_detailed_metric_methods=2)
    line = next(x for x in _example(deployment=detailed).lines if x.item.startswith("API Gateway detailed"))
    assert (line.quantity, line.cost) == (10, pytest.approx(3.0))
    assert line.fixed


def test_cost_model_free_allowances_apply_per_pool():
    many = replace(
        EXAMPLE_DEPLOYMENT, custom_metrics={"poetry": [f"M{i}" for i in range(13)]}, alarm_metrics=12, dashboards=4
    )
    result = _example(deployment=many)
    after_list = _example().total_after_free
    # 13 streams - 10 free = 3; 12 alarm metrics - 10 = 2; 4 dashboards - 3 = 1.
    assert result.total_after_free == pytest.approx(after_list + 3 * 0.30 + 2 * 0.10 + 1 * 3.00)


def test_cost_model_renormalises_shares_and_reports_left_out_operations():
    workload = json.loads(json.dumps(EXAMPLE_WORKLOAD))
    workload["operations"]["getYoutubeInfo"] = {"share": 1.0, "paths": [{"fraction": 1.0, "calls": {"youtube": 1}}]}
    result = _example(workload=workload)
    assert result.total == pytest.approx(_example().total)
    assert any("getYoutubeInfo" in note for note in result.notes)


def test_cost_model_refuses_an_operation_without_workload():
    deployment = replace(EXAMPLE_DEPLOYMENT, operations={**EXAMPLE_DEPLOYMENT.operations, "newThing": "poetry"})
    with pytest.raises(ValueError, match=r"no entry for operations \['newThing'\]"):
        _example(deployment=deployment)
    with pytest.raises(ValueError, match="requests must be >= 0"):
        _example(requests=-1)


def test_cost_prices_file_is_dated_and_every_section_names_its_source():
    path = ROOT / "cost" / "prices-2026-11.json"
    assert re.fullmatch(r"prices-\d{4}-\d{2}\.json", path.name)
    assert PRICES["_meta"]["as_of"].startswith(path.stem.removeprefix("prices-"))
    for name, section in PRICES.items():
        if name != "_meta":
            assert section["source"].startswith("https://"), name
    # Bedrock's prices are the table the poetry function meters its calls with, not a copy.
    raw = json.loads(path.read_text())
    assert "models" not in raw["bedrock"] and raw["bedrock"]["table"] == "functions/poetry/bedrock_prices.json"
    from functions.poetry.model_catalog import price_table

    assert PRICES["bedrock"]["models"] == price_table()["models"]


def test_cost_model_budgets_without_actions_are_free():
    line = next(x for x in _example().lines if x.service == "Budgets")
    assert (line.quantity, line.cost) == (1, 0.0)


def test_cost_model_idle_environment_publishes_no_custom_metric():
    line = next(x for x in _example(requests=0).lines if x.item.startswith("custom metrics"))
    assert line.cost == 0 and not line.fixed


def test_cost_model_max_day_is_cap_plus_throttled_traffic():
    capped = replace(
        EXAMPLE_DEPLOYMENT,
        throttle_rate_rps=2.0,
        reserved_concurrency={"poetry": 1, "thumbnail": 1},
        daily_budget_usd=1.5,
        max_tokens=900,
        bedrock_models=("claude-haiku-4.5",),
    )
    lines = {x.item: x for x in max_day(deployment=capped, workload=EXAMPLE_WORKLOAD, prices=PRICES, fixed_per_month=0)}
    assert lines["daily spend cap (POETRY_DAILY_BUDGET_USD)"].cost == 1.5
    one_poem = (900 * 5.50 + 1000 * 1.10) / 1e6  # maxTokens out, the default 1,000 tokens in
    assert lines["overshoot: 1 poems in flight at the cap"].cost == pytest.approx(one_poem)
    # No methods given: one per operation, each with its own bucket at the stage rate.
    assert lines["generatePoetry at 2/s"].quantity == lines["getThumbnail at 2/s"].quantity == 172_800
    # Each function capped at 1 run all day: 0.5 GB + 0.25 GB for 86,400 s, far under 172,800 x 28 s.
    gb_s = {x.item.split(":")[0]: x.quantity for x in lines.values() if x.unit == "GB-s"}
    assert gb_s == {"poetry": pytest.approx(86_400 * 0.5), "thumbnail": pytest.approx(86_400 * 0.25)}
    with pytest.raises(ValueError, match="unbounded"):
        max_day(deployment=EXAMPLE_DEPLOYMENT, workload=EXAMPLE_WORKLOAD, prices=PRICES, fixed_per_month=0)


def _day(deployment: Deployment) -> dict[str, float]:
    """max_day's quantities by item, with the whole day's USD under "total"."""
    lines = max_day(deployment=deployment, workload=EXAMPLE_WORKLOAD, prices=PRICES, fixed_per_month=0)
    return {**{x.item: x.quantity for x in lines}, "total": sum(x.cost for x in lines)}


def test_cost_model_max_day_gives_every_method_its_own_bucket():
    # API Gateway applies the stage rate to each method separately: two methods at 3/s are 6/s
    # of traffic, not 3/s shared (the old single-bucket model priced 3 x 86,400 requests).
    both = replace(
        EXAMPLE_DEPLOYMENT,
        methods={
            "POST /api/poetry/generate": Method(3, operation="generatePoetry"),
            "GET /api/thumbnail": Method(3, operation="getThumbnail"),
        },
    )
    day = _day(both)
    assert day["POST /api/poetry/generate at 3/s"] == day["GET /api/thumbnail at 3/s"] == 3 * 86_400
    # X-Ray's default sampling: the first request each second, then 5 % of the other 5 a second.
    assert day["traces"] == pytest.approx(86_400 + 0.05 * 5 * 86_400)
    # Each method runs its own costliest path to the timeouts: poetry 0.5 GB x 28 s, thumbnail 0.25 GB x 10 s.
    assert day["poetry: 512 MB, every call to its 28 s timeout"] == pytest.approx(3 * 86_400 * 0.5 * 28)
    assert day["thumbnail: 256 MB, every call to its 10 s timeout"] == pytest.approx(3 * 86_400 * 0.25 * 10)
    assert day["requests"] == 6 * 86_400  # Lambda invocations


def test_cost_model_max_day_override_lowers_only_its_method():
    default = {"POST /p": Method(4, operation="generatePoetry"), "GET /t": Method(4, operation="getThumbnail")}
    base = replace(EXAMPLE_DEPLOYMENT, throttle_rate_rps=4, methods=default)
    slower = replace(base, methods={**default, "POST /p": Method(1, operation="generatePoetry")})
    before, after = _day(base), _day(slower)
    assert after["POST /p at 1/s"] == 86_400 and after["GET /t at 4/s"] == before["GET /t at 4/s"]
    poetry = "poetry: 512 MB, every call to its 28 s timeout"
    assert after[poetry] == pytest.approx(before[poetry] / 4)
    assert after["thumbnail: 256 MB, every call to its 10 s timeout"] == pytest.approx(
        before["thumbnail: 256 MB, every call to its 10 s timeout"]
    )
    assert after["total"] < before["total"]


def test_cost_model_max_day_prices_preflights_and_mocks():
    methods = {
        "OPTIONS /api/thumbnail": Method(2, function="thumbnail"),  # reaches its function
        "ANY /api/thumbnail": Method(2),  # API Gateway's own 405: no function
        "ANY /": Method(2),
    }
    day = _day(replace(EXAMPLE_DEPLOYMENT, methods=methods))
    assert day["OPTIONS /api/thumbnail at 2/s"] == 2 * 86_400
    assert day["2 mock methods (404/405) at 2/s each"] == 4 * 86_400
    assert day["thumbnail: 256 MB, every call to its 10 s timeout"] == pytest.approx(2 * 86_400 * 0.25 * 10)
    assert day["requests"] == 2 * 86_400  # only the preflight invokes Lambda
    assert not any(item.startswith("poetry:") for item in day)
    with pytest.raises(ValueError, match=r"unbounded"):
        _day(replace(EXAMPLE_DEPLOYMENT, methods={**methods, "ANY /": Method(0)}))


def test_cost_model_max_day_reserved_concurrency_caps_each_function_alone():
    # Only poetry reserves: its GB-s stop at 1 x 86,400 s; thumbnail, unreserved, runs every request.
    methods = {"POST /p": Method(2, operation="generatePoetry"), "GET /t": Method(2, operation="getThumbnail")}
    day = _day(replace(EXAMPLE_DEPLOYMENT, methods=methods, reserved_concurrency={"poetry": 1}))
    assert day["poetry: 512 MB, 1 reserved running all day"] == pytest.approx(86_400 * 0.5)
    assert day["thumbnail: 256 MB, every call to its 10 s timeout"] == pytest.approx(2 * 86_400 * 0.25 * 10)


def test_cost_model_sampled_traces_follow_the_default_rule():
    from cost.model import sampled_traces

    assert sampled_traces(1_000) == 1_000  # under one request a second: the reservoir takes all
    assert sampled_traces(86_400) == 86_400
    assert sampled_traces(21_600_000) == pytest.approx(86_400 + 0.05 * (21_600_000 - 86_400))
