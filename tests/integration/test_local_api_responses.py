"""Handler results checked as API Gateway's Lambda proxy integration checks them: anything
outside the proxy response format is a 502 error JSON with CORS and a logged reason; headers,
multiValueHeaders and the default Content-Type go out as API Gateway sends them."""

from __future__ import annotations

import base64
import http.client
import logging
from urllib.parse import urlsplit

import pytest

from functions.local_api.server import Gateway

POEM = {"audioFeatures": {"tempo": 120}, "persona": "hamlet", "language": "en"}


def _raw(api, method: str, path: str, headers: dict | None = None):
    """One request over http.client, keeping every header line of the answer."""
    parts = urlsplit(api.base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, path, body=b"{}", headers={"Content-Type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        return resp.status, resp.msg, resp.read()
    finally:
        conn.close()


def _answering(start_api, result):
    return start_api(Gateway(handler_overrides={"poetry": lambda event, context: result}))


class Unserialisable:
    pass


@pytest.mark.parametrize(
    "result,reason",
    [
        ({"statusCode": 200, "body": {"poem": "a dict"}}, "body is a dict"),
        ({"statusCode": 200, "body": 42}, "body is a int"),
        ({"statusCode": 99, "body": "{}"}, "statusCode 99 is not a final HTTP status"),
        ({"statusCode": 700}, "statusCode 700"),
        ({"statusCode": "teapot"}, "is not a number"),
        ({"statusCode": 200, "wrongValue": "value"}, "unknown top-level keys ['wrongValue']"),
        ({"statusCode": 200, "multiValueHeaders": {"Set-Cookie": "a=1"}}, "is not a list"),
        ({"statusCode": 200, "headers": {"X-Nested": {"a": 1}}}, "has a dict value"),
        ({"statusCode": 200, "headers": {"X-Split": "a\r\nInjected: yes"}}, "line break"),
        ({"statusCode": 200, "isBase64Encoded": "yes"}, "isBase64Encoded is not a boolean"),
        ("justAString", "a JSON str, not an object"),
        (None, "a JSON NoneType, not an object"),
        ({"statusCode": 200, "body": Unserialisable()}, "not JSON-serialisable"),
    ],
)
def test_local_api_responses_malformed_result_is_502_json_with_cors(start_api, caplog, result, reason):
    caplog.set_level(logging.INFO, logger="local_api")
    status, headers, body = _raw(_answering(start_api, result), "POST", "/api/poetry/generate")
    assert status == 502
    assert headers["Content-Type"] == "application/json" and headers["Access-Control-Allow-Origin"] == "*"
    assert b'"error": "Internal server error"' in body and b"Traceback" not in body
    logged = [r.getMessage() for r in caplog.records if "Malformed Lambda proxy response" in r.getMessage()]
    assert logged and reason in logged[0], logged


def test_local_api_responses_crash_is_502_without_details(start_api):
    def crash(event, context):
        raise RuntimeError("boom at /var/task/functions/poetry/handler.py")

    status, headers, body = _raw(
        start_api(Gateway(handler_overrides={"poetry": crash})), "POST", "/api/poetry/generate"
    )
    assert status == 502 and b"boom" not in body and headers["Access-Control-Allow-Origin"] == "*"


def test_local_api_responses_bad_base64_for_a_binary_accept_is_500(start_api):
    api = _answering(start_api, {"statusCode": 200, "body": "not base64 èé", "isBase64Encoded": True})
    # AWS answers 500 here (LocalStack's AWS-validated test_aws_proxy_binary_response).
    status, headers, body = _raw(api, "POST", "/api/poetry/generate", {"Accept": "image/png"})
    assert status == 500 and b'"error": "Internal server error"' in body
    assert headers["Access-Control-Allow-Origin"] == "*"
    # Without a binary first Accept type nothing is decoded: the text passes through.
    status, _, body = _raw(api, "POST", "/api/poetry/generate", {"Accept": "application/json"})
    assert status == 200 and body == "not base64 èé".encode()
    status, _, body = _raw(api, "POST", "/api/poetry/generate")
    assert status == 200 and body == "not base64 èé".encode()


def test_local_api_responses_empty_result_and_missing_content_type(start_api):
    status, headers, body = _raw(_answering(start_api, {}), "POST", "/api/poetry/generate")
    assert status == 200 and body == b"" and headers["Content-Type"] == "application/json"
    status, headers, _ = _raw(
        _answering(start_api, {"statusCode": "201", "headers": {"X-Flag": True, "X-Count": 3}}),
        "POST",
        "/api/poetry/generate",
    )
    assert status == 201 and headers["Content-Type"] == "application/json"
    assert headers["X-Flag"] == "true" and headers["X-Count"] == "3"
    _, headers, _ = _raw(
        _answering(start_api, {"headers": {"content-type": "text/plain"}, "body": "hi"}), "POST", "/api/poetry/generate"
    )
    assert headers.get_all("Content-Type") == ["text/plain"]


def test_local_api_responses_multi_value_headers_are_separate_lines_merged_with_headers(start_api):
    result = {
        "statusCode": 200,
        "headers": {"set-cookie": "c=3", "X-Single": "s"},
        "multiValueHeaders": {"Set-Cookie": ["a=1; Path=/", "b=2; Path=/"], "X-Multi": ["x", "y"]},
        "body": "{}",
    }
    status, headers, _ = _raw(_answering(start_api, result), "POST", "/api/poetry/generate")
    assert status == 200
    # The multi values first, then the single value of the same name, under the multi spelling.
    assert headers.get_all("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/", "c=3"]
    assert [k for k, _ in headers.items() if k.lower() == "set-cookie"] == ["Set-Cookie"] * 3
    assert headers.get_all("X-Multi") == ["x", "y"] and headers.get_all("X-Single") == ["s"]


def test_local_api_responses_binary_body_decoded_for_image_accept(start_api):
    jpeg = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")
    result = {
        "statusCode": 200,
        "headers": {"Content-Type": "image/jpeg"},
        "body": base64.b64encode(jpeg).decode(),
        "isBase64Encoded": True,
    }
    status, headers, body = _raw(_answering(start_api, result), "POST", "/api/poetry/generate", {"Accept": "image/*"})
    assert status == 200 and body == jpeg and headers["Content-Length"] == str(len(jpeg))
