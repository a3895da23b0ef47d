"""yt-dlp for one request: options, deadline-bounded networking, download and transcode.

`extract_info(download=False)` gives the video's metadata; `process_ie_result(download=True)`
then downloads the chosen audio-only format and runs our transcode as a yt-dlp post-processor,
so the download and post-processing path is yt-dlp's own."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import yt_dlp
from yt_dlp.networking import Request
from yt_dlp.networking.exceptions import HTTPError
from yt_dlp.postprocessor.common import PostProcessor
from yt_dlp.utils import YoutubeDLError, match_filter_func

from functions.common.deadline import Deadline
from functions.common.errors import GatewayTimeout, PayloadTooLarge
from functions.youtube import budget, failures, transcode
from functions.youtube.urls import VideoRef

# The smallest audio-only format that still carries music (YouTube's lowest tiers are ~30 kb/s;
# `>=?` keeps formats whose bitrate is unknown); a video format only if there is no audio-only one.
# "Best" under a sort that prefers smaller size and bitrate; `wa` alone would pick by codec rank.
AUDIO_FORMAT = "ba[abr>=?40]/ba/b"
FORMAT_SORT = ["+size", "+br", "+res"]
SOURCE_NAME = "source.%(ext)s"
AUDIO_NAME = "audio.ogg"


class BudgetedYoutubeDL(yt_dlp.YoutubeDL):
    """A YoutubeDL whose every HTTP request first asks the deadline and gets at most the time left."""

    def __init__(self, params: dict, *, deadline: Deadline):
        super().__init__(params)
        self.deadline = deadline
        self.keep_s = 0.0  # seconds later steps need; a request may not eat into them
        # HTTP statuses seen; YoutubeIE often turns a 429 into a warning and a generic failure.
        self.http_statuses: list[int] = []

    def urlopen(self, req):
        if isinstance(req, str):
            req = Request(req)
        if isinstance(req, Request):
            left = self.deadline.require(self.keep_s + budget.MIN_REQUEST_S, "a YouTube request")
            req.extensions["timeout"] = min(budget.SOCKET_TIMEOUT_S, left - self.keep_s)
        try:
            return self._send(req)
        except HTTPError as exc:
            self.http_statuses.append(exc.status)
            raise

    def _send(self, req):
        return super().urlopen(req)


class _YtdlpLog:
    """yt-dlp's logger interface: warnings and errors to our log with secrets redacted (an error
    also comes back as an exception, which the API reports classified), debug output dropped."""

    def __init__(self, logger, redact: Callable[[str], str]):
        self._logger, self._redact = logger, redact

    def debug(self, msg):
        pass

    info = debug

    def warning(self, msg):
        self._logger.warning("yt-dlp warning", extra={"ytdlp": self._redact(str(msg))[:500]})

    def error(self, msg):
        self._logger.info("yt-dlp error", extra={"ytdlp": self._redact(str(msg))[:500]})


class OpusPP(PostProcessor):
    """Post-processor: the downloaded file -> `audio.ogg`; yt-dlp deletes the source after."""

    def __init__(self, *, ffmpeg: str, max_seconds: float, timeout_s: Callable[[], float]):
        super().__init__()
        self._ffmpeg, self._max_seconds, self._timeout_s = ffmpeg, max_seconds, timeout_s

    def run(self, info):
        source = Path(info["filepath"])
        target = transcode.to_analysis_audio(
            source,
            source.with_name(AUDIO_NAME),
            ffmpeg=self._ffmpeg,
            max_seconds=self._max_seconds,
            timeout_s=self._timeout_s(),
        )
        info.update(filepath=str(target), ext="ogg")
        return [str(source)], info


def base_params(*, workdir: Path, logger, redact, proxy: str | None, cookiefile: Path | None, deno: str | None) -> dict:
    params = {
        "quiet": True,
        "no_warnings": False,
        "noprogress": True,
        "no_color": True,
        "logger": _YtdlpLog(logger, redact),
        "noplaylist": True,  # `watch?v=..&list=..` means the video, not the playlist
        "cachedir": False,  # nothing outlives the request under /tmp
        "paths": {"home": str(workdir), "temp": str(workdir)},
        "outtmpl": {"default": SOURCE_NAME},
        "overwrites": True,
        "check_formats": False,
        "socket_timeout": budget.SOCKET_TIMEOUT_S,
        "retries": 1,
        "fragment_retries": 1,
        "extractor_retries": 1,
        "file_access_retries": 0,
        "format": AUDIO_FORMAT,
        "format_sort": FORMAT_SORT,
    }
    if proxy:
        params["proxy"] = proxy
    if cookiefile:
        params["cookiefile"] = str(cookiefile)
    if deno:
        params["js_runtimes"] = {"deno": {"path": deno}}
    return params


class YoutubeSession:
    """yt-dlp calls for one request, every failure mapped to a typed API error."""

    def __init__(self, ydl: BudgetedYoutubeDL, workdir: Path, *, max_download_bytes: int):
        self.ydl, self.workdir, self.max_download_bytes = ydl, workdir, max_download_bytes

    def extract(self, ref: VideoRef, *, keep_s: float = 0.0) -> dict:
        """Metadata of `ref` (yt-dlp's processed info dict), nothing downloaded."""
        self.ydl.keep_s = keep_s
        try:
            info = self.ydl.extract_info(ref.url, download=False, ie_key="Youtube")
        except (YoutubeDLError, OSError) as exc:
            raise failures.from_ytdlp(exc, http_statuses=self.ydl.http_statuses) from exc
        if not info:
            raise failures.not_found("unavailable")
        return info

    def download_audio(
        self, info: dict, *, max_seconds: int, ffmpeg: str, transcode_s: Callable[[], float], keep_s: float
    ) -> Path:
        """Download the chosen format and transcode it; the path of `audio.ogg` in the workdir."""
        ydl = self.ydl
        ydl.keep_s = keep_s
        ydl.params["max_filesize"] = self.max_download_bytes
        # Direct media reports duration None: `<?` lets it through and ffmpeg's -t caps it.
        ydl.params["match_filter"] = match_filter_func(f"!is_live & duration <? {max_seconds + 1}")
        ydl.add_progress_hook(self._progress)
        ydl.add_post_processor(
            OpusPP(ffmpeg=ffmpeg, max_seconds=max_seconds, timeout_s=transcode_s), when="post_process"
        )
        try:
            result = ydl.process_ie_result(info, download=True)
        except (YoutubeDLError, OSError) as exc:
            raise failures.from_ytdlp(exc, http_statuses=ydl.http_statuses) from exc
        # A max_filesize overrun or a rejected match_filter raises nothing: look for the file.
        paths = [d.get("filepath") for d in (result or {}).get("requested_downloads") or []]
        audio = next((Path(p) for p in paths if p and Path(p).name == AUDIO_NAME and Path(p).exists()), None)
        if audio is None:
            raise PayloadTooLarge(
                "The audio is too large to analyse",
                f"The download limit is {self.max_download_bytes // (1024 * 1024)} MB and {max_seconds} s",
                reason="too_large",
            )
        return audio

    def _progress(self, status: dict) -> None:
        if status.get("status") != "downloading":
            return
        if (status.get("downloaded_bytes") or 0) > self.max_download_bytes:  # no Content-Length to check
            raise PayloadTooLarge(
                "The audio is too large to analyse",
                f"The download limit is {self.max_download_bytes // (1024 * 1024)} MB",
                reason="too_large",
            )
        if self.ydl.deadline.remaining() < self.ydl.keep_s:
            raise GatewayTimeout(
                "The request could not finish in time",
                "the download did not finish within its time budget",
                reason="deadline",
            )


@contextmanager
def session(
    *,
    workdir: Path,
    deadline: Deadline,
    logger,
    secrets,
    deno: str | None,
    max_download_bytes: int,
    extractor_factory: Callable | None = None,
):
    """A YoutubeDL for one request, with cookies and proxy from `secrets` and the dev extractor if set."""
    cookies = secrets.cookies()
    cookiefile = None
    if cookies:
        cookiefile = workdir / "cookies.txt"  # inside the request dir, so removed with it
        cookiefile.touch(mode=0o600)
        cookiefile.write_text(cookies, encoding="utf-8")
    params = base_params(
        workdir=workdir, logger=logger, redact=secrets.redact, proxy=secrets.proxy(), cookiefile=cookiefile, deno=deno
    )
    with BudgetedYoutubeDL(params, deadline=deadline) as ydl:
        if extractor_factory is not None:
            ydl.add_info_extractor(extractor_factory())
        yield YoutubeSession(ydl, workdir, max_download_bytes=max_download_bytes)


def thumbnail(info: dict) -> str:
    """The best ytimg thumbnail: yt-dlp sorts `thumbnails` worst to best."""
    for thumb in reversed(info.get("thumbnails") or []):
        url = thumb.get("url") or ""
        if url.startswith(("https://i.ytimg.com/", "https://i9.ytimg.com/")):
            return url
    return f"https://i.ytimg.com/vi/{info['id']}/hqdefault.jpg"


def is_live(info: dict) -> bool:
    return bool(info.get("is_live")) or info.get("live_status") in ("is_live", "is_upcoming")


def video_info(info: dict) -> dict:
    """The contract's VideoInfo from a yt-dlp info dict."""
    upload = info.get("upload_date") or ""
    duration = info.get("duration")
    views = info.get("view_count")
    return {
        "id": info["id"],
        "title": info.get("title") or info.get("fulltitle") or "",
        "channel": info.get("channel") or info.get("uploader") or "",
        "duration": float(duration) if isinstance(duration, (int, float)) else None,
        "thumbnail": thumbnail(info),
        "uploadDate": f"{upload[:4]}-{upload[4:6]}-{upload[6:8]}" if len(upload) == 8 and upload.isdigit() else None,
        "viewCount": int(views) if isinstance(views, (int, float)) else None,
        "isLive": is_live(info),
    }
