"""The two YouTube operations as plain functions: no events, every dependency passed in."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from functions.common.deadline import Deadline
from functions.common.errors import ApiError, PayloadTooLarge
from functions.youtube import budget, failures, invoker, transcode, ytdl
from functions.youtube.cache import Cache
from functions.youtube.config import Settings
from functions.youtube.urls import VideoRef, parse_video_url

WORKDIR_PREFIX = "yt-req-"
# A request dir older than the function timeout belongs to an invocation Lambda killed.
STALE_WORKDIR_S = 60.0


class Secrets(Protocol):
    """Cookies and proxy for yt-dlp (secret_store.SecretStore), and redaction of both."""

    def cookies(self) -> str | None: ...
    def proxy(self) -> str | None: ...
    def redact(self, text: str) -> str: ...


class Counters(Protocol):
    """The function's metrics (telemetry.Telemetry)."""

    def cache(self, hit: bool) -> None: ...
    def failure(self, reason: str) -> None: ...


@dataclass
class Deps:
    settings: Settings
    cache: Cache  # cache.SafeCache: never raises
    invoker: invoker.AnalysisInvoker  # invoker.LambdaInvoker, or local_api.invoker.LocalInvoker locally
    secrets: Secrets
    telemetry: Counters
    logger: Any  # Powertools Logger or a logging.Logger
    ffmpeg: Callable[[], str]
    extractor_factory: Callable[[], Any] | None = None  # a yt-dlp InfoExtractor (local_api.devextractor)


@contextmanager
def request_dir(root: Path) -> Iterator[Path]:
    """A fresh directory under `root` for one request, removed whatever happens."""
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob(f"{WORKDIR_PREFIX}*"):
        try:
            if time.time() - old.stat().st_mtime > STALE_WORKDIR_S:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    path = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX, dir=root))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def _counted(deps: Deps) -> Iterator[None]:
    try:
        yield
    except ApiError as exc:
        if exc.status != 400:  # a malformed URL is the caller's, not YouTube's
            deps.telemetry.failure(exc.reason)
        raise


def _session(deps: Deps, work: Path, deadline: Deadline):
    return ytdl.session(
        workdir=work,
        deadline=deadline,
        logger=deps.logger,
        secrets=deps.secrets,
        deno=deps.settings.deno_path,
        max_download_bytes=deps.settings.max_download_bytes,
        extractor_factory=deps.extractor_factory,
    )


def video_info(raw_url: str | None, *, deps: Deps, deadline: Deadline) -> dict:
    """`{success, videoInfo}` for one video, from metadata only."""
    with _counted(deps):
        ref = parse_video_url(raw_url)
        with request_dir(deps.settings.work_root) as work:
            budget.window(deadline, "extraction", budget.EXTRACT_S)
            with _session(deps, work, deadline) as yt:
                info = yt.extract(ref)
        return {"success": True, "videoInfo": ytdl.video_info(info)}


def check_analysable(info: dict, *, max_duration_s: int) -> None:
    if ytdl.is_live(info):
        raise failures.live()
    duration = info.get("duration")
    if isinstance(duration, (int, float)) and duration > max_duration_s:
        raise PayloadTooLarge(
            "The video is too long to analyse",
            f"It lasts {duration:.0f} s; the limit is {max_duration_s} s",
            reason="too_long",
        )


def audio_with_analysis(raw_url: str | None, *, deps: Deps, deadline: Deadline) -> tuple[dict, bool]:
    """`({success, videoInfo, analysis}, cache_hit)`."""
    with _counted(deps):
        ref = parse_video_url(raw_url)
        version = deps.settings.analyzer_version
        cached = deps.cache.get(ref.video_id, version)
        deps.telemetry.cache(hit=cached is not None)
        if cached is not None:
            return {"success": True, "videoInfo": cached["videoInfo"], "analysis": cached["analysis"]}, True
        video, payload = _fetch_audio(ref, deps=deps, deadline=deadline)
        budget.window(deadline, "analysis", budget.ANALYSIS_S)
        analysis = invoker.interpret(deps.invoker.invoke(payload, deadline=deadline))
        produced = str(analysis.get("analyzerVersion") or version)
        if produced != version:
            deps.logger.warning(
                "analysis version differs from ANALYZER_VERSION", extra={"configured": version, "produced": produced}
            )
        # Keyed by the configured version, the one reads use, or a mismatch would never hit again.
        deps.cache.put(ref.video_id, version, {"videoInfo": video, "analysis": analysis})
        return {"success": True, "videoInfo": video, "analysis": analysis}, False


def _fetch_audio(ref: VideoRef, *, deps: Deps, deadline: Deadline) -> tuple[dict, bytes]:
    """Extract, check, download and transcode; returns (videoInfo, analysis event bytes)."""
    settings = deps.settings
    worst_transcode = budget.transcode_budget(None, settings.max_duration_s)
    with request_dir(settings.work_root) as work:
        budget.window(deadline, "extraction", budget.EXTRACT_S)
        with _session(deps, work, deadline) as yt:
            info = yt.extract(ref, keep_s=budget.DOWNLOAD_S + worst_transcode + budget.ANALYSIS_S)
            video = ytdl.video_info(info)
            check_analysable(info, max_duration_s=settings.max_duration_s)
            transcode_s = budget.transcode_budget(info.get("duration"), settings.max_duration_s)
            budget.window(deadline, "download", budget.DOWNLOAD_S, transcode_s + budget.ANALYSIS_S)
            audio = yt.download_audio(
                info,
                max_seconds=settings.max_duration_s,
                ffmpeg=deps.ffmpeg(),
                keep_s=transcode_s + budget.ANALYSIS_S,
                transcode_s=lambda: budget.window(deadline, "transcoding", transcode_s, budget.ANALYSIS_S),
            )
        source = {"type": "youtube", "id": ref.video_id, "url": ref.url}
        request_id = _correlation_id(deps.logger)
        if request_id:  # the API request id, so both functions' logs correlate
            source["requestId"] = request_id
        payload = invoker.build_event(
            audio.read_bytes(), fmt="ogg", source=source, loudness=transcode.source_loudness(audio)
        )
    return video, payload


def _correlation_id(logger) -> str | None:
    # Powertools' Logger knows the API Gateway request id; a plain logger (tests, tools) does not.
    getter = getattr(logger, "get_correlation_id", None)
    return getter() if getter else None
