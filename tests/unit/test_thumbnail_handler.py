"""The thumbnail handler and the fetcher's pre-connection steps, with sockets blocked
(pytest-socket): anything that tried to open a connection would fail these tests."""

from __future__ import annotations

import base64
import json
import ssl
from pathlib import Path

import pytest

from functions.common.deadline import Deadline
from functions.common.errors import BadGateway, GatewayTimeout, NotFound, PayloadTooLarge
from functions.thumbnail import fetch, handler
from functions.thumbnail.urlpolicy import DEFAULT_ALLOWED_HOSTS, ThumbnailUrl

JPEG = (Path(__file__).resolve().parent.parent / "fixtures" / "thumbnail.jpg").read_bytes()
URL = "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"


class StubFetcher:
    """Stands in for the network side; the real one is exercised in tests/integration."""

    def __init__(self, result):
        self.result, self.calls = result, []

    def fetch(self, url, **kwargs):
        self.calls.append((url, kwargs))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def _get(rest_event, lambda_context, query, multi=None):
    event = rest_event(
        method="GET", path="/api/thumbnail", body=None, headers={"Accept": "image/webp,*/*"}, query=query
    )
    if multi is not None:
        event["multiValueQueryStringParameters"] = multi
    result = handler.lambda_handler(event, lambda_context)
    headers = {k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items()}
    return result, headers


def test_thumbnail_handler_returns_base64_image_with_cache_headers(monkeypatch, rest_event, lambda_context):
    stub = StubFetcher(fetch.Image("image/jpeg", JPEG))
    monkeypatch.setattr(handler, "fetcher", stub)
    result, headers = _get(rest_event, lambda_context, {"url": URL})
    assert result["statusCode"] == 200 and result["isBase64Encoded"] is True
    assert base64.b64decode(result["body"]) == JPEG
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"] == "public, max-age=86400" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Vary"] == "Origin, Accept"  # the shared resolver must not replace it with "Origin"
    url, kwargs = stub.calls[0]
    assert url == ThumbnailUrl("i.ytimg.com", "/vi/dQw4w9WgXcQ/hqdefault.jpg")
    assert kwargs["max_bytes"] == 2 * 1024 * 1024 and kwargs["allowed_hosts"] == frozenset(DEFAULT_ALLOWED_HOSTS)


@pytest.mark.parametrize(
    "error,status",
    [
        (NotFound("x", "y"), 404),
        (PayloadTooLarge("x", "y"), 413),
        (BadGateway("x", "y"), 502),
        (GatewayTimeout("x", "y"), 504),
    ],
)
def test_thumbnail_handler_fetch_errors_keep_their_status(error, status, monkeypatch, rest_event, lambda_context):
    monkeypatch.setattr(handler, "fetcher", StubFetcher(error))
    result, headers = _get(rest_event, lambda_context, {"url": URL})
    assert result["statusCode"] == status and result["isBase64Encoded"] is False
    assert json.loads(result["body"])["error"] == "x" and "Cache-Control" not in headers


@pytest.mark.parametrize(
    "query,multi",
    [
        (None, None),
        ({"url": "https://169.254.169.254/latest/meta-data/"}, None),
        ({"url": URL}, {"url": [URL, "https://10.0.0.1/"]}),  # a repeated parameter is refused, not guessed
    ],
)
def test_thumbnail_handler_bad_query_is_400_without_fetch(query, multi, monkeypatch, rest_event, lambda_context):
    stub = StubFetcher(fetch.Image("image/jpeg", JPEG))
    monkeypatch.setattr(handler, "fetcher", stub)
    result, _ = _get(rest_event, lambda_context, query, multi)
    assert result["statusCode"] == 400 and stub.calls == []
    assert set(json.loads(result["body"])) <= {"error", "details"}


def test_thumbnail_handler_misconfiguration_is_503(monkeypatch, rest_event, lambda_context):
    monkeypatch.setenv("THUMBNAIL_ALLOWED_HOSTS", "10.0.0.1")
    monkeypatch.setattr(handler, "fetcher", StubFetcher(fetch.Image("image/jpeg", JPEG)))
    result, _ = _get(rest_event, lambda_context, {"url": URL})
    assert result["statusCode"] == 503 and "THUMBNAIL_ALLOWED_HOSTS" in json.loads(result["body"])["details"]


def test_thumbnail_handler_unexpected_error_hides_trace(monkeypatch, rest_event, lambda_context):
    monkeypatch.setattr(handler, "fetcher", StubFetcher(RuntimeError("/var/task/secret.py line 3")))
    result, _ = _get(rest_event, lambda_context, {"url": URL})
    assert result["statusCode"] == 500 and "secret" not in result["body"]


def _refusing_connector(calls):
    def connect(address, port, timeout):
        calls.append((address, port))
        raise AssertionError("no connection may be attempted")

    return connect


@pytest.mark.parametrize(
    "answers", [["10.0.0.1"], ["142.250.72.14", "127.0.0.1"], ["::ffff:169.254.169.254"], ["bogus"], []]
)
def test_thumbnail_fetch_refused_answers_never_reach_the_connector(answers):
    connects: list = []
    fetcher = fetch.Fetcher(resolve=lambda host: answers, connect=_refusing_connector(connects))
    with pytest.raises(BadGateway):
        fetcher.fetch(
            ThumbnailUrl("i.ytimg.com", "/x.jpg"),
            allowed_hosts=DEFAULT_ALLOWED_HOSTS,
            max_bytes=1000,
            deadline=Deadline(lambda: 10_000),
        )
    assert connects == []


def test_thumbnail_fetch_no_time_left_is_504_before_connecting():
    connects: list = []
    fetcher = fetch.Fetcher(resolve=lambda host: ["142.250.72.14"], connect=_refusing_connector(connects))
    with pytest.raises(GatewayTimeout):
        fetcher.fetch(
            ThumbnailUrl("i.ytimg.com", "/x.jpg"),
            allowed_hosts=DEFAULT_ALLOWED_HOSTS,
            max_bytes=1000,
            deadline=Deadline(lambda: 1_000),
        )  # all of it is the reserve
    assert connects == []


def test_thumbnail_fetch_refuses_tls_context_without_verification():
    loose = ssl.create_default_context()
    loose.check_hostname = False
    with pytest.raises(ValueError):
        fetch.Fetcher(tls=loose)
    loose.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError):
        fetch.Fetcher(tls=loose)
    strict = fetch.default_tls()
    assert strict.check_hostname and strict.verify_mode == ssl.CERT_REQUIRED
    assert strict.minimum_version >= ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize(
    "head,kind",
    [
        (JPEG[:16], "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"<svg xmlns=", None),
        (b"", None),
        (b"\xff\xd8", None),
    ],
)
def test_thumbnail_fetch_sniff_reads_magic_bytes(head, kind):
    assert fetch.sniff(head) == kind
