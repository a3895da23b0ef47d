"""Invocation payloads <-> the analysis: validation, size limit, error payloads.

Kept apart from the handler so it can be called in-process (the local API's invoker) with
the same event and the same result as a Lambda invoke."""

from __future__ import annotations

import base64
import binascii
import os
import time

from functions.analysis.analyzer import analyze
from functions.analysis.decode import FORMATS
from functions.analysis.loudness import LUFS_CEIL, LUFS_FLOOR
from functions.common.config import env_float, env_int
from functions.common.errors import ApiError, BadRequest, PayloadTooLarge

# Lambda's synchronous invoke payload limit is 6 MB; 4 MiB of audio is 5.6 MB in base64.
DEFAULT_MAX_AUDIO_BYTES = 4 * 1024 * 1024
DEFAULT_MAX_AUDIO_SECONDS = 1200.0  # 20 minutes


def limits() -> tuple[int, float]:
    """(max bytes, max seconds) from MAX_AUDIO_BYTES / MAX_AUDIO_SECONDS; a bad value is a 503."""
    return (
        env_int(os.environ, "MAX_AUDIO_BYTES", DEFAULT_MAX_AUDIO_BYTES, low=1),
        env_float(os.environ, "MAX_AUDIO_SECONDS", DEFAULT_MAX_AUDIO_SECONDS, low=0.001),
    )


def parse_event(event) -> tuple[bytes, str, dict, float | None]:
    """(audio bytes, format, source, loudness) from an invocation event, or a typed 4xx error.

    `loudness` (optional) is the integrated LUFS of the original channels, measured by the
    sender before its mono mixdown; the analysis reports it instead of its own reading."""
    if not isinstance(event, dict):
        raise BadRequest("The event must be a JSON object", 'Send {"audio": <base64>, "format": ...}')
    audio, fmt, source = event.get("audio"), event.get("format"), event.get("source", {})
    loudness = event.get("loudness")
    if loudness is not None and (
        isinstance(loudness, bool)
        or not isinstance(loudness, (int, float))
        or not LUFS_FLOOR - 1e-9 <= loudness <= LUFS_CEIL + 1e-9
    ):
        raise BadRequest("loudness is invalid", f"Expected LUFS between {LUFS_FLOOR:g} and {LUFS_CEIL:g}")
    if not isinstance(audio, str) or not audio:
        raise BadRequest("audio is required", "Send the encoded audio as a base64 string")
    if fmt not in FORMATS:
        raise BadRequest("format is invalid", f"Expected one of {', '.join(sorted(FORMATS))}")
    if not isinstance(source, dict):
        raise BadRequest("source must be an object", "Send the video's metadata as a JSON object, or leave it out")
    max_bytes, _ = limits()
    if len(audio) > (max_bytes + 2) // 3 * 4:  # check before decoding the base64 itself
        raise PayloadTooLarge("The audio is too large", f"The limit is {max_bytes} bytes")
    try:
        data = base64.b64decode(audio, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest("audio is not valid base64", "Encode the audio bytes with standard base64") from None
    return data, fmt, source, None if loudness is None else float(loudness)


def handle(event, *, logger, metrics) -> dict:
    """One invocation: {"analysis", "source"} or {"error", "details", "status"}."""
    started = time.perf_counter()
    try:
        data, fmt, source, loudness = parse_event(event)
        analysis = analyze(data, format=fmt, max_seconds=limits()[1], loudness=loudness)
    except ApiError as exc:
        log = logger.warning if exc.status < 500 else logger.error
        log("analysis refused", extra={"status": exc.status, "reason": exc.reason, "error": exc.message})
        return {**exc.body(), "status": exc.status}
    except Exception:  # the trace goes to the log only
        logger.exception("analysis failed")
        return {"error": "Internal error", "details": "The error was logged", "status": 500}
    elapsed = time.perf_counter() - started
    # Log fields, not paid metrics: the function's free Duration metric says the same.
    logger.info("analysed", extra={"duration": analysis["duration"], "elapsed": round(elapsed, 3), "bytes": len(data)})
    return {"analysis": analysis, "source": source}
