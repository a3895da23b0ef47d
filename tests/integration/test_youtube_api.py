"""The youtube routes through the local API (as `make serve` runs them), with the documented
dev switch pointing extraction at a local media server and an in-process analysis stand-in."""

from __future__ import annotations

import functools
import os
from urllib.parse import quote

import pytest
from youtube_schema import validator

from functions.common import contract
from functions.local_api.devmedia import MediaServer
from functions.youtube import handler, wiring

URL = "https://www.youtube.com/watch?v={}&si=share"


@pytest.fixture(scope="module")
def media():
    with MediaServer() as server:
        yield server


@pytest.fixture
def api(start_api, media, monkeypatch, tmp_path):
    work = tmp_path / "tmp"
    monkeypatch.setenv("YOUTUBE_DEV_MEDIA_URL", media.url)
    monkeypatch.setenv("YOUTUBE_WORK_DIR", str(work))
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    # One warm container per test, with the analysis stand-in from youtube_helpers.
    monkeypatch.setattr(
        handler,
        "deps",
        functools.cache(
            lambda: wiring.build(
                os.environ,
                logger=handler.logger,
                metrics=handler.metrics,
                local_handler="youtube_helpers.fake_analysis",
            )
        ),
    )
    yield start_api()
    assert not work.exists() or list(work.iterdir()) == [], "a request left files in the work directory"


def _get(api, route, video_id):
    return api.request(
        "GET",
        f"/api/youtube/{route}?url={quote(URL.format(video_id), safe='')}",
        headers={"Origin": "http://localhost:5173"},
    )


def test_youtube_api_info_returns_contract_video_info_with_cors(api):
    reply = _get(api, "info", "BaW_jenozKc")
    assert reply.status == 200, reply.body
    body = reply.json()
    validator("YoutubeInfoResponse")(body)
    assert body["videoInfo"]["id"] == "BaW_jenozKc" and body["videoInfo"]["isLive"] is False
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_youtube_api_audio_with_analysis_then_cache_hit(api, media):
    first = _get(api, "audio-with-analysis", "BaW_jenozKc")
    assert first.status == 200, first.body
    assert first.headers["X-Cache"] == "Miss"
    validator("AudioWithAnalysisResponse")(first.json())
    served = len(media.requests)
    second = _get(api, "audio-with-analysis", "BaW_jenozKc")
    assert second.status == 200 and second.headers["X-Cache"] == "Hit"
    assert second.json() == first.json()
    assert len(media.requests) == served  # the hit skipped extraction and download


DOCUMENTED = {op.operation_id: {int(code) for code in op.spec["responses"]} for op in contract.operations()}


@pytest.mark.parametrize(
    ("video_id", "status"),
    [
        ("bot-refusal", 503),
        ("private-vid", 404),
        ("removed-vid", 404),
        ("unavailable", 404),
        ("age-limited", 403),
        ("geo-blocked", 403),
        ("members-vid", 403),
        ("upcoming-ev", 413),
        ("live-stream", 413),
        ("toolong-vid", 413),
        ("toolarge-mb", 413),
        ("upstream503", 502),
        ("net-refused", 503),
    ],
)
def test_youtube_api_failure_classes(api, video_id, status):
    reply = _get(api, "audio-with-analysis", video_id)
    assert reply.status == status, reply.body
    assert status in DOCUMENTED["getYoutubeAudioWithAnalysis"]
    body = reply.json()
    validator("Error")(body)
    assert "Traceback" not in reply.body.decode()
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_youtube_api_bot_refusal_message(api):
    reply = _get(api, "info", "bot-refusal")
    assert reply.status == 503
    assert reply.json()["error"] == "YouTube refused this server"


def test_youtube_api_bad_url_is_400(api):
    reply = api.request("GET", "/api/youtube/info?url=BaW_jenozKc")
    assert reply.status == 400 and "bare video id" in reply.json()["details"]
    assert api.request("GET", "/api/youtube/audio-with-analysis").status == 400


def test_youtube_api_dev_switch_is_off_by_default(start_api, monkeypatch):
    monkeypatch.delenv("YOUTUBE_DEV_MEDIA_URL", raising=False)
    start_api()  # applies settings.json env and local_env as `make serve` does
    built = wiring.build(
        os.environ, logger=handler.logger, metrics=handler.metrics, local_handler="youtube_helpers.fake_analysis"
    )
    assert built.extractor_factory is None
    assert built.settings.dev_media_url is None
