"""Downloaded audio -> compact mono Ogg Vorbis for the analysis, plus the loudness of the original.

One ffmpeg pass does both. `ebur128` measures BS.1770 integrated loudness on the original
channels at the original rate (a mono mixdown reads 3-6 LU low on stereo music, because BS.1770
sums the channels' powers); the other branch is the one explicit mixdown: any layout to stereo
(ffmpeg's standard downmix), then (L + R) / 2, resampled to the analysis rate (22,050 Hz, so the
analysis does not resample) and encoded as Vorbis quality 0. `make bench` measured the choice
(docs/analysis.md): Vorbis decodes about 5x faster than Opus 32 kb/s in libsndfile, with the
same tempo and key results. The loudness goes to a sidecar file beside the audio
(`source_loudness` reads it), so the invoke event can carry it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from functions.common.errors import BadGateway, GatewayTimeout, ServiceUnavailable

SAMPLE_RATE_HZ = 22_050  # = functions.analysis.decode.ANALYSIS_SR
VORBIS_QUALITY = 0  # about 30 kb/s on music at 22 kHz mono; full-band noise measured 34 kb/s
FORMAT = "ogg"
MIXDOWN = "aformat=channel_layouts=stereo,pan=mono|c0=0.5*FL+0.5*FR"
LOUDNESS_SUFFIX = ".lufs"
_SUMMARY_I = re.compile(r"Integrated loudness:\s*I:\s*(-?\d+(?:\.\d+)?|-inf|nan)\s*LUFS", re.S)


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


def command(ffmpeg: str, source: Path, target: Path, *, max_seconds: float) -> list[str]:
    """ffmpeg arguments: loudness summary on stderr, mono Vorbis at SAMPLE_RATE_HZ into `target`."""
    graph = (
        f"[0:a:0]asplit=2[a][b];[b]ebur128=peak=none:framelog=quiet,anullsink;"
        f"[a]{MIXDOWN},aresample={SAMPLE_RATE_HZ}[out]"
    )
    return [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "info",  # ebur128 prints its summary at info level
        "-y",
        "-t",
        f"{max_seconds:.3f}",  # input option: caps what is measured and what reaches the invoke
        "-i",
        str(source),
        "-filter_complex",
        graph,
        "-map",
        "[out]",
        "-map_metadata",
        "-1",
        "-c:a",
        "libvorbis",
        "-q:a",
        str(VORBIS_QUALITY),
        "-f",
        FORMAT,
        str(target),
    ]


def parse_loudness(stderr: str) -> float | None:
    """Integrated LUFS from ebur128's summary, None when absent or not finite (silence)."""
    match = _SUMMARY_I.search(stderr)
    if not match:
        return None
    try:
        value = float(match.group(1))
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def to_analysis_audio(source: Path, target: Path, *, ffmpeg: str, max_seconds: float, timeout_s: float) -> Path:
    """Transcode `source` into `target` (mono Ogg Vorbis, at most `max_seconds` s) and write the
    original's integrated loudness beside it (see `source_loudness`).

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
            command(ffmpeg, source, target, max_seconds=max_seconds),
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
    lufs = parse_loudness(done.stderr.decode("utf-8", "replace"))
    sidecar = target.with_suffix(LOUDNESS_SUFFIX)
    if lufs is None:
        sidecar.unlink(missing_ok=True)
    else:
        sidecar.write_text(f"{lufs}\n")
    return target


def source_loudness(audio: Path) -> float | None:
    """The original's integrated LUFS that `to_analysis_audio` measured, None if it did not."""
    try:
        return parse_loudness(f"Integrated loudness: I: {audio.with_suffix(LOUDNESS_SUFFIX).read_text().strip()} LUFS")
    except OSError:
        return None
