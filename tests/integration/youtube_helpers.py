"""Shared pieces of the youtube integration tests: deps around the local media server and
a fake analysis with the analysis function's event and result shapes."""

from __future__ import annotations

import base64
import logging
import time

import soundfile
from youtube_schema import NoSecrets, sample_analysis

from functions.common.deadline import Deadline
from functions.local_api import devextractor
from functions.youtube import transcode
from functions.youtube.cache import EmbeddedCache, SafeCache
from functions.youtube.config import Settings
from functions.youtube.service import Deps

log = logging.getLogger("test-youtube")


class RecordingTelemetry:
    def __init__(self):
        self.events = []

    def cache(self, hit):
        self.events.append("CacheHit" if hit else "CacheMiss")

    def cache_error(self, op):
        self.events.append(f"CacheError:{op}")

    def failure(self, reason):
        self.events.append(f"YouTubeFailure:{reason}")


def fake_analysis(event, context=None) -> dict:
    """The analysis function's contract, with a soundfile decode to prove the audio is readable."""
    import io

    data = base64.b64decode(event["audio"])
    info = soundfile.info(io.BytesIO(data))
    # Contract-valid, plus what the tests check about the audio that arrived.
    analysis = sample_analysis(
        duration=round(info.duration, 3), channels=info.channels, samplerate=info.samplerate, format=event["format"]
    )
    return {"analysis": analysis, "source": event["source"]}


class FakeInvoker:
    def __init__(self):
        self.payloads = []

    def invoke(self, payload: bytes, *, deadline: Deadline) -> dict:
        import json

        self.payloads.append(payload)
        return fake_analysis(json.loads(payload))


def make_deps(media_url: str, work_root, **settings) -> Deps:
    return Deps(
        settings=Settings(work_root=work_root, **{"analyzer_version": "1.0.0", **settings}),
        cache=SafeCache(EmbeddedCache(ttl_days=1), logger=log),
        invoker=FakeInvoker(),
        secrets=NoSecrets(),
        telemetry=RecordingTelemetry(),
        logger=log,
        ffmpeg=transcode.find_ffmpeg,
        extractor_factory=devextractor.factory(media_url),
    )


def seconds(total_s: float) -> Deadline:
    """A deadline of `total_s` from now, like a Lambda context's remaining time."""
    end = time.monotonic() + total_s
    return Deadline(lambda: max(0, int((end - time.monotonic()) * 1000)), reserve_s=2.0)
