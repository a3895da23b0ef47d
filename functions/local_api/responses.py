"""A handler's result checked and turned into HTTP as API Gateway's Lambda proxy integration does.

Sources for the rules (recorded against AWS by LocalStack's validated snapshot tests,
tests/aws/services/apigateway/test_apigateway_lambda.py, and the Lambda developer guide,
"Handling Lambda errors with an API Gateway API"):
- only statusCode, headers, multiValueHeaders, body and isBase64Encoded are allowed; any
  other key, a statusCode that is not a number, a multiValueHeaders value that is not a list
  or a result that is not a JSON object is a 502. None of the keys is required: `{}` is a 200
  with an empty body;
- header values may be strings, numbers or booleans (sent as "true"/"false");
- multiValueHeaders and headers are merged: the multi values first, then the single value of
  the same name (case-insensitive), under the multiValueHeaders spelling;
- without a Content-Type the answer says application/json;
- base64 is decoded only when the request's first Accept type is a binary media type; a body
  that then does not decode is a 500."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from functions.local_api.events import media_type_matches

ALLOWED_KEYS = frozenset({"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"})
LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024  # synchronous invocation response payload quota
# The server sets these itself; a function's value would corrupt the framing.
FRAMING_HEADERS = frozenset({"content-length", "connection", "transfer-encoding", "keep-alive"})


class MalformedResponse(ValueError):
    """The result is outside the proxy response format (API Gateway answers 502)."""


class UndecodableBody(ValueError):
    """isBase64Encoded with a body that is not base64 (API Gateway answers 500)."""


@dataclass
class ProxyResponse:
    status: int
    headers: list[tuple[str, str]]
    body: str
    is_base64: bool


def _status(value) -> int:
    if value is None:
        return 200
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise MalformedResponse(f"statusCode is {type(value).__name__}")
    try:
        status = int(value)
    except ValueError:
        raise MalformedResponse(f"statusCode {value!r} is not a number") from None
    if status != value and str(status) != str(value).strip():
        raise MalformedResponse(f"statusCode {value!r} is not a whole number")
    if not 200 <= status <= 599:  # a 1xx cannot end an exchange; outside 100-599 is no status
        raise MalformedResponse(f"statusCode {status} is not a final HTTP status")
    return status


def _header_value(name: str, value) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (str, int, float)):
        text = str(value)
    else:
        raise MalformedResponse(f"header {name!r} has a {type(value).__name__} value")
    if "\r" in text or "\n" in text:
        raise MalformedResponse(f"header {name!r} has a line break in its value")
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        raise MalformedResponse(f"header {name!r} has characters HTTP headers cannot carry") from None
    return text


def _header_name(name) -> str:
    if not isinstance(name, str) or not name or any(c in name for c in " :\r\n\t"):
        raise MalformedResponse(f"header name {name!r} is not a token")
    return name


def _merged_headers(single, multi) -> list[tuple[str, str]]:
    if single is not None and not isinstance(single, dict):
        raise MalformedResponse("headers is not an object")
    if multi is not None and not isinstance(multi, dict):
        raise MalformedResponse("multiValueHeaders is not an object")
    single, multi = single or {}, multi or {}
    by_lower = {_header_name(k).lower(): (k, _header_value(k, v)) for k, v in single.items()}
    lines: list[tuple[str, str]] = []
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders {name!r} is not a list")
        lines += [(_header_name(name), _header_value(name, v)) for v in values]
        if name.lower() in by_lower:
            lines.append((name, by_lower.pop(name.lower())[1]))
    lines += list(by_lower.values())
    lines = [(k, v) for k, v in lines if k.lower() not in FRAMING_HEADERS]
    if not any(k.lower() == "content-type" for k, _ in lines):
        lines.append(("Content-Type", "application/json"))
    return lines


def parse(result) -> ProxyResponse:
    """Validate a handler's return value as Lambda serialises it and API Gateway reads it."""
    try:
        wire = json.dumps(result)  # what Lambda sends on: a result JSON cannot carry is an error
    except (TypeError, ValueError) as exc:
        raise MalformedResponse(f"the result is not JSON-serialisable ({exc})") from None
    if len(wire.encode("utf-8")) > LAMBDA_RESPONSE_LIMIT:
        raise MalformedResponse("the result exceeds Lambda's 6 MB response limit")
    result = json.loads(wire)
    if not isinstance(result, dict):
        raise MalformedResponse(f"the result is a JSON {type(result).__name__}, not an object")
    unknown = sorted(set(result) - ALLOWED_KEYS)
    if unknown:
        raise MalformedResponse(f"unknown top-level keys {unknown}")
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResponse(f"body is a {type(body).__name__}, not a string")
    is_base64 = result.get("isBase64Encoded")
    if is_base64 is not None and not isinstance(is_base64, bool):
        raise MalformedResponse("isBase64Encoded is not a boolean")
    return ProxyResponse(
        status=_status(result.get("statusCode")),
        headers=_merged_headers(result.get("headers"), result.get("multiValueHeaders")),
        body=body or "",
        is_base64=bool(is_base64),
    )


def payload(response: ProxyResponse, *, accept: str, binary_media_types: list[str]) -> bytes:
    """The bytes sent: decoded only when the first Accept type is a binary media type."""
    first_accept = accept.split(",")[0].strip()
    if response.is_base64 and first_accept and media_type_matches(first_accept, binary_media_types):
        try:
            return base64.b64decode("".join(response.body.split()), validate=True)
        except (binascii.Error, ValueError):
            raise UndecodableBody("isBase64Encoded is true but the body is not base64") from None
    return response.body.encode("utf-8")
