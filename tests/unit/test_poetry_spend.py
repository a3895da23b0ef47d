"""The daily spend cap and the per-client limit, with an injected clock, on both stores."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from functions.common.deadline import Deadline
from functions.common.errors import ServiceUnavailable, TooManyRequests
from functions.common.observability import logger_for
from functions.poetry import handler, service, spend
from functions.poetry.bedrock import BedrockProvider
from functions.poetry.model_catalog import ModelCatalog
from functions.poetry.poem import PoemRequest

DAY0 = 1_796_083_200  # 2026-12-01T00:00:00Z
HAIKU_US = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
REQUEST = PoemRequest(features={"tempo": 120}, persona="zen", language="en")
LOGGER = logger_for("test-spend")


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["embedded", "dynamodb"])
def counters(request):
    if request.param == "embedded":
        yield spend.EmbeddedCounters()
        return
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="cache",
            KeySchema=[{"AttributeName": "cache_key", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "cache_key", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield spend.DynamoCounters(client=client, table="cache")


def _guard(counters, clock, *, budget=1.0, per_minute=0, per_day=0):
    limits = spend.Limits(daily_budget_usd=budget, client_per_minute=per_minute, client_per_day=per_day)
    return spend.SpendGuard(counters=counters, limits=limits, logger=LOGGER, clock=clock)


def _converse_reply(tokens=(250, 300)):
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": "<poem>still water\nmoon"}]}},
        "stopReason": "stop_sequence",
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 5},
    }


def test_spend_cap_refuses_before_bedrock_and_reopens_next_day(counters, monkeypatch):
    monkeypatch.setenv("ALLOWED_MODELS", HAIKU_US)
    clock = Clock(DAY0 + 10 * 3600)  # 10:00 UTC
    guard = _guard(counters, clock, budget=0.004)
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    stub = Stubber(client)
    provider = BedrockProvider(
        logger=LOGGER, catalog=ModelCatalog.from_env(), client_factory=lambda d: client, meter=guard.record
    )
    one_poem = (250 * 1.10 + 300 * 5.50) / 1e6  # Haiku 4.5 list price: 0.001925 USD
    with stub:
        for _ in range(3):  # 0, 0.001925, 0.00385: still under 0.004 before each call
            stub.add_response("converse", _converse_reply())
            service.generate(REQUEST, provider=provider, deadline=Deadline(lambda: 20_000), guard=guard, client="ip")
        stub.assert_no_pending_responses()
        assert counters.spent(spend.utc_day(clock.now)) == pytest.approx(3 * one_poem)
        for _ in range(2):  # cap reached: refused without a call (the stub has no response left)
            with pytest.raises(TooManyRequests) as info:
                service.generate(
                    REQUEST, provider=provider, deadline=Deadline(lambda: 20_000), guard=guard, client="ip"
                )
            assert info.value.reason == "spend_cap"
            assert info.value.retry_after_s == 14 * 3600  # to 00:00 UTC
        clock.now = DAY0 + 86_400 + 5  # the next UTC day is open again
        stub.add_response("converse", _converse_reply())
        poem = service.generate(REQUEST, provider=provider, deadline=Deadline(lambda: 20_000), guard=guard, client="ip")
        stub.assert_no_pending_responses()
    assert poem.cost_usd == pytest.approx(one_poem)


def test_spend_cap_ignores_unbilled_providers(counters):
    clock = Clock(DAY0)
    guard = _guard(counters, clock, budget=0.0)  # nothing may be spent on Bedrock today
    with pytest.raises(TooManyRequests):
        guard.admit("ip", metered=True)
    guard.admit("ip", metered=False)  # the offline poet costs no tokens


def test_client_limit_per_minute_then_next_minute(counters):
    clock = Clock(DAY0 + 30)
    guard = _guard(counters, clock, per_minute=3, per_day=100)
    for _ in range(3):
        guard.admit("203.0.113.7", metered=False)
    with pytest.raises(TooManyRequests) as info:
        guard.admit("203.0.113.7", metered=False)
    assert (info.value.reason, info.value.retry_after_s) == ("client_minute_limit", 30)
    guard.admit("198.51.100.1", metered=False)  # another client is not affected
    clock.now += 30  # next minute
    guard.admit("203.0.113.7", metered=False)


def test_client_daily_ceiling(counters):
    clock = Clock(DAY0 + 3600)
    guard = _guard(counters, clock, per_minute=2, per_day=5)
    for i in range(5):
        clock.now = DAY0 + 3600 + 60 * i  # one minute each, so only the daily ceiling can refuse
        guard.admit("ip", metered=False)
    clock.now += 60
    with pytest.raises(TooManyRequests) as info:
        guard.admit("ip", metered=False)
    assert info.value.reason == "client_day_limit" and info.value.retry_after_s == 86_400 - 3600 - 300
    clock.now = DAY0 + 86_400
    guard.admit("ip", metered=False)


def test_client_refusals_are_not_counted(counters):
    clock = Clock(DAY0)
    guard = _guard(counters, clock, per_minute=1, per_day=3)
    guard.admit("ip", metered=False)
    for _ in range(10):  # refused within the minute: must not use up the daily ceiling
        with pytest.raises(TooManyRequests):
            guard.admit("ip", metered=False)
    for minute in (1, 2):
        clock.now = DAY0 + 60 * minute
        guard.admit("ip", metered=False)


class BrokenCounters:
    def spent(self, day):
        raise ConnectionError("table unreachable")

    def add_spend(self, day, usd, *, expires_at):
        raise ConnectionError("table unreachable")

    def take(self, *args, **kwargs):
        raise ConnectionError("table unreachable")


def test_counter_failure_fails_closed_and_bedrock_is_not_called():
    guard = _guard(BrokenCounters(), Clock(DAY0), per_minute=5, per_day=50)
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    provider = BedrockProvider(logger=LOGGER, client_factory=lambda d: client, meter=guard.record)
    with Stubber(client) as stub:  # no response queued: any call would fail the test differently
        with pytest.raises(ServiceUnavailable) as info:
            service.generate(REQUEST, provider=provider, deadline=Deadline(lambda: 20_000), guard=guard, client="ip")
        stub.assert_no_pending_responses()
    assert info.value.status == 503 and info.value.reason == "spend_counter"
    with pytest.raises(ServiceUnavailable):  # the client counter fails closed too
        guard.admit("ip", metered=False)


def test_counter_failure_on_dynamodb_is_503():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")  # no table: every call fails
        guard = _guard(spend.DynamoCounters(client=client, table="missing"), Clock(DAY0), per_minute=5)
        with pytest.raises(ServiceUnavailable):
            guard.admit("ip", metered=True)


def test_spend_record_failure_is_logged_not_raised(caplog):
    guard = _guard(BrokenCounters(), Clock(DAY0))
    guard.record(0.002)  # Bedrock already answered: the poem is returned, the miss is logged
    assert any(r.getMessage() == "spend not recorded" for r in caplog.records)


def test_limits_from_env_reject_bad_values(monkeypatch):
    monkeypatch.setenv("POETRY_DAILY_BUDGET_USD", "-1")
    with pytest.raises(ServiceUnavailable):
        spend.Limits.from_env(__import__("os").environ)


def test_counter_table_unreachable_through_the_handler_is_503(monkeypatch, rest_event, lambda_context):
    monkeypatch.setenv("POETRY_PROVIDER", "bedrock")
    monkeypatch.setenv("POETRY_COUNTER_TABLE", "no-such-table")
    spend._counters.cache_clear()
    try:
        with mock_aws():  # DynamoDB without the table: every counter call fails
            result = handler.lambda_handler(
                rest_event(body={"audioFeatures": {}, "persona": "zen", "language": "en"}), lambda_context
            )
    finally:
        spend._counters.cache_clear()
    assert result["statusCode"] == 503
    body = json.loads(result["body"])
    assert body == {
        "error": "Poems are paused",
        "details": "The spend counter is unavailable, so no poem can be metered",
    }
