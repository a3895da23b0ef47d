"""End to end, as `make serve` runs it: a YouTube URL through the local API, extraction
answered by the local media server (the documented dev switch), yt-dlp's download, ffmpeg,
and the real analysis handler invoked in-process with the Lambda event."""

from __future__ import annotations

import functools
import os
from urllib.parse import quote

import pytest
from youtube_schema import ANALYSIS_FIELDS, validator

from functions.common.mood import MOODS
from functions.local_api.devmedia import DEMO_SECONDS, MediaServer
from functions.youtube import handler, wiring


@pytest.fixture
def api(start_api, monkeypatch, tmp_path):
    work = tmp_path / "tmp"
    with MediaServer() as media:
        monkeypatch.setenv("YOUTUBE_DEV_MEDIA_URL", media.url)
        monkeypatch.setenv("YOUTUBE_WORK_DIR", str(work))
        monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        # A fresh container: settings from the environment, the real analysis handler in-process.
        monkeypatch.setattr(
            handler,
            "deps",
            functools.cache(lambda: wiring.build(os.environ, logger=handler.logger, metrics=handler.metrics)),
        )
        yield start_api(), media
    assert list(work.iterdir()) == [], "the request left files in the work directory"


def test_youtube_e2e_url_to_video_info_and_full_analysis(api):
    local_api, media = api
    url = quote("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", safe="")
    reply = local_api.request("GET", f"/api/youtube/audio-with-analysis?url={url}")
    assert reply.status == 200, reply.body
    assert reply.headers["X-Cache"] == "Miss"
    body = reply.json()
    validator("AudioWithAnalysisResponse")(body)
    assert body["videoInfo"]["id"] == "dQw4w9WgXcQ"
    analysis = body["analysis"]
    assert ANALYSIS_FIELDS <= set(analysis), sorted(ANALYSIS_FIELDS - set(analysis))
    validator("Analysis")(analysis)
    assert len(analysis["mfcc"]) == 13 and analysis["mood"] in MOODS
    # The demo track is a C major triad struck at 120 BPM.
    assert abs(analysis["duration"] - DEMO_SECONDS) < 0.5
    assert (analysis["key"], analysis["mode"]) == ("C", "major")
    assert 115 <= analysis["tempo"] <= 125 or 57 <= analysis["tempo"] <= 63

    served = len(media.requests)
    again = local_api.request("GET", f"/api/youtube/audio-with-analysis?url={url}")
    assert again.status == 200 and again.headers["X-Cache"] == "Hit"
    assert again.json() == body and len(media.requests) == served
