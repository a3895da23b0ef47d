"""Contract fuzzing: schemathesis generates requests from the contract served at /openapi.json
by the running local API and checks every response against the contract.

`make fuzz` runs FUZZ_EXAMPLES=150 per operation and mode (valid and invalid data), over
1,000 cases across the routes; CI runs the default, a bounded 25 per operation and mode.
A 5xx passes only when it is one of 502/503/504, is documented for that operation, and
carries the error JSON: the fakes below answer some valid URLs with upstream failures.

The coverage run adds schemathesis's coverage phase per operation: boundary, missing and
malformed values, and every method the path does not declare (schemathesis's set plus HEAD,
CONNECT and an extension method), each answered with JSON and CORS, never a 5xx.

Offline by construction: the upstreams are the loopback fakes the other integration tests use
(the thumbnail fetcher pointed at a TlsUpstream, yt-dlp at the dev MediaServer through
YOUTUBE_DEV_MEDIA_URL, the real analysis in-process), and a guard refuses every name lookup
and connect off loopback in this process, where the local API runs, and fails the test.
The contract's `url` is a plain string (the API accepts more forms than a pattern should say),
so positive mode also draws it from URLs the fakes serve, and must reach each operation's 200."""

from __future__ import annotations

import functools
import json
import os
from collections import Counter
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from thumbnail_upstream import ConnectRecorder, Reply, TlsUpstream

from functions.common import contract
from functions.local_api.devmedia import MediaServer
from functions.thumbnail import fetch as thumbnail_fetch
from functions.thumbnail import handler as thumbnail_handler
from functions.thumbnail.urlpolicy import DEFAULT_ALLOWED_HOSTS
from functions.youtube import handler as youtube_handler
from functions.youtube import wiring

pytestmark = pytest.mark.fuzz
EXTRA_METHODS = frozenset({"head", "connect", "propfind"})
API_GATEWAY_METHODS = {"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
UPSTREAM_STATUSES = {502, 503, 504}

# Valid `url`s for positive mode. Thumbnails: every allowlisted host (and forms the policy
# normalises) over paths the TlsUpstream serves, plus one it does not (404).
THUMB_IDS, THUMB_SERVED = ("dQw4w9WgXcQ", "BaW_jenozKc"), ("default", "mqdefault", "hqdefault")
THUMB_URLS = st.builds(
    "https://{}/vi/{}/{}.jpg".format,
    st.sampled_from([*DEFAULT_ALLOWED_HOSTS, "I.YTIMG.COM", "i.ytimg.com.", "i.ytimg.com:443"]),
    st.sampled_from(THUMB_IDS),
    st.sampled_from([*THUMB_SERVED, "maxresdefault"]),
)
YOUTUBE_FORMS = (
    "https://www.youtube.com/watch?v={}",
    "https://youtube.com/watch?v={}&t=42s&si=share",
    "https://m.youtube.com/watch?v={}&feature=share",
    "https://music.youtube.com/watch?v={}&list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf",
    "http://www.youtube.com/watch?v={}",
    "https://youtu.be/{}?si=share",
    "https://www.youtube.com/shorts/{}",
    "https://www.youtube.com/embed/{}",
    "https://www.youtube.com/live/{}",
    "https://www.youtube-nocookie.com/embed/{}",
)
# The MediaServer serves the demo track for any id; these show its fast failure classes
# (403, 404, 413, 502, 503 and a live stream; not slow-stream, which takes the whole 29 s).
REFUSED_IDS = ("private-vid", "unavailable", "age-limited", "bot-refusal", "toolong-vid", "live-stream", "upstream503")
# Info is one catalog read: any id. Audio downloads and analyses once per id (then the cache
# answers), so two ids bound that work whatever FUZZ_EXAMPLES is.
INFO_IDS = st.one_of(st.from_regex(r"\A[A-Za-z0-9_-]{11}\Z"), st.sampled_from(REFUSED_IDS))
AUDIO_IDS = st.one_of(st.sampled_from(THUMB_IDS), st.sampled_from(REFUSED_IDS))
VALID_URLS = {
    "getThumbnail": THUMB_URLS,
    "getYoutubeInfo": st.builds(str.format, st.sampled_from(YOUTUBE_FORMS), INFO_IDS),
    "getYoutubeAudioWithAnalysis": st.builds(str.format, st.sampled_from(YOUTUBE_FORMS), AUDIO_IDS),
}


@pytest.fixture(scope="module")
def media():
    with MediaServer() as server:
        yield server


@pytest.fixture
def thumbnails():
    server = TlsUpstream()
    for video_id in THUMB_IDS:
        for name in THUMB_SERVED:
            server.routes[f"/vi/{video_id}/{name}.jpg"] = Reply()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def offline(start_api, media, thumbnails, monkeypatch, tmp_path):
    """Every upstream on loopback, and a guard that fails the test on any lookup or connect
    off loopback (the local API runs in this process). After start_api, which sets the env."""
    guard = ConnectRecorder(monkeypatch, loopback_only=True)
    dns = {host: ["127.0.0.1"] for host in DEFAULT_ALLOWED_HOSTS}
    monkeypatch.setattr(thumbnail_handler, "fetcher", thumbnails.fetcher(dns=dns))
    work = tmp_path / "work"
    monkeypatch.setenv("YOUTUBE_DEV_MEDIA_URL", media.url)
    monkeypatch.setenv("YOUTUBE_WORK_DIR", str(work))
    # A fresh container per test: settings from the environment, the real analysis in-process.
    monkeypatch.setattr(
        youtube_handler,
        "deps",
        functools.cache(
            lambda: wiring.build(os.environ, logger=youtube_handler.logger, metrics=youtube_handler.metrics)
        ),
    )
    yield guard
    assert guard.refused == [], f"the test tried to leave loopback: {guard.refused[:10]}"
    assert not work.exists() or list(work.iterdir()) == [], "a request left files in the work directory"


@pytest.fixture(scope="module")
def fuzz_counts():
    """Statuses of the generated cases per (operation, mode), checked once every selected case
    has run: hypothesis stops early once it has tried every value of a small input space
    (enums), so expect at least a fifth of the configured examples per operation and mode on
    average, and `make fuzz`'s FUZZ_MIN_CASES when the whole set ran."""
    statuses: dict[tuple[str, str], Counter] = {}
    yield statuses
    counts = {key: sum(seen.values()) for key, seen in statuses.items()}
    total = sum(counts.values())
    print(f"\nfuzz: {total} generated cases over {len(counts)} operation and mode pairs")
    for (operation_id, mode), seen in sorted(statuses.items()):
        print(f"  {operation_id} {mode}: {dict(sorted(seen.items()))}")
    if counts:
        floor = len(counts) * max(1, EXAMPLES // 5)
        if len(counts) == 2 * len(contract.operations()):
            floor = max(floor, int(os.environ.get("FUZZ_MIN_CASES", "0")))
        assert total >= floor, f"only {total} generated cases ran (floor {floor})"


def _operations(schema):
    for result in schema.get_all_operations():
        yield result.ok()


def _with_url(drawn):
    case, url = drawn
    case.query = {**(case.query or {}), "url": url}
    return case


def _cases(operation, operation_id: str, mode: GenerationMode):
    """schemathesis's cases; in positive mode about half of them with a valid `url` instead."""
    generated = operation.as_strategy(generation_mode=mode)
    if mode is not GenerationMode.POSITIVE or operation_id not in VALID_URLS:
        return generated
    return st.one_of(generated, st.tuples(generated, VALID_URLS[operation_id]).map(_with_url))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation_id", [op.operation_id for op in contract.operations()])
def test_contract_fuzz_answers_as_documented(start_api, fuzz_counts, operation_id, mode):
    api = start_api()
    # Loaded from the running API, as a client would; the run's port replaces the contract's 3001.
    schema = schemathesis.openapi.from_url(f"{api.base}/openapi.json")
    operation = next(op for op in _operations(schema) if op.definition.raw.get("operationId") == operation_id)
    documented = {int(code) for code in operation.definition.raw["responses"] if code.isdigit()}

    statuses = fuzz_counts.setdefault((operation_id, mode.name), Counter())

    @given(case=_cases(operation, operation_id, mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
    )
    def run(case):
        response = case.call(base_url=api.base, timeout=30)
        status = response.status_code
        statuses[status] += 1
        case.validate_response(
            response, checks=[status_code_conformance, content_type_conformance, response_schema_conformance]
        )
        if mode is GenerationMode.NEGATIVE:
            assert status >= 400 or status == 200, f"invalid input answered {status}"
        if status >= 500:
            assert status in UPSTREAM_STATUSES and status in documented, f"undocumented {status}: {response.text[:300]}"
            assert "error" in json.loads(response.text)
        if status >= 400:
            assert "Traceback" not in response.text

    run()
    assert sum(statuses.values()) >= 1, "no case was generated"
    if mode is GenerationMode.POSITIVE:  # valid data must also be served, checked against the 200 response
        assert statuses[200] >= 1, f"positive mode never reached 200: {dict(statuses)}"


def test_contract_fuzz_guard_refuses_lookups_off_loopback(start_api, offline, monkeypatch):
    """What keeps the fuzz offline: with the production thumbnail fetcher and yt-dlp extractor,
    their lookups (made by the local API's threads) are refused and listed by the guard."""
    monkeypatch.setattr(thumbnail_handler, "fetcher", thumbnail_fetch.Fetcher())
    monkeypatch.delenv("YOUTUBE_DEV_MEDIA_URL")
    api = start_api()
    thumb = api.request("GET", "/api/thumbnail?url=" + quote("https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"))
    info = api.request("GET", "/api/youtube/info?url=" + quote("https://www.youtube.com/watch?v=dQw4w9WgXcQ"))
    assert (thumb.status, info.status) == (502, 503), (thumb.body[:300], info.body[:300])
    assert {("lookup", "i.ytimg.com"), ("lookup", "www.youtube.com")} <= set(offline.refused), offline.refused
    offline.refused.clear()  # refused as expected; the fixture fails the test on anything left


@pytest.mark.parametrize("operation_id", [op.operation_id for op in contract.operations()])
def test_contract_fuzz_coverage_with_every_method(start_api, operation_id):
    api = start_api()
    schema = schemathesis.openapi.from_url(f"{api.base}/openapi.json")
    coverage = schema.config.phases.coverage
    coverage.unexpected_methods = set(coverage.unexpected_methods) | EXTRA_METHODS  # a new set: never the default
    operation = next(op for op in _operations(schema) if op.definition.raw.get("operationId") == operation_id)
    documented = {int(code) for code in operation.definition.raw["responses"] if code.isdigit()}
    config = schema.config.generation_for(operation=operation, phase="coverage")
    methods = set()
    cases = schema.iter_coverage_cases(
        operation, generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], generation_config=config
    )
    for case in cases:
        response = case.call(base_url=api.base, timeout=30)
        method, status, label = case.method.upper(), response.status_code, f"{case.method} {case.formatted_path}"
        methods.add(method)
        if status >= 500:
            assert status in UPSTREAM_STATUSES and status in documented, f"{label}: {status} {response.text[:300]}"
        if status >= 400 and method != "HEAD":
            assert "error" in json.loads(response.text) and "Traceback" not in response.text, label
        if method not in (operation.method.upper(), "OPTIONS"):
            # The path's ANY mock answers API Gateway's other methods; the rest match no method (404).
            assert status == (405 if method in API_GATEWAY_METHODS else 404), f"{label}: {status}"
            assert response.headers.get("access-control-allow-origin") == ["*"], label  # the gateway's CORS
    expected = {m.upper() for m in coverage.unexpected_methods} | {operation.method.upper()}
    assert methods >= expected, f"never sent: {sorted(expected - methods)}"
