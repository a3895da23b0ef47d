"""API Gateway REST v1 proxy events, built as AWS builds them."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from functions.local_api.context import LOCAL_ACCOUNT

STAGE = "Prod"

LOCAL_API_ID = "local"


def media_type_matches(media_type: str, patterns: list[str]) -> bool:
    media_type = media_type.split(";")[0].strip().lower()
    for pattern in patterns:
        pattern = pattern.lower()
        if pattern == "*/*" or pattern == media_type:
            return True
        if pattern.endswith("/*") and media_type.split("/")[0] == pattern[:-2]:
            return True
    return False


# Headers that never reach the function, as in the recorded event (tests/fixtures): the
# hop-by-hop ones (RFC 9110 7.6.1) and Content-Length, which API Gateway leaves out.
DROPPED_HEADERS = frozenset(
    {"connection", "content-length", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"}
)
# API Gateway spells these itself whatever the client sent (the fixture's lower-case HTTP/2
# headers next to "Host" and "User-Agent"; LocalStack's AWS-validated snapshots for Authorization).
CANONICAL_NAMES = {"host": "Host", "user-agent": "User-Agent", "authorization": "Authorization"}
# Set by API Gateway; a client's own values are replaced (X-Forwarded-For is appended to).
ADDED_HEADERS = ("X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto")


def trace_id() -> str:
    """An X-Ray root id as API Gateway writes it: Root=1-<epoch seconds hex>-<96 random bits hex>."""
    return f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}"


def gateway_headers(headers: list[tuple[str, str]], *, source_ip: str, port: int) -> list[tuple[str, str]]:
    """The request headers as the function sees them behind API Gateway."""
    added = {name.lower(): name for name in ADDED_HEADERS}
    forwarded_for = [v.strip() for k, v in headers if k.lower() == "x-forwarded-for" and v.strip()]
    client_trace = next((v for k, v in headers if k.lower() == "x-amzn-trace-id" and v.startswith("Root=")), None)
    kept = [
        (CANONICAL_NAMES.get(k.lower(), k), v)
        for k, v in headers
        if k.lower() not in DROPPED_HEADERS and k.lower() not in added
    ]
    return kept + [
        ("X-Amzn-Trace-Id", client_trace or trace_id()),
        ("X-Forwarded-For", ", ".join([*forwarded_for, source_ip])),
        ("X-Forwarded-Port", str(port)),
        ("X-Forwarded-Proto", "http"),  # https when deployed; the local API speaks plain HTTP
    ]


def _multi(pairs: list[tuple[str, str]]) -> tuple[dict | None, dict | None]:
    # API Gateway sends null, not {}, when there is nothing; the single-value map keeps the last value.
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


def build_event(
    *,
    method: str,
    path: str,
    resource: str,
    path_params: dict | None,
    headers: list[tuple[str, str]],
    query: str,
    body: bytes,
    source_ip: str,
    port: int,
    binary_media_types: list[str],
) -> dict:
    headers = gateway_headers(headers, source_ip=source_ip, port=port)
    single_headers, multi_headers = _multi(headers)
    single_query, multi_query = _multi(parse_qsl(query, keep_blank_values=True))
    content_type = (single_headers or {}).get("Content-Type") or next(
        (v for k, v in headers if k.lower() == "content-type"), ""
    )
    is_binary = bool(body) and media_type_matches(content_type, binary_media_types) if content_type else False
    if not body:
        event_body = None
    elif is_binary:  # binaryMediaTypes: API Gateway hands the body over base64-encoded
        event_body = base64.b64encode(body).decode("ascii")
    else:
        event_body = body.decode("utf-8", errors="replace")
    now = datetime.now(UTC)
    user_agent = next((v for k, v in headers if k.lower() == "user-agent"), None)
    host = next((v for k, v in headers if k.lower() == "host"), "127.0.0.1")
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": LOCAL_ACCOUNT,
            "apiId": LOCAL_API_ID,
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "extendedRequestId": uuid.uuid4().hex[:16] + "=",
            "httpMethod": method,
            "identity": {
                "accessKey": None,
                "accountId": None,
                "caller": None,
                "cognitoAuthenticationProvider": None,
                "cognitoAuthenticationType": None,
                "cognitoIdentityId": None,
                "cognitoIdentityPoolId": None,
                "principalOrgId": None,
                "sourceIp": source_ip,
                "user": None,
                "userAgent": user_agent,
                "userArn": None,
            },
            "path": f"/{STAGE}{path}",
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "resourceId": "local",
            "resourcePath": resource,
            "stage": STAGE,
        },
        "body": event_body,
        "isBase64Encoded": is_binary,
    }
