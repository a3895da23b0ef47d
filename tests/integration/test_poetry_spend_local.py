"""Spend safety through the local API, as `make serve` runs it: Bedrock behind a fake server on
loopback, the daily cap and the per-client limit from the environment."""

import time

from fake_upstreams import FakeUpstream, converse_ok

from functions.poetry import bedrock, spend

POEM = {"audioFeatures": {"tempo": 96}, "persona": "zen", "language": "en"}


def _fake_bedrock(monkeypatch):
    fake = FakeUpstream().reply(body=converse_ok(tokens=(120, 80)))  # 0.000572 USD a poem on Haiku 4.5
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("POETRY_PROVIDER", "bedrock")
    bedrock._client.cache_clear()
    return fake


def test_poetry_spend_daily_cap_through_local_api(start_api, monkeypatch):
    api = start_api()
    fake = _fake_bedrock(monkeypatch)
    monkeypatch.setenv("POETRY_DAILY_BUDGET_USD", "0.001")
    try:
        replies = [api.request("POST", "/api/poetry/generate", body=POEM) for _ in range(5)]
    finally:
        fake.close()
        bedrock._client.cache_clear()
    # 0 and 0.000572 are under the cap; 0.001144 is not: two poems, then refusals.
    assert [r.status for r in replies] == [200, 200, 429, 429, 429]
    assert len(fake.requests) == 2  # Bedrock saw nothing after the cap
    for refused in replies[2:]:
        assert 1 <= int(refused.headers["Retry-After"]) <= 86_400
        assert set(refused.json()) == {"error", "details"} and "daily" in refused.json()["details"]


def test_poetry_spend_client_limit_through_local_api(start_api, monkeypatch):
    api = start_api()
    monkeypatch.setenv("POETRY_CLIENT_LIMIT_PER_MINUTE", "3")
    # Every request in one UTC minute, the current one, even when the test straddles its end.
    now = time.time()
    pinned = now - now % 60 + 30
    original = spend.guard_from_env
    monkeypatch.setattr(
        spend, "guard_from_env", lambda env, *, logger: original(env, logger=logger, clock=lambda: pinned)
    )
    replies = [api.request("POST", "/api/poetry/generate", body=POEM) for _ in range(4)]
    assert [r.status for r in replies] == [200, 200, 200, 429]
    assert 1 <= int(replies[3].headers["Retry-After"]) <= 60
    assert replies[3].json()["error"] == "Too many poems this minute"
