"""The direct-invocation handler: event in, {"analysis"} or {"error", "status"} out."""

from __future__ import annotations

import base64
import json

import pytest
from analysis_signals import click_track, encode, progression

from functions.analysis import events, handler
from functions.common.contract import component_validator

SR = 22050


def _event(data: bytes, fmt: str = "flac", **extra) -> dict:
    return {"audio": base64.b64encode(data).decode(), "format": fmt, **extra}


@pytest.fixture(scope="module")
def music() -> bytes:
    return encode(progression(9, "minor", sr=SR, bars=8) + click_track(100, 16.0, sr=SR), SR, "flac")


def test_handler_returns_the_analysis_and_echoes_the_source(music, lambda_context):
    source = {"videoId": "dQw4w9WgXcQ", "title": "x"}
    result = handler.lambda_handler(_event(music, source=source), lambda_context)
    json.dumps(result)  # what Lambda serialises
    assert result["source"] == source
    component_validator("Analysis")(result["analysis"])
    assert (result["analysis"]["key"], result["analysis"]["mode"]) == ("A", "minor")


@pytest.mark.parametrize(
    "event,status,error",
    [
        ({}, 400, "audio is required"),
        ({"audio": "", "format": "ogg"}, 400, "audio is required"),
        ({"audio": "AAAA", "format": "aac"}, 400, "format is invalid"),
        ({"audio": "not base64!", "format": "ogg"}, 400, "audio is not valid base64"),
        ({"audio": "AAAA", "format": "ogg", "source": "x"}, 400, "source must be an object"),
        ({"audio": base64.b64encode(b"garbage" * 20).decode(), "format": "ogg"}, 400, "could not be decoded"),
        (["not", "a", "dict"], 400, "must be a JSON object"),
        ({"audio": "AAAA", "format": "ogg", "loudness": "loud"}, 400, "loudness is invalid"),
        ({"audio": "AAAA", "format": "ogg", "loudness": -120.0}, 400, "loudness is invalid"),
        ({"audio": "AAAA", "format": "ogg", "loudness": True}, 400, "loudness is invalid"),
    ],
)
def test_handler_bad_events_are_client_errors(event, status, error, lambda_context):
    result = handler.lambda_handler(event, lambda_context)
    assert result["status"] == status and error in result["error"]
    assert "analysis" not in result and "Traceback" not in json.dumps(result)


def test_handler_reports_the_loudness_the_sender_measured_on_the_original(music, lambda_context):
    # The youtube function sends a mono mixdown and the original's BS.1770 loudness beside it.
    own = handler.lambda_handler(_event(music), lambda_context)["analysis"]["loudness"]
    carried = handler.lambda_handler(_event(music, loudness=-9.5), lambda_context)["analysis"]
    assert carried["loudness"] == -9.5 and own != -9.5
    component_validator("Analysis")(carried)


def test_handler_size_limit_is_checked_before_decoding(monkeypatch, lambda_context):
    monkeypatch.setenv("MAX_AUDIO_BYTES", "1000")
    result = handler.lambda_handler(_event(bytes(2000), "wav"), lambda_context)
    assert result["status"] == 413 and "1000 bytes" in result["details"]


def test_handler_audio_over_the_duration_limit_is_413(monkeypatch, music, lambda_context):
    monkeypatch.setenv("MAX_AUDIO_SECONDS", "5")
    result = handler.lambda_handler(_event(music), lambda_context)
    assert result["status"] == 413 and result["error"] == "The audio is too long"


def test_handler_unexpected_failure_is_a_500_without_trace(monkeypatch, music, lambda_context):
    def boom(*_a, **_k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(events, "analyze", boom)
    result = handler.lambda_handler(_event(music), lambda_context)
    assert result == {"error": "Internal error", "details": "The error was logged", "status": 500}


def test_handler_default_limits_fit_a_lambda_invoke(monkeypatch):
    monkeypatch.delenv("MAX_AUDIO_BYTES", raising=False)
    max_bytes, max_seconds = events.limits()
    assert (max_bytes + 2) // 3 * 4 < 6 * 1024 * 1024  # base64 inside the 6 MB sync payload
    assert max_seconds >= 600  # the youtube function sends up to 10 minutes


def test_handler_logs_carry_the_api_request_id_from_youtube(music, lambda_context, monkeypatch):
    import io

    stream = io.StringIO()  # the logger's handler kept whatever stdout existed at import
    monkeypatch.setattr(handler.logger.registered_handler, "stream", stream)
    handler.lambda_handler(_event(music, source={"type": "youtube", "requestId": "api-req-123"}), lambda_context)
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    assert lines and all(line.get("correlation_id") == "api-req-123" for line in lines)
