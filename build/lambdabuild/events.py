"""Real events for the smoke run and the numba warm-up.

HTTP functions get API Gateway REST v1 proxy events derived from the recorded fixture
(tests/fixtures/apigw_rest_proxy_event.json), one per operation in functions/openapi.yaml
whose `x-function` names them. Internal functions get a direct event from DIRECT_EVENTS."""

from __future__ import annotations

import base64
import copy
import io
import json
from pathlib import Path
from typing import Any

from .config import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "apigw_rest_proxy_event.json"
# Request data per operationId; operations not listed get every required query parameter
# set to "smoke" and no body. The sandbox has no network: calls to YouTube, Bedrock or an
# image host fail there, and the smoke run reports the status the handler chose.
HTTP_REQUESTS: dict[str, dict[str, Any]] = {
    "generatePoetry": {
        "body": {"audioFeatures": {"tempo": 128, "energy": 0.8, "mode": "major"}, "persona": "hamlet", "language": "en"}
    },
    "getThumbnail": {"query": {"url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"}},
    "getYoutubeInfo": {"query": {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}},
    "getYoutubeAudioWithAnalysis": {"query": {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}},
}


def synthetic_track(seconds: float = 180.0, sr: int = 22050, bpm: float = 120.0) -> bytes:
    """A deterministic mono track (C-G-Am-F triads, kick on every beat, hats off-beat)
    encoded as Ogg Vorbis at 22,050 Hz, the format the youtube function sends to analysis
    (functions/youtube/transcode.py)."""
    import numpy as np
    import soundfile as sf

    t = np.arange(int(seconds * sr)) / sr
    chords = [(261.63, 329.63, 392.00), (196.00, 246.94, 392.00), (220.00, 261.63, 329.63), (174.61, 220.00, 349.23)]
    bar = 4 * 60.0 / bpm
    idx = (t // bar).astype(int) % len(chords)
    y = np.zeros_like(t)
    for k, chord in enumerate(chords):
        mask = idx == k
        for f in chord:
            y[mask] += 0.12 * np.sin(2 * np.pi * f * t[mask]) + 0.04 * np.sin(4 * np.pi * f * t[mask])
    beat = 60.0 / bpm
    phase = t % beat
    y += 0.5 * np.sin(2 * np.pi * 55 * phase) * np.exp(-phase * 30)
    off = (t + beat / 2) % beat
    y += 0.05 * np.random.default_rng(7).standard_normal(t.size) * np.exp(-off * 80)
    y = (0.8 * y / np.max(np.abs(y))).astype(np.float32)
    buf = io.BytesIO()
    # In blocks: libsndfile's Vorbis encoder crashes on one multi-minute write (seen with 1.2.x).
    with sf.SoundFile(buf, "w", sr, 1, format="OGG", subtype="VORBIS") as out:
        for start in range(0, len(y), 1 << 16):
            out.write(y[start : start + (1 << 16)])
    return buf.getvalue()


def analysis_event(seconds: float = 180.0) -> dict:
    audio = synthetic_track(seconds)
    return {
        "audio": base64.b64encode(audio).decode("ascii"),
        "format": "ogg",
        "source": {"kind": "smoke", "seconds": seconds},
    }


DIRECT_EVENTS = {"analysis": analysis_event}


def http_event(*, method: str, path: str, query: dict | None = None, body: dict | None = None) -> dict:
    event = copy.deepcopy(json.loads(FIXTURE.read_text(encoding="utf-8")))
    event.update(
        {
            "resource": path,
            "path": path,
            "httpMethod": method.upper(),
            "queryStringParameters": dict(query) if query else None,
            "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
            "body": json.dumps(body) if body is not None else None,
            "isBase64Encoded": False,
        }
    )
    ctx = event["requestContext"]
    ctx.update({"resourcePath": path, "httpMethod": method.upper(), "path": f"/{ctx['stage']}{path}"})
    if body is None:
        for key in ("content-type", "Content-Type"):
            event["headers"].pop(key, None)
            event["multiValueHeaders"].pop(key, None)
    return event


def operations(function: str, openapi: dict) -> list[tuple[str, str, dict]]:
    out = []
    for path, ops in openapi.get("paths", {}).items():
        for method, op in ops.items():
            if isinstance(op, dict) and op.get("x-function") == function:
                out.append((path, method, op))
    return out


def invocations(function: str, *, internal: bool, openapi: dict, direct_seconds: float = 180.0) -> list[dict]:
    """[{"name", "event"}] for one function; raises when none can be made."""
    if internal:
        if function not in DIRECT_EVENTS:
            raise KeyError(
                f"no direct smoke event for internal function {function!r}: add one to "
                f"DIRECT_EVENTS in {Path(__file__).relative_to(ROOT)}"
            )
        return [{"name": f"{function} direct event", "event": DIRECT_EVENTS[function](direct_seconds)}]
    out = []
    for path, method, op in operations(function, openapi):
        req = HTTP_REQUESTS.get(op["operationId"])
        if req is None:
            req = {
                "query": {
                    p["name"]: "smoke" for p in op.get("parameters", []) if p.get("in") == "query" and p.get("required")
                }
            }
        out.append(
            {
                "name": f"{method.upper()} {path}",
                "event": http_event(method=method, path=path, query=req.get("query"), body=req.get("body")),
            }
        )
    if not out:
        raise KeyError(f"{function}: no operation in openapi.yaml names it in x-function, and it is not internal")
    return out
