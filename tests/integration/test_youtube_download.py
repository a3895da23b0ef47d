"""yt-dlp's real download and post-processing path against a local media server, with
YouTube extraction replaced by the dev extractor (same URL matching, local formats)."""

from __future__ import annotations

import base64
import io
import json

import pytest
import soundfile
import yt_dlp
from youtube_helpers import make_deps, seconds
from yt_dlp.utils import match_filter_func

from functions.common.errors import ApiError
from functions.local_api import devextractor
from functions.local_api.devmedia import DEMO_SECONDS, MediaServer
from functions.youtube import service

URL = "https://www.youtube.com/watch?v={}&t=5s"


@pytest.fixture(scope="module")
def media():
    with MediaServer() as server:  # generates the demo track with imageio-ffmpeg's ffmpeg
        yield server


@pytest.fixture
def work(tmp_path):
    root = tmp_path / "tmp"
    yield root
    assert list(root.iterdir()) == [], "the request left files behind"


def test_youtube_download_smallest_audio_transcoded_and_analysed(media, work):
    deps = make_deps(media.url, work)
    start = len(media.requests)
    body, hit = service.audio_with_analysis(URL.format("BaW_jenozKc"), deps=deps, deadline=seconds(28))
    assert hit is False and body["success"] is True
    assert body["videoInfo"]["id"] == "BaW_jenozKc" and body["videoInfo"]["duration"] == DEMO_SECONDS
    # yt-dlp chose the 48 kb/s Opus format (smallest audio-only), not 251 or 140.
    assert [p for p in media.requests[start:] if p.startswith("/media/")] == ["/media/249.webm"]
    analysis = body["analysis"]
    assert (analysis["channels"], analysis["samplerate"], analysis["format"]) == (1, 22050, "ogg")
    assert abs(analysis["duration"] - DEMO_SECONDS) < 0.1
    event = json.loads(deps.invoker.payloads[0])
    # The original's BS.1770 loudness rides beside the mono mixdown (transcode.py).
    assert isinstance(event["loudness"], float) and -70.0 < event["loudness"] < 0.0
    assert event["source"] == {
        "type": "youtube",
        "id": "BaW_jenozKc",
        "url": "https://www.youtube.com/watch?v=BaW_jenozKc",
    }
    assert deps.telemetry.events == ["CacheMiss"]


def test_youtube_download_second_call_is_a_cache_hit_without_download(media, work):
    deps = make_deps(media.url, work)
    first, _ = service.audio_with_analysis(URL.format("BaW_jenozKc"), deps=deps, deadline=seconds(28))
    served = len(media.requests)
    second, hit = service.audio_with_analysis("https://youtu.be/BaW_jenozKc", deps=deps, deadline=seconds(28))
    assert hit is True and second == first
    assert len(media.requests) == served  # neither the catalog nor the media was asked again
    assert len(deps.invoker.payloads) == 1
    assert deps.telemetry.events == ["CacheMiss", "CacheHit"]


def test_youtube_download_cache_outage_still_answers(media, work):
    deps = make_deps(media.url, work)

    class Broken:
        def get(self, *a):
            raise ConnectionError("DynamoDB is down")

        put = get

    from functions.youtube.cache import SafeCache

    deps.cache = SafeCache(Broken(), logger=deps.logger, on_error=deps.telemetry.cache_error)
    body, hit = service.audio_with_analysis(URL.format("BaW_jenozKc"), deps=deps, deadline=seconds(28))
    assert body["success"] is True and hit is False
    assert deps.telemetry.events == ["CacheError:get", "CacheMiss", "CacheError:put"]


@pytest.mark.parametrize(
    ("video_id", "status", "reason"),
    [
        ("bot-refusal", 503, "refused"),
        ("private-vid", 404, "private"),
        ("removed-vid", 404, "removed"),
        ("unavailable", 404, "unavailable"),
        ("age-limited", 403, "age_restricted"),
        ("members-vid", 403, "members_only"),
        ("geo-blocked", 403, "geo_restricted"),
        ("upcoming-ev", 413, "live"),
        ("live-stream", 413, "live"),
        ("toolong-vid", 413, "too_long"),
        ("toolarge-mb", 413, "too_large"),
        ("upstream503", 502, "upstream_error"),
        ("net-refused", 503, "network"),
    ],
)
def test_youtube_download_failure_classes(media, work, video_id, status, reason):
    deps = make_deps(media.url, work)
    with pytest.raises(ApiError) as info:
        service.audio_with_analysis(URL.format(video_id), deps=deps, deadline=seconds(28))
    assert (info.value.status, info.value.reason) == (status, reason)
    assert deps.telemetry.events[-1] == f"YouTubeFailure:{reason}"
    assert deps.invoker.payloads == []


def test_youtube_download_live_refused_before_any_download(media, work):
    deps = make_deps(media.url, work)
    start = len(media.requests)
    info = service.video_info(URL.format("live-stream"), deps=deps, deadline=seconds(28))
    assert info["videoInfo"]["isLive"] is True and info["videoInfo"]["duration"] is None
    with pytest.raises(ApiError):
        service.audio_with_analysis(URL.format("live-stream"), deps=deps, deadline=seconds(28))
    assert not [p for p in media.requests[start:] if p.startswith("/media/")]


@pytest.mark.parametrize("video_id", ["BaW_jenozKc", "nolength-mb"])
def test_youtube_download_too_large_by_bytes(media, work, video_id):
    # The demo's 249 file is about 120 kB. With Content-Length yt-dlp's max_filesize stops at the
    # header (and raises nothing); without it our progress hook counts the bytes.
    deps = make_deps(media.url, work, max_download_bytes=50_000)
    with pytest.raises(ApiError) as info:
        service.audio_with_analysis(URL.format(video_id), deps=deps, deadline=seconds(28))
    assert (info.value.status, info.value.reason) == (413, "too_large")


def test_youtube_download_slow_stream_answers_504_in_time(media, work):
    # A whole API Gateway budget, so the download starts: with less, the budget refuses before
    # asking for any media (test_youtube_download_refuses_without_the_time_for_a_request).
    deps = make_deps(media.url, work)
    deadline = seconds(28)
    start = len(media.requests)
    with pytest.raises(ApiError) as info:
        service.audio_with_analysis(URL.format("slow-stream"), deps=deps, deadline=deadline)
    assert info.value.status == 504
    assert "/slow" in media.requests[start:]  # the trickle was read, and cut off
    assert deadline.remaining() > 0  # answered before the hard stop, with the reserve intact


def test_youtube_download_refuses_without_the_time_for_a_request(media, work):
    deps = make_deps(media.url, work)
    start = len(media.requests)
    with pytest.raises(ApiError) as info:
        service.audio_with_analysis(URL.format("BaW_jenozKc"), deps=deps, deadline=seconds(14))
    assert info.value.status == 504 and "remain" in info.value.details
    assert not [p for p in media.requests[start:] if p.startswith("/media/") or p == "/slow"]


def test_youtube_download_unknown_duration_passes_and_is_capped(media, work):
    deps = make_deps(media.url, work, max_duration_s=5)
    body, _ = service.audio_with_analysis(URL.format("unknown-dur"), deps=deps, deadline=seconds(28))
    assert body["videoInfo"]["duration"] is None
    assert 4.9 <= body["analysis"]["duration"] <= 5.1  # ffmpeg -t MAX_DURATION_SECONDS


def test_youtube_download_strict_duration_filter_would_skip_silently(media, tmp_path):
    """Why the filter is `duration <? N`: with `<`, unknown durations are skipped, no error raised."""
    params = {
        "quiet": True,
        "paths": {"home": str(tmp_path)},
        "outtmpl": {"default": "x.%(ext)s"},
        "format": "ba",
        "cachedir": False,
        "match_filter": match_filter_func("duration < 601"),
    }
    with yt_dlp.YoutubeDL(params) as ydl:
        ydl.add_info_extractor(devextractor.LocalMediaIE(media.url))
        result = ydl.extract_info(URL.format("unknown-dur"), ie_key="Youtube")
    assert not any(d.get("filepath") for d in result.get("requested_downloads") or [])
    assert list(tmp_path.iterdir()) == []


def test_youtube_download_cookies_file_lives_in_the_request_dir(media, work, monkeypatch):
    deps = make_deps(media.url, work)
    seen = []

    class Secrets:
        def cookies(self):
            return "# Netscape HTTP Cookie File\n"

        def proxy(self):
            return None

        def redact(self, text):
            return text

    deps.secrets = Secrets()
    original = service.ytdl.YoutubeSession.extract

    def extract(self, ref, **kw):
        cookie = self.workdir / "cookies.txt"
        seen.append(
            (
                cookie.parent.parent == work,
                oct(cookie.stat().st_mode & 0o777),
                self.ydl.params["cookiefile"] == str(cookie),
            )
        )
        return original(self, ref, **kw)

    monkeypatch.setattr(service.ytdl.YoutubeSession, "extract", extract)
    service.video_info(URL.format("BaW_jenozKc"), deps=deps, deadline=seconds(28))
    assert seen == [(True, "0o600", True)]  # and the `work` fixture checks it is gone


def test_youtube_download_media_is_what_libsndfile_reads(media, work):
    deps = make_deps(media.url, work)
    service.audio_with_analysis(URL.format("BaW_jenozKc"), deps=deps, deadline=seconds(28))
    audio = base64.b64decode(json.loads(deps.invoker.payloads[0])["audio"])
    data, rate = soundfile.read(io.BytesIO(audio))
    assert rate == 22050 and data.ndim == 1 and abs(data).max() > 0.05


def test_youtube_download_version_mismatch_still_hits_the_cache(media, work):
    # ANALYZER_VERSION configured differently from what the analysis reports: reads and writes
    # must use the same key, or every request would download and analyse again.
    deps = make_deps(media.url, work, analyzer_version="9.9.9")
    service.audio_with_analysis(URL.format("BaW_jenozKc"), deps=deps, deadline=seconds(28))
    _, hit = service.audio_with_analysis(URL.format("BaW_jenozKc"), deps=deps, deadline=seconds(28))
    assert hit is True and len(deps.invoker.payloads) == 1
