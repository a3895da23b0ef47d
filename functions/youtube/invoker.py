"""Calling the internal `analysis` function: one event, one result JSON.

In AWS: boto3 `lambda.invoke` (RequestResponse). `make serve` and the tests use the
in-process `functions.local_api.invoker.LocalInvoker` instead (never zipped, refused inside
Lambda); both satisfy `AnalysisInvoker`."""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from typing import Any, Protocol

from functions.common.contract import component_validator
from functions.common.deadline import Deadline
from functions.common.errors import (
    ApiError,
    BadGateway,
    GatewayTimeout,
    PayloadTooLarge,
    ServiceUnavailable,
)

# Lambda's synchronous invoke limit applies to the request payload as sent (JSON with base64).
INVOKE_PAYLOAD_LIMIT = 6 * 1024 * 1024


class AnalysisInvoker(Protocol):
    """Sends an analysis event; returns the result JSON (see `interpret`)."""

    def invoke(self, payload: bytes, *, deadline: Deadline) -> Any: ...


def build_event(audio: bytes, *, fmt: str, source: dict, loudness: float | None = None) -> bytes:
    """The analysis event as the bytes that go over the wire; `loudness` is the integrated LUFS
    of the original channels (the audio sent is a mono mixdown, which reads low)."""
    event: dict[str, Any] = {"audio": base64.b64encode(audio).decode("ascii"), "format": fmt, "source": source}
    if loudness is not None:
        event["loudness"] = float(f"{loudness:.2f}")
    payload = json.dumps(event, separators=(",", ":")).encode()
    if len(payload) > INVOKE_PAYLOAD_LIMIT:
        raise PayloadTooLarge(
            "The audio is too large to analyse",
            f"{len(payload)} bytes exceed the {INVOKE_PAYLOAD_LIMIT}-byte invoke limit",
            reason="payload_limit",
        )
    return payload


def _timeout() -> GatewayTimeout:
    return GatewayTimeout(
        "The request could not finish in time", "the analysis did not answer in time", reason="analysis_timeout"
    )


def interpret(result) -> dict:
    """The analysis from a result JSON, or the typed error it stands for."""
    if not isinstance(result, dict):
        raise BadGateway("The analysis failed", "it returned no JSON object", reason="analysis_failed")
    if "analysis" in result and isinstance(result["analysis"], dict):
        analysis = result["analysis"]
        try:
            component_validator("Analysis")(analysis)
        except Exception:  # noqa: BLE001 - fastjsonschema's errors; a drifted contract is a 502
            raise BadGateway(
                "The analysis failed", "its result does not match the contract", reason="analysis_contract"
            ) from None
        return analysis
    status = result.get("status")
    if status == 413:
        raise PayloadTooLarge(
            "The audio is too large to analyse", str(result.get("error", ""))[:200], reason="analysis_too_large"
        )
    if status == 504:
        raise _timeout()
    if status == 503:
        raise ServiceUnavailable(
            "The analysis is not available", "Try again in a moment", reason="analysis_unavailable"
        )
    # Anything else (including its 400s) means the audio we made could not be analysed.
    raise BadGateway(
        "The analysis failed", str(result.get("error") or "no analysis in the result")[:200], reason="analysis_failed"
    )


@lru_cache(maxsize=16)
def _lambda_client(read_timeout_s: int):
    # One client per whole-second timeout, kept for the container (clients are costly to build).
    import boto3
    from botocore.config import Config

    return boto3.client(
        "lambda",
        config=Config(connect_timeout=2, read_timeout=read_timeout_s, retries={"max_attempts": 1, "mode": "standard"}),
    )


class LambdaInvoker:
    """boto3 `lambda.invoke`, RequestResponse, bounded by the time left."""

    def __init__(self, function_name: str, *, client_for=_lambda_client):
        self.function_name, self._client_for = function_name, client_for

    def invoke(self, payload: bytes, *, deadline: Deadline) -> dict:
        from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError

        read_timeout = max(1, int(deadline.remaining()))
        try:
            response = self._client_for(read_timeout).invoke(
                FunctionName=self.function_name, InvocationType="RequestResponse", Payload=payload
            )
        except ReadTimeoutError:
            raise _timeout() from None
        except ConnectionError as exc:
            raise ServiceUnavailable(
                "The analysis is not available", "could not reach Lambda", reason="analysis_unavailable"
            ) from exc
        except ClientError as exc:
            raise _client_error(exc) from exc
        body = response["Payload"].read()
        if response.get("FunctionError"):
            error_type = (_json(body) or {}).get("errorType", "")
            if error_type == "Sandbox.Timedout":  # how Lambda reports a function that ran out of time
                raise _timeout()
            raise BadGateway("The analysis failed", "the analysis function raised an error", reason="analysis_crashed")
        return _json(body)


def _json(body: bytes):
    try:
        return json.loads(body)
    except ValueError:
        return None


def _client_error(exc) -> ApiError:
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "RequestEntityTooLargeException":
        return PayloadTooLarge(
            "The audio is too large to analyse", "It exceeds Lambda's 6 MB invocation payload", reason="payload_limit"
        )
    if code in ("TooManyRequestsException", "ResourceConflictException", "ResourceNotReadyException"):
        return ServiceUnavailable("The analysis is busy", "try again in a moment", reason="analysis_throttled")
    if code == "ResourceNotFoundException":
        return ServiceUnavailable(
            "The analysis is not available", "the analysis function does not exist", reason="analysis_missing"
        )
    return BadGateway("The analysis failed", f"Lambda answered {code or 'an error'}", reason="analysis_failed")
