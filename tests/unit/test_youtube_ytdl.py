"""yt-dlp options and metadata conversion (no network)."""

import logging

import pytest
from youtube_schema import validator as component_validator
from yt_dlp.networking import Request

from functions.common.deadline import Deadline
from functions.common.errors import GatewayTimeout
from functions.youtube import budget, ytdl

log = logging.getLogger("test-ytdl")


def _params(tmp_path, **kwargs):
    return ytdl.base_params(
        workdir=tmp_path, logger=log, redact=str, **{"proxy": None, "cookiefile": None, "deno": None, **kwargs}
    )


def test_youtube_ytdl_params_keep_everything_in_the_request_dir(tmp_path):
    params = _params(tmp_path, proxy="socks5://127.0.0.1:1080", cookiefile=tmp_path / "cookies.txt")
    assert params["noplaylist"] is True and params["cachedir"] is False
    assert params["paths"] == {"home": str(tmp_path), "temp": str(tmp_path)}
    assert params["proxy"] == "socks5://127.0.0.1:1080" and params["cookiefile"] == str(tmp_path / "cookies.txt")
    assert params["extractor_retries"] <= 1 and params["retries"] <= 1


def test_youtube_ytdl_packaged_deno_is_the_js_runtime(tmp_path):
    deno = tmp_path / "deno"
    deno.write_text("#!/bin/sh\necho 'deno 2.6.4 (stable, release, x86_64-unknown-linux-gnu)'\n")
    deno.chmod(0o755)
    with ytdl.BudgetedYoutubeDL(_params(tmp_path, deno=str(deno)), deadline=Deadline(lambda: 9_000)) as ydl:
        runtime = ydl._js_runtimes["deno"].info
    assert runtime.path == str(deno) and runtime.supported


def test_youtube_ytdl_without_deno_yt_dlp_keeps_its_default(tmp_path):
    assert "js_runtimes" not in _params(tmp_path)  # yt-dlp then looks on PATH and warns if absent


def test_youtube_ytdl_request_timeout_never_exceeds_the_time_left(tmp_path):
    sent = []

    class Recording(ytdl.BudgetedYoutubeDL):
        def _send(self, req):
            sent.append(req.extensions["timeout"])
            return None

    with Recording(_params(tmp_path), deadline=Deadline(lambda: 4_000, reserve_s=1.0)) as ydl:
        ydl.keep_s = 1.0
        ydl.urlopen(Request("https://www.youtube.com/watch?v=BaW_jenozKc"))
        assert sent[0] <= 2.0  # 4 s - 1 s reserve - 1 s kept for later steps
        ydl.keep_s = 3.0
        with pytest.raises(GatewayTimeout):
            ydl.urlopen("https://www.youtube.com/youtubei/v1/player")
    assert len(sent) == 1
    assert budget.SOCKET_TIMEOUT_S >= sent[0] > 0


def test_youtube_ytdl_video_info_from_a_youtube_info_dict():
    info = {
        "id": "BaW_jenozKc",
        "title": "youtube-dl test video",
        "channel": "Philipp Hagemeister",
        "uploader": "Phihag",
        "duration": 10,
        "upload_date": "20121002",
        "view_count": 1234,
        "is_live": False,
        "live_status": "not_live",
        "thumbnails": [
            {"url": "https://i.ytimg.com/vi/BaW_jenozKc/default.jpg"},
            {"url": "https://i.ytimg.com/vi_webp/BaW_jenozKc/maxresdefault.webp"},
            {"url": "https://example.com/not-ytimg.jpg"},
        ],
    }
    video = ytdl.video_info(info)
    assert video == {
        "id": "BaW_jenozKc",
        "title": "youtube-dl test video",
        "channel": "Philipp Hagemeister",
        "duration": 10.0,
        "thumbnail": "https://i.ytimg.com/vi_webp/BaW_jenozKc/maxresdefault.webp",
        "uploadDate": "2012-10-02",
        "viewCount": 1234,
        "isLive": False,
    }
    component_validator("VideoInfo")(video)


def test_youtube_ytdl_video_info_of_a_live_stream():
    video = ytdl.video_info({"id": "BaW_jenozKc", "title": "live", "uploader": "u", "live_status": "is_live"})
    assert video["isLive"] is True and video["duration"] is None and video["uploadDate"] is None
    assert video["channel"] == "u"
    assert video["thumbnail"] == "https://i.ytimg.com/vi/BaW_jenozKc/hqdefault.jpg"
    component_validator("VideoInfo")(video)
