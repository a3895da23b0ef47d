"""Downloaded audio -> compact mono Ogg Opus that libsndfile (soundfile) decodes.

Constant 32 kb/s makes the size a function of duration alone, so the invoke payload at the
longest allowed duration has a fixed bound (4 kB/s plus Ogg framing; base64 adds a third).
Complexity 0 and 60 ms frames cut the encoder's CPU time: 600 s of YouTube-like Opus take about
3 s of CPU (decode included) here, against about 8 s with the defaults."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from functions.common.errors import BadGateway, GatewayTimeout, ServiceUnavailable

BITRATE_BPS = 32_000
SAMPLE_RATE_HZ = 48_000  # Opus's native rate; YouTube's Opus streams decode to it without resampling
FORMAT = "ogg"


def find_ffmpeg(configured: str | None = None) -> str:
    """FFMPEG_PATH, then PATH (the youtube-tools layer's /opt/bin), then imageio-ffmpeg's binary."""
    for candidate in (configured, shutil.which("ffmpeg"), "/opt/bin/ffmpeg"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    try:
        import imageio_ffmpeg  # local development; the layer ships the same static build

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise ServiceUnavailable(
            "Audio transcoding is not available", "ffmpeg was not found", reason="no_ffmpeg"
        ) from None


def opus_command(ffmpeg: str, source: Path, target: Path, *, max_seconds: float) -> list[str]:
    return [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(source),
        "-map",
        "0:a:0",
        "-vn",
        "-sn",
        "-dn",
        "-map_metadata",
        "-1",
        "-t",
        f"{max_seconds:.3f}",  # caps what reaches the invoke even when the duration was unknown
        "-ac",
        "1",
        "-ar",
        str(SAMPLE_RATE_HZ),
        "-c:a",
        "libopus",
        "-b:a",
        str(BITRATE_BPS),
        "-vbr",
        "off",
        "-compression_level",
        "0",
        "-frame_duration",
        "60",
        "-application",
        "audio",
        "-f",
        FORMAT,
        str(target),
    ]


def to_mono_opus(source: Path, target: Path, *, ffmpeg: str, max_seconds: float, timeout_s: float) -> Path:
    """Transcode `source` into `target` (mono Ogg Opus, 32 kb/s CBR, at most `max_seconds` s).

    Parameters
    ----------
    source, target : paths; `target` is overwritten
    ffmpeg : path of the ffmpeg executable
    max_seconds : seconds of audio kept from the start
    timeout_s : seconds before ffmpeg is killed and the request answers 504
    """
    if max_seconds <= 0 or timeout_s <= 0:
        raise ValueError("max_seconds and timeout_s must be positive")
    try:
        done = subprocess.run(
            opus_command(ffmpeg, source, target, max_seconds=max_seconds),
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GatewayTimeout(
            "The request could not finish in time", f"transcoding took longer than {timeout_s:.1f} s", reason="deadline"
        ) from None
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise BadGateway(
            "The downloaded audio could not be decoded",
            "ffmpeg rejected the stream YouTube sent",
            reason="transcode_failed",
        )
    return target
