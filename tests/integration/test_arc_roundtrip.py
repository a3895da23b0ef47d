"""The frontend's round trip, as `make serve` runs it: a YouTube URL analysed through the local
API (extraction answered by the dev media server, whose demo track is shaped A B A), then the
whole `analysis` posted back as `audioFeatures`: one stanza per section, the return echoed."""

from __future__ import annotations

import functools
import os
from urllib.parse import quote

import pytest
from youtube_schema import validator

from functions.local_api.devmedia import MediaServer
from functions.youtube import handler, wiring


@pytest.fixture
def api(start_api, monkeypatch, tmp_path):
    with MediaServer() as media:
        monkeypatch.setenv("YOUTUBE_DEV_MEDIA_URL", media.url)
        monkeypatch.setenv("YOUTUBE_WORK_DIR", str(tmp_path))
        monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        monkeypatch.setenv("POETRY_PROVIDER", "offline")
        monkeypatch.setattr(
            handler,
            "deps",
            functools.cache(lambda: wiring.build(os.environ, logger=handler.logger, metrics=handler.metrics)),
        )
        yield start_api()


def _bare(line: str) -> str:
    return line.rstrip(",.!— ")


@pytest.mark.parametrize("persona,language", [("troubadour", "en"), ("zen", "ko")])
def test_arc_roundtrip_youtube_analysis_to_a_poem_that_follows_the_sections(api, persona, language):
    url = quote("https://youtu.be/dQw4w9WgXcQ", safe="")
    reply = api.request("GET", f"/api/youtube/audio-with-analysis?url={url}")
    assert reply.status == 200, reply.body
    analysis = reply.json()["analysis"]
    validator("Analysis")(analysis)
    sections = analysis["sections"]
    assert [s["label"] for s in sections] == ["A", "B", "A"]
    assert [s["start"] for s in sections] == pytest.approx([0, 15, 30], abs=3)
    assert sections[1]["energy"] > sections[0]["energy"] + 0.2 and len(analysis["energyCurve"]) == 32

    request = {"audioFeatures": analysis, "persona": persona, "language": language}
    validator("PoetryRequest")(request)
    poem = api.request("POST", "/api/poetry/generate", body=request)
    assert poem.status == 200, poem.body
    stanzas = [s.splitlines() for s in poem.json()["poetry"].split("\n\n")]
    assert len(stanzas) == len(sections)
    assert [_bare(x) for x in stanzas[2][:2]] == [_bare(x) for x in stanzas[0][:2]], "the return of A is not echoed"
    assert _bare(stanzas[1][0]) not in {_bare(x) for x in stanzas[0]}
