"""Each yt-dlp failure class -> its documented status, using yt-dlp's real YoutubeIE fed with
YouTube's refusal responses (no socket), and the dev extractor held to the same mapping."""

import io
import json
import logging
from pathlib import Path

import pytest
from youtube_canned import REFUSALS, CannedYoutubeDL
from yt_dlp.networking import Request, Response
from yt_dlp.networking.exceptions import HTTPError, ProxyError, TransportError
from yt_dlp.utils import DownloadError, ExtractorError, UnsupportedError

from functions.common.deadline import Deadline
from functions.common.errors import ApiError, GatewayTimeout
from functions.local_api import devextractor
from functions.youtube import failures, ytdl
from functions.youtube.urls import VideoRef

EXPECTED = {  # refusal -> (status, reason)
    "bot": (503, "refused"),
    "private": (404, "private"),
    "removed": (404, "removed"),
    "terminated": (404, "removed"),
    "unavailable": (404, "unavailable"),
    "age": (403, "age_restricted"),
    "geo": (403, "geo_restricted"),
    "members": (403, "members_only"),
    "upcoming": (413, "live"),
}
log = logging.getLogger("test-youtube")
DEV_MEDIA = "http://127.0.0.1:9"  # never connected: DevMediaYoutubeDL answers


def _session(ydl_class, tmp_path: Path, remaining_ms=25_000):
    params = ytdl.base_params(workdir=tmp_path, logger=log, redact=str, proxy=None, cookiefile=None, deno=None)
    ydl = ydl_class(params, deadline=Deadline(lambda: remaining_ms))
    return ytdl.YoutubeSession(ydl, tmp_path, max_download_bytes=1 << 20)


@pytest.mark.parametrize("refusal", sorted(EXPECTED))
def test_youtube_failures_real_extractor_refusals(refusal, tmp_path):
    canned = type("Canned", (CannedYoutubeDL,), {"player": REFUSALS[refusal]})
    with pytest.raises(ApiError) as info:
        _session(canned, tmp_path).extract(VideoRef("BaW_jenozKc"))
    assert (info.value.status, info.value.reason) == EXPECTED[refusal]
    assert "Traceback" not in (info.value.details or "")


def test_youtube_failures_bot_refusal_says_youtube_refused_this_server(tmp_path):
    canned = type("Canned", (CannedYoutubeDL,), {"player": REFUSALS["bot"]})
    with pytest.raises(ApiError) as info:
        _session(canned, tmp_path).extract(VideoRef("BaW_jenozKc"))
    assert info.value.message == "YouTube refused this server"
    assert "cookies" not in info.value.details  # yt-dlp's CLI hints are not for API callers


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (403, (503, "refused")),
        (429, (503, "refused")),
        (404, (404, "unavailable")),
        (500, (502, "upstream_error")),
        (503, (502, "upstream_error")),
    ],
)
def test_youtube_failures_real_extractor_http_errors(status, expected, tmp_path):
    canned = type("Canned", (CannedYoutubeDL,), {"http_status": status})
    with pytest.raises(ApiError) as info:
        _session(canned, tmp_path).extract(VideoRef("BaW_jenozKc"))
    assert (info.value.status, info.value.reason) == expected


def test_youtube_failures_extraction_stops_at_the_deadline(tmp_path):
    canned = type("Canned", (CannedYoutubeDL,), {"player": REFUSALS["bot"]})
    session = _session(canned, tmp_path, remaining_ms=200)  # less than one request's minimum
    with pytest.raises(GatewayTimeout):
        session.extract(VideoRef("BaW_jenozKc"))
    assert getattr(session.ydl, "requested", []) == []  # not one request was sent


def _response(status):
    return Response(io.BytesIO(b""), "https://www.youtube.com/x", {}, status)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ExtractorError("Unable to download webpage", cause=TransportError("timed out")), (503, "network")),
        (ExtractorError("Unable to download webpage", cause=ProxyError("refused")), (503, "proxy")),
        (UnsupportedError("https://example.com/"), (400, "unsupported_url")),
        (ExtractorError("Requested format is not available", expected=True), (502, "no_audio")),
        (ExtractorError("Something new YouTube did", expected=True), (502, "extraction_failed")),
        (
            DownloadError("ERROR: [download] Got error: Connection reset by peer. Giving up after 1 retries"),
            (503, "network"),
        ),
        (DownloadError("ERROR: unable to download video data: HTTP Error 403: Forbidden"), (503, "refused")),
        (
            DownloadError(
                "ERROR: unable to download video data", exc_info=(HTTPError, HTTPError(_response(500)), None)
            ),
            (502, "upstream_error"),
        ),
        (OSError("disk full"), (502, "extraction_failed")),
    ],
)
def test_youtube_failures_by_type(exc, expected):
    mapped = failures.from_ytdlp(exc)
    assert (mapped.status, mapped.reason) == expected


def test_youtube_failures_network_text_is_not_read_as_youtube_reason():
    # "Service Unavailable" from an HTTP error is a network fact, not YouTube's "Video unavailable".
    wrapped = ExtractorError(
        "Unable to download API page: HTTP Error 503: Service Unavailable", cause=HTTPError(_response(503))
    )
    assert failures.from_ytdlp(wrapped).status == 502


def test_youtube_failures_our_own_errors_pass_through():
    ours = GatewayTimeout("late", "too late", reason="deadline")
    wrapper = DownloadError("ERROR: late", exc_info=(GatewayTimeout, ours, None))
    assert failures.from_ytdlp(wrapper) is ours


class DevMediaYoutubeDL(CannedYoutubeDL):
    """The local media server's catalog as a dict: `/videos/<id>.json` is `{"refusal": ...}`."""

    catalog: dict = {}

    def _send(self, req):
        url = req.url if isinstance(req, Request) else str(req)
        self.requested = getattr(self, "requested", []) + [url]
        video_id = url.rsplit("/", 1)[-1].removesuffix(".json")
        if url.startswith(DEV_MEDIA + "/videos/") and video_id in self.catalog:
            body = json.dumps(self.catalog[video_id]).encode()
            return Response(io.BytesIO(body), url, {"Content-Type": "application/json"}, 200)
        raise HTTPError(Response(io.BytesIO(b""), url, {}, 404))


@pytest.mark.parametrize("refusal", sorted(devextractor.REFUSALS) + ["geo"])
def test_youtube_failures_dev_extractor_matches_real_extractor(refusal, tmp_path):
    """The dev switch's refusals, raised by LocalMediaIE._real_extract, map as YoutubeIE's do."""
    dev_ydl = type("DevMedia", (DevMediaYoutubeDL,), {"catalog": {"BaW_jenozKc": {"refusal": refusal}}})
    dev_session = _session(dev_ydl, tmp_path)
    dev_session.ydl.add_info_extractor(devextractor.LocalMediaIE(DEV_MEDIA))
    with pytest.raises(ApiError) as dev:
        dev_session.extract(VideoRef("BaW_jenozKc"))
    assert dev_session.ydl.requested == [f"{DEV_MEDIA}/videos/BaW_jenozKc.json"]  # the dev extractor answered
    canned = type("Canned", (CannedYoutubeDL,), {"player": REFUSALS[refusal]})
    with pytest.raises(ApiError) as real:
        _session(canned, tmp_path).extract(VideoRef("BaW_jenozKc"))
    assert (dev.value.status, dev.value.reason) == (real.value.status, real.value.reason) == EXPECTED[refusal]
    assert dev.value.message == real.value.message


def test_youtube_failures_dev_extractor_missing_video_is_unavailable(tmp_path):
    dev_session = _session(DevMediaYoutubeDL, tmp_path)  # empty catalog: the media server answers 404
    dev_session.ydl.add_info_extractor(devextractor.LocalMediaIE(DEV_MEDIA))
    with pytest.raises(ApiError) as dev:
        dev_session.extract(VideoRef("BaW_jenozKc"))
    assert (dev.value.status, dev.value.reason) == EXPECTED["unavailable"]
