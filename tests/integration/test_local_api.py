import base64
import http.client
import json
import re
import socket
import threading
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from functions.local_api.events import ADDED_HEADERS
from functions.local_api.server import Gateway, make_servers

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "apigw_rest_proxy_event.json"
POEM = {"audioFeatures": {"tempo": 128, "energy": 0.8, "mode": "major"}, "persona": "hamlet", "language": "ko"}
RECORDED_GATEWAY_HEADERS = set(ADDED_HEADERS)
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return type(value).__name__


def test_local_api_poem_in_korean(start_api):
    reply = start_api().request("POST", "/api/poetry/generate", body=POEM)
    assert reply.status == 200
    body = reply.json()
    assert body["success"] is True and body["language"] == "ko"
    assert re.search(r"[\uac00-\ud7a3]{10}", body["poetry"].replace(" ", ""))


def test_local_api_stage_prefix_is_accepted(start_api):
    assert start_api().request("POST", "/Prod/api/poetry/generate", body=POEM).status == 200


def test_local_api_bad_persona_is_400_error_json(start_api):
    reply = start_api().request("POST", "/api/poetry/generate", body={**POEM, "persona": "yoda"})
    assert reply.status == 400
    assert set(reply.json()) <= {"error", "details"} and "hamlet" in json.dumps(reply.json())


def test_local_api_preflight_from_vite_origin(start_api):
    reply = start_api().request(
        "OPTIONS",
        "/api/poetry/generate",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert reply.status == 204
    assert reply.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:5173")
    assert "POST" in reply.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in reply.headers["Access-Control-Allow-Headers"]


def test_local_api_unknown_path_404_and_wrong_method_405(start_api):
    api = start_api()
    missing = api.request("GET", "/api/nothing")
    assert missing.status == 404 and missing.json()["error"] == "Not found"
    wrong = api.request("GET", "/api/poetry/generate")
    assert wrong.status == 405 and "error" in wrong.json()


def test_local_api_serves_contract(start_api):
    reply = start_api().request("GET", "/openapi.json")
    assert reply.status == 200 and "/api/poetry/generate" in reply.json()["paths"]


def test_local_api_event_matches_real_api_gateway_event(start_api):
    seen = {}

    def capture(event, context):
        seen["event"], seen["remaining"] = event, context.get_remaining_time_in_millis()
        return {"statusCode": 200, "body": "{}"}

    api = start_api(Gateway(handler_overrides={"poetry": capture}))
    api.request("POST", "/api/poetry/generate?a=1&a=2&b=", body=POEM, headers={"X-Test": "yes"})
    event, real = seen["event"], json.loads(FIXTURE.read_text())
    assert set(event) == set(real)
    assert set(event["requestContext"]) == set(real["requestContext"])
    assert set(event["requestContext"]["identity"]) == set(real["requestContext"]["identity"])
    for key, value in real.items():  # same value types where both sides carry a value
        if value is not None and event[key] is not None:
            assert type(event[key]) is type(value), key
    assert _shape(event["requestContext"]["identity"]).keys() == _shape(real["requestContext"]["identity"]).keys()
    assert event["queryStringParameters"] == {"a": "2", "b": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    assert event["headers"]["X-Test"] == "yes" and event["multiValueHeaders"]["X-Test"] == ["yes"]
    assert event["requestContext"]["path"] == "/Prod/api/poetry/generate"
    assert event["requestContext"]["stage"] == "Prod" and event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == POEM
    assert 0 < seen["remaining"] <= 28_000
    for key in ("requestTimeEpoch",):
        assert isinstance(event["requestContext"][key], type(real["requestContext"][key]))


def test_local_api_absent_query_and_body_are_null(start_api):
    seen = {}
    api = start_api(Gateway(handler_overrides={"poetry": lambda e, c: seen.update(e) or {"statusCode": 204}}))
    api.request("OPTIONS", "/api/poetry/generate")
    assert seen["queryStringParameters"] is None and seen["multiValueQueryStringParameters"] is None
    assert seen["body"] is None


def test_local_api_binary_response_is_bytes_for_image_accept(start_api):
    def image(event, context):
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "image/jpeg"},
            "body": base64.b64encode(JPEG).decode(),
            "isBase64Encoded": True,
        }

    api = start_api(Gateway(handler_overrides={"poetry": image}))
    browser = api.request("POST", "/api/poetry/generate", body=POEM, headers={"Accept": "image/avif,image/webp,*/*"})
    assert browser.status == 200 and browser.body == JPEG
    # A JSON-first Accept is not a binary media type: API Gateway passes the base64 text through.
    scripted = api.request("POST", "/api/poetry/generate", body=POEM, headers={"Accept": "application/json"})
    assert scripted.body == base64.b64encode(JPEG)


def _raw_request(base: str, method: str, path: str, headers: list[tuple[str, str]], body: bytes = b""):
    """Exactly these request headers (http.client adds none but Host)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for key, value in headers:
            conn.putheader(key, value)
        conn.endheaders(body or None)
        resp = conn.getresponse()
        return resp.status, resp.msg, resp.read()
    finally:
        conn.close()


def test_local_api_event_headers_match_the_recorded_event(start_api):
    seen = {}

    def capture(event, context):
        seen.update(event)
        return {"statusCode": 200, "body": "{}"}

    api = start_api(Gateway(handler_overrides={"poetry": capture}))
    real = json.loads(FIXTURE.read_text())
    body = real["body"].encode()
    # The client headers of the recorded call, plus the framing ones API Gateway never passes on.
    sent = [(k, v) for k, v in real["headers"].items() if k not in RECORDED_GATEWAY_HEADERS and k != "Host"]
    sent = [(k.lower(), v) for k, v in sent] + [("Content-Length", str(len(body))), ("Connection", "keep-alive")]
    status, _, _ = _raw_request(api.base, "POST", "/api/poetry/generate", sent, body)
    assert status == 200
    assert set(seen["headers"]) == set(real["headers"])
    assert set(seen["multiValueHeaders"]) == set(real["multiValueHeaders"])
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1" == seen["requestContext"]["identity"]["sourceIp"]
    assert seen["headers"]["X-Forwarded-Port"] == api.base.rsplit(":", 1)[1]
    assert seen["headers"]["X-Forwarded-Proto"] == "http"
    assert re.fullmatch(r"Root=1-[0-9a-f]{8}-[0-9a-f]{24}", seen["headers"]["X-Amzn-Trace-Id"])
    assert seen["headers"]["User-Agent"] == real["headers"]["User-Agent"]  # spelt by API Gateway


def test_local_api_event_forwarded_for_appends_the_client_address(start_api):
    seen = {}
    api = start_api(Gateway(handler_overrides={"poetry": lambda e, c: seen.update(e) or {}}))
    trace = "Root=1-67d94b1e-1a2b3c4d5e6f7a8b9c0d1e2f"
    headers = [("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Port", "1"), ("X-Amzn-Trace-Id", trace)]
    _raw_request(api.base, "POST", "/api/poetry/generate", headers, b"{}")
    assert seen["multiValueHeaders"]["X-Forwarded-For"] == ["203.0.113.7, 127.0.0.1"]
    assert seen["multiValueHeaders"]["X-Forwarded-Port"] == [api.base.rsplit(":", 1)[1]]
    assert seen["headers"]["X-Amzn-Trace-Id"] == trace


@pytest.mark.parametrize("prefix", ["", "/Prod"])
def test_local_api_trailing_slash_routes_like_the_deployed_api(start_api, prefix):
    seen = {}
    api = start_api(Gateway(handler_overrides={"poetry": lambda e, c: seen.update(e) or {}}))
    assert api.request("POST", f"{prefix}/api/poetry/generate/", body=POEM).status == 200
    # Routed as the path without the slash; the event's path keeps it (AWS-recorded events).
    assert seen["resource"] == "/api/poetry/generate" and seen["path"] == "/api/poetry/generate/"
    assert seen["requestContext"]["path"] == "/Prod/api/poetry/generate/"
    assert api.request("GET", f"{prefix}/api/poetry/generate/").status == 405


# API Gateway's seven methods get the path's ANY mock (405); any other matches no method at
# all, which the deployed API answers with MISSING_AUTHENTICATION_TOKEN mapped to 404.
@pytest.mark.parametrize(
    "method,status",
    [
        ("GET", 405),
        ("PUT", 405),
        ("DELETE", 405),
        ("PATCH", 405),
        ("HEAD", 405),
        ("TRACE", 404),
        ("CONNECT", 404),
        ("QUERY", 404),
        ("PROPFIND", 404),
        ("BREW", 404),
    ],
)
def test_local_api_every_method_is_answered_with_json_and_cors(start_api, method, status):
    api = start_api()
    got, headers, body = _raw_request(api.base, method, "/api/poetry/generate", [("Origin", "http://localhost:5173")])
    assert got == status
    assert headers["Content-Type"] == "application/json" and headers["Access-Control-Allow-Origin"] == "*"
    if method != "HEAD":
        assert set(json.loads(body)) == {"error", "details"}
    unknown, _, _ = _raw_request(api.base, method, "/api/nothing", [])
    assert unknown == 404


@pytest.mark.parametrize(
    "request_bytes,status",
    [
        (b"GET /api/thumbnail HTTP/1.1\r\nHost: x\r\nContent-Length: many\r\n\r\n", 400),
        (b"NOT A REQUEST LINE AT ALL\r\n\r\n", 400),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"POST /api/poetry/generate HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n", 413),
    ],
)
def test_local_api_malformed_requests_get_json_not_html(start_api, request_bytes, status):
    api = start_api()
    parts = urlsplit(api.base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status}".encode()) or head.startswith(f"HTTP/1.0 {status}".encode()), head
    assert b"application/json" in head and b"Access-Control-Allow-Origin: *" in head
    assert "error" in json.loads(body) and b"<html" not in body.lower()


def test_local_api_chunked_request_body_reaches_the_function(start_api):
    seen = {}
    api = start_api(Gateway(handler_overrides={"poetry": lambda e, c: seen.update(e) or {}}))
    chunked = b'7\r\n{"a": 1\r\n1\r\n}\r\n0\r\n\r\n'
    headers = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]
    status, _, _ = _raw_request(api.base, "POST", "/api/poetry/generate", headers, chunked)
    assert status == 200 and seen["body"] == '{"a": 1}'
    assert "Transfer-Encoding" not in seen["headers"]


def test_local_api_localhost_listens_on_both_loopback_addresses():
    servers = make_servers("localhost", 0)
    try:
        assert sorted(s.server_address[0] for s in servers) == ["127.0.0.1", "::1"]
        port = servers[0].server_address[1]
        assert {s.server_address[1] for s in servers} == {port}
        for server in servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        for host in ("127.0.0.1", "[::1]"):  # what localhost resolves to, either way round
            with urllib.request.urlopen(f"http://{host}:{port}/openapi.json", timeout=10) as resp:
                assert "/api/poetry/generate" in json.loads(resp.read())["paths"]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    single = make_servers("127.0.0.1", 0)  # HOST overrides: that address alone
    assert [s.server_address[0] for s in single] == ["127.0.0.1"]
    single[0].server_close()
