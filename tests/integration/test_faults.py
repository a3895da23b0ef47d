"""Fault injection through the local API: each upstream fault is answered with its documented
status and the error JSON, never a stack trace, and nothing is left in the temp directory.

yt-dlp's failure classes (bot refusal, private, removed, geo, live, too long, too large,
upstream 5xx, refused connection, slow stream) run the same way in test_youtube_api.py and
test_youtube_download.py; this file covers the rest: Bedrock, Ollama, the analysis function,
DynamoDB, Secrets Manager and a slow upstream that exhausts the deadline."""

from __future__ import annotations

import functools
import os
import socket
import tempfile
from urllib.parse import quote

import pytest
from fake_upstreams import BEDROCK_ERROR_CASES, FakeUpstream, bedrock_error, converse_ok
from youtube_helpers import fake_analysis

from functions.common import contract
from functions.local_api.devmedia import MediaServer
from functions.local_api.server import Gateway
from functions.poetry import bedrock
from functions.youtube import handler as youtube_handler
from functions.youtube import invoker, wiring

POEM = {"audioFeatures": {"tempo": 120}, "persona": "hamlet", "language": "en"}
VIDEO = "https://www.youtube.com/watch?v=BaW_jenozKc"
DOCUMENTED = {op.operation_id: {int(code) for code in op.spec["responses"]} for op in contract.operations()}


@pytest.fixture(autouse=True)
def watched_tmp(monkeypatch, tmp_path):
    """Every temporary file of the request (ours, yt-dlp's, ffmpeg's) lands here; must end empty."""
    watched = tmp_path / "tmp"
    watched.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(watched))
    monkeypatch.setenv("YOUTUBE_WORK_DIR", str(watched))
    yield watched
    assert sorted(p.name for p in watched.iterdir()) == [], "a request left files behind"


def _error_json(reply, operation_id: str, status: int) -> dict:
    assert reply.status == status, reply.body[:300]
    assert status in DOCUMENTED[operation_id]
    body = reply.json()
    assert set(body) <= {"error", "details"} and body["error"]
    assert "Traceback" not in reply.body.decode() and 'File "' not in reply.body.decode()
    return body


@pytest.fixture
def fake_bedrock(monkeypatch):
    fake = FakeUpstream()
    monkeypatch.setenv("POETRY_PROVIDER", "bedrock")
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
    monkeypatch.setattr(bedrock, "MAX_ATTEMPTS", 1)
    bedrock._client.cache_clear()
    yield fake
    fake.close()
    bedrock._client.cache_clear()


@pytest.mark.parametrize(
    "code,http_status,expected",
    BEDROCK_ERROR_CASES,
)
def test_faults_bedrock_error_classes(start_api, fake_bedrock, code, http_status, expected):
    api = start_api()
    err = bedrock_error(code, http_status)
    fake_bedrock.reply(err["status"], err["body"], err["headers"])
    body = _error_json(api.request("POST", "/api/poetry/generate", body=POEM), "generatePoetry", expected)
    assert code in body["details"]


def test_faults_slow_bedrock_answers_our_504_before_the_gateway(start_api, fake_bedrock):
    fake_bedrock.reply(body=converse_ok(), delay=8)
    api = start_api(Gateway(timeouts={"poetry": 4}))  # the function's timeout; the gateway waits as long
    body = _error_json(api.request("POST", "/api/poetry/generate", body=POEM), "generatePoetry", 504)
    assert body["error"] != "Endpoint request timed out"  # ours, not the gateway's


def test_faults_ollama_down(start_api, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("POETRY_PROVIDER", "ollama")
    monkeypatch.setenv("OLLAMA_URL", f"http://127.0.0.1:{port}")
    body = _error_json(start_api().request("POST", "/api/poetry/generate", body=POEM), "generatePoetry", 503)
    assert body["error"] == f"Ollama is not running at http://127.0.0.1:{port}"


# --- the youtube function's dependencies --------------------------------------------------


@pytest.fixture(scope="module")
def media():
    with MediaServer() as server:
        yield server


def analysis_crash(event, context):
    raise RuntimeError("numba exploded at /var/task/functions/analysis/features.py")


def analysis_error(event, context):
    return {"error": "Could not decode the audio", "status": 400}


def analysis_unavailable(event, context):
    return {"error": "warming up", "status": 503}


def analysis_timeout(event, context):
    return {"error": "The analysis ran out of time", "status": 504}


@pytest.fixture
def youtube_api(start_api, media, monkeypatch):
    def start(analysis=fake_analysis):
        monkeypatch.setenv("YOUTUBE_DEV_MEDIA_URL", media.url)
        path = f"{analysis.__module__}.{analysis.__name__}"
        monkeypatch.setattr(
            youtube_handler,
            "deps",
            functools.cache(
                lambda: wiring.build(
                    os.environ, logger=youtube_handler.logger, metrics=youtube_handler.metrics, local_handler=path
                )
            ),
        )
        return start_api()

    return start


def _analyse(api):
    return api.request("GET", f"/api/youtube/audio-with-analysis?url={quote(VIDEO, safe='')}")


@pytest.mark.parametrize(
    "analysis,status",
    [
        (analysis_crash, 502),
        (analysis_error, 502),
        (analysis_unavailable, 503),
        (analysis_timeout, 504),
    ],
)
def test_faults_analysis_function_failures(youtube_api, analysis, status):
    body = _error_json(_analyse(youtube_api(analysis)), "getYoutubeAudioWithAnalysis", status)
    assert "numba" not in str(body)


def test_faults_analysis_oversized_payload_is_413(youtube_api, monkeypatch):
    monkeypatch.setattr(invoker, "INVOKE_PAYLOAD_LIMIT", 10_000)
    _error_json(_analyse(youtube_api()), "getYoutubeAudioWithAnalysis", 413)


def test_faults_dynamodb_unavailable_still_answers(youtube_api, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("CACHE_TABLE_NAME", "music-poetry-dev-cache")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{port}")
    reply = _analyse(youtube_api())
    assert reply.status == 200, reply.body[:300]
    assert reply.json()["success"] is True and reply.headers["X-Cache"] == "Miss"


def test_faults_secrets_manager_access_denied_degrades_to_no_cookies(youtube_api, monkeypatch):
    fake = FakeUpstream()
    try:
        err = bedrock_error("AccessDeniedException", 400)  # same wire format for every JSON AWS API
        fake.reply(err["status"], err["body"], err["headers"])
        monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", fake.url)
        monkeypatch.setenv(
            "YOUTUBE_COOKIES_SECRET",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:music-poetry/dev/youtube-cookies",
        )
        reply = _analyse(youtube_api())
    finally:
        fake.close()
    # Cookies are optional: a denied secret is logged and the request goes on without them.
    assert reply.status == 200, reply.body[:300]
    assert fake.requests, "the secret was never asked for"
