"""The local API's execution environments behave like Lambda's: side by side up to the
function's concurrency, one invocation each, warm reuse, throttling beyond the limit, and a
timed-out environment discarded without holding up the next call."""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from functions.local_api import settings
from functions.local_api.server import Gateway

POEM = {"audioFeatures": {"tempo": 120}, "persona": "hamlet", "language": "en"}
SLOW_S = 1.0


def _post_many(api, n: int, body=POEM):
    def one(_):
        began = time.monotonic()
        reply = api.request("POST", "/api/poetry/generate", body=body)
        return reply, time.monotonic() - began

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_local_api_environments_slow_calls_to_one_function_run_side_by_side(start_api, caplog):
    caplog.set_level(logging.INFO, logger="local_api")
    threads = []
    # Each call waits until all three are inside the function: serialised calls never meet, so the
    # barrier breaks and the calls fail. No wall-clock bound, so a loaded machine cannot flake it.
    together = threading.Barrier(3, timeout=10)

    def slow(event, context):
        threads.append(threading.current_thread().name)
        together.wait()
        return {"statusCode": 200, "body": "{}"}

    gateway = Gateway(handler_overrides={"poetry": slow})
    api = start_api(gateway)
    results = _post_many(api, 3)
    assert [reply.status for reply, _ in results] == [200, 200, 200]
    assert len(set(threads)) == 3 and gateway.pool("poetry").started == 3
    reports = [r.getMessage() for r in caplog.records if r.getMessage().startswith("REPORT ")]
    assert len(reports) == 3 and all("Init Duration" in r for r in reports)  # three cold starts


def test_local_api_environments_warm_start_reuses_the_idle_environment(start_api, caplog):
    caplog.set_level(logging.INFO, logger="local_api")
    threads = []
    gateway = Gateway(handler_overrides={"poetry": lambda e, c: threads.append(threading.get_ident()) or {}})
    api = start_api(gateway)
    for _ in range(3):
        assert api.request("POST", "/api/poetry/generate", body=POEM).status == 200
    assert len(set(threads)) == 1 and gateway.pool("poetry").started == 1
    reports = [r.getMessage() for r in caplog.records if r.getMessage().startswith("REPORT ")]
    assert ["Init Duration" in r for r in reports] == [True, False, False]  # cold, warm, warm
    assert all("Function: poetry" in r and "Memory Size: 512 MB" in r for r in reports)


def test_local_api_environments_beyond_concurrency_is_throttled(start_api):
    release, entered = threading.Event(), threading.Semaphore(0)

    def blocked(event, context):
        entered.release()
        release.wait(10)
        return {"statusCode": 200, "body": "{}"}

    api = start_api(Gateway(handler_overrides={"poetry": blocked}, concurrency={"poetry": 2}))
    with ThreadPoolExecutor(2) as pool:
        busy = [pool.submit(api.request, "POST", "/api/poetry/generate", body=POEM) for _ in range(2)]
        assert entered.acquire(timeout=10) and entered.acquire(timeout=10)  # both environments taken
        # Both environments stay blocked until `release`: a call that waited for one would not return.
        third = api.request("POST", "/api/poetry/generate", body=POEM)
        release.set()
        assert [f.result().status for f in busy] == [200, 200]
    # Lambda rejects the invoke (TooManyRequestsException); API Gateway answers 500 with DEFAULT_5XX.
    assert third.status == 500 and third.json()["error"] == "Internal server error"
    assert third.headers["Access-Control-Allow-Origin"] == "*"
    assert api.request("POST", "/api/poetry/generate", body=POEM).status == 200  # capacity is back


def test_local_api_environments_timed_out_call_does_not_delay_the_next(start_api, caplog):
    caplog.set_level(logging.INFO, logger="local_api")
    late, finish = threading.Event(), threading.Event()

    def handler(event, context):
        if json.loads(event["body"]).get("slow"):
            finish.wait(10)  # held until the next call has been answered
            late.set()
            return {"statusCode": 200, "body": '{"late": true}'}
        return {"statusCode": 200, "body": '{"fresh": true}'}

    gateway = Gateway(handler_overrides={"poetry": handler}, timeouts={"poetry": 0.5})
    api = start_api(gateway)
    timed_out = api.request("POST", "/api/poetry/generate", body={"slow": True})
    # The function's own timeout ends the invocation: Lambda reports a function error, API Gateway a 502.
    assert timed_out.status == 502 and timed_out.json()["error"] == "Internal server error"
    # The overrun invocation is still running: a next call that waited for it would time out too.
    nxt = api.request("POST", "/api/poetry/generate", body={"slow": False})
    assert nxt.status == 200 and nxt.json() == {"fresh": True}
    assert gateway.pool("poetry").started == 2  # the overrun environment was discarded, not reused
    finish.set()
    assert late.wait(5)
    time.sleep(0.1)
    messages = [r.getMessage() for r in caplog.records]
    assert any("Task timed out after 0.50 seconds" in m for m in messages)
    assert any(m.startswith("REPORT ") and "Status: timeout" in m for m in messages)
    assert any("after the gateway stopped waiting; its result is ignored" in m for m in messages)
    again = api.request("POST", "/api/poetry/generate", body={"slow": False})
    assert again.json() == {"fresh": True}  # the late result never reaches anyone


def test_local_api_environments_integration_timeout_is_504_and_the_invocation_runs_on(start_api):
    finish = threading.Event()

    def slow(event, context):
        finish.wait(10)
        return {"statusCode": 200, "body": "{}"}

    # A function allowed longer than the integration: API Gateway gives up first (INTEGRATION_TIMEOUT).
    gateway = Gateway(
        handler_overrides={"poetry": slow}, timeouts={"poetry": 5}, concurrency={"poetry": 1}, integration_timeout_s=0.5
    )
    api = start_api(gateway)
    reply = api.request("POST", "/api/poetry/generate", body=POEM)
    assert reply.status == 504 and reply.json()["error"] == "Endpoint request timed out"
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    # Lambda knows nothing of the 504: its only environment is still busy, so this one is throttled...
    assert api.request("POST", "/api/poetry/generate", body=POEM).status == 500
    finish.set()
    # ...until the invocation ends and the environment serves again, warm.
    gateway.integration_timeout_s = 5
    statuses = []
    for _ in range(50):
        statuses.append(api.request("POST", "/api/poetry/generate", body=POEM).status)
        if statuses[-1] == 200:
            break
        time.sleep(0.1)
    assert statuses[-1] == 200, statuses
    assert gateway.pool("poetry").started == 1


def test_local_api_environments_concurrency_from_the_environment_or_the_local_default(tmp_path, monkeypatch):
    (tmp_path / "qa.tfvars").write_text(
        'environment = "qa"\ndefault_reserved_concurrency = 3\nreserved_concurrency = { analysis = 4 }\n'
    )
    monkeypatch.setattr(settings, "TFVARS_DIR", tmp_path)
    settings._tfvars.cache_clear()
    try:
        assert settings.concurrency("poetry") == settings.LOCAL_CONCURRENCY
        assert settings.concurrency("poetry", "qa") == 3  # the environment's default
        assert settings.concurrency("analysis", "qa") == 4  # its per-function value
        assert Gateway(environment="qa").pool("youtube").concurrency == 3
        with pytest.raises(ValueError, match="no environment 'prod'.*'qa'"):
            settings.concurrency("poetry", "prod")
        with pytest.raises(KeyError):
            settings.concurrency("nonexistent")
    finally:
        settings._tfvars.cache_clear()
