"""The thumbnail proxy against a loopback TLS server: the good path through the local API
(bytes served == bytes received), and how every upstream failure maps to a status.

Injected for the test only, through module-level collaborators: a resolver that maps the
allowlisted names to 127.0.0.1, an address policy that admits exactly 127.0.0.1, a
connector that dials the vetted address on the server's port, and a trust store holding
only the test CA. Production builds none of these (see functions/thumbnail/handler.py)."""

from __future__ import annotations

import base64
import json
import threading
from urllib.parse import quote

import pytest
from thumbnail_upstream import JPEG, ConnectRecorder, Reply, TlsUpstream, nothing_left_in_tmp  # noqa: F401 (autouse)

from functions.common.deadline import Deadline
from functions.local_api.context import LambdaContext
from functions.thumbnail import fetch, handler
from functions.thumbnail.urlpolicy import DEFAULT_ALLOWED_HOSTS, ThumbnailUrl

THUMB = "/vi/dQw4w9WgXcQ/hqdefault.jpg"
URL = "https://i.ytimg.com" + THUMB
CHROME_IMG_ACCEPT = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
FIREFOX_IMG_ACCEPT = "image/avif,image/webp,*/*"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
GIF = b"GIF89a" + b"\x01\x00\x01\x00" + b"\x00" * 30
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 30


@pytest.fixture
def upstream():
    server = TlsUpstream()
    server.routes[THUMB] = Reply()
    yield server
    server.close()


def _context(timeout_s: float = 10.0) -> LambdaContext:
    # The local API's context: its remaining time really runs down, as in Lambda.
    return LambdaContext(function_name="thumbnail-test", memory_limit_in_mb=256, timeout_s=timeout_s)


def _handler_get(rest_event, url, *, context=None, accept="image/*"):
    event = rest_event(method="GET", path="/api/thumbnail", body=None, headers={"Accept": accept}, query={"url": url})
    result = handler.lambda_handler(event, context or _context())
    headers = {k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items()}
    return result, headers


@pytest.mark.parametrize("accept", [CHROME_IMG_ACCEPT, FIREFOX_IMG_ACCEPT, "image/jpeg"])
def test_thumbnail_fetch_jpeg_byte_identical_through_local_api(accept, upstream, monkeypatch, start_api):
    lookups: list[str] = []
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}, lookups=lookups))
    api = start_api()
    api_port = int(api.base.rsplit(":", 1)[1])
    recorder = ConnectRecorder(monkeypatch)
    reply = api.request("GET", "/api/thumbnail?url=" + quote(URL, safe=""), headers={"Accept": accept})
    assert reply.status == 200
    assert reply.body == JPEG
    assert reply.headers["Content-Type"] == "image/jpeg"
    assert reply.headers["Cache-Control"] == "public, max-age=86400"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    # One lookup through the injected resolver, one connection to the vetted address, no DNS.
    assert lookups == ["i.ytimg.com"] and recorder.name_lookups() == []
    assert sorted(recorder.connects) == sorted([("127.0.0.1", api_port), ("127.0.0.1", upstream.port)])
    # TLS and HTTP still speak the host name: SNI and Host are i.ytimg.com, not the address.
    assert upstream.sni == ["i.ytimg.com"]
    assert [(r["host"], r["path"]) for r in upstream.requests] == [("i.ytimg.com", THUMB)]
    assert upstream.requests[0]["headers"]["Accept-Encoding"] == "identity"


def test_thumbnail_fetch_json_first_accept_gets_base64_text(upstream, monkeypatch, start_api):
    # API Gateway decodes only when the FIRST Accept type is a binary media type.
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
    reply = start_api().request(
        "GET", "/api/thumbnail?url=" + quote(URL, safe=""), headers={"Accept": "application/json, image/*"}
    )
    assert reply.status == 200 and reply.body != JPEG
    assert base64.b64decode(reply.body) == JPEG


def test_thumbnail_fetch_lambda_result_is_base64_with_image_headers(upstream, monkeypatch, rest_event):
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
    result, headers = _handler_get(rest_event, URL)
    assert result["statusCode"] == 200 and result["isBase64Encoded"] is True
    assert base64.b64decode(result["body"]) == JPEG
    assert headers["Content-Type"] == "image/jpeg" and headers["Cache-Control"] == "public, max-age=86400"


@pytest.mark.parametrize(
    "content_type,body",
    [("image/png", PNG), ("image/gif", GIF), ("image/webp", WEBP), ("IMAGE/JPEG; charset=binary", JPEG)],
)
def test_thumbnail_fetch_each_image_type_passes(content_type, body, upstream, monkeypatch, rest_event):
    upstream.routes[THUMB] = Reply(headers={"Content-Type": content_type}, body=body)
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
    result, headers = _handler_get(rest_event, URL)
    assert result["statusCode"] == 200 and base64.b64decode(result["body"]) == body
    assert headers["Content-Type"] == content_type.split(";")[0].lower()


def test_thumbnail_fetch_follows_redirect_to_allowlisted_host_rechecked(upstream, monkeypatch, rest_event):
    upstream.routes[THUMB] = Reply(301, {"Location": "https://i7.ytimg.com/moved.jpg"}, b"")
    upstream.routes["/moved.jpg"] = Reply(302, {"Location": "/final.jpg"}, b"")
    upstream.routes["/final.jpg"] = Reply()
    lookups: list[str] = []
    monkeypatch.setattr(
        handler,
        "fetcher",
        upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"], "i7.ytimg.com": ["127.0.0.1"]}, lookups=lookups),
    )
    result, _ = _handler_get(rest_event, URL)
    assert result["statusCode"] == 200 and base64.b64decode(result["body"]) == JPEG
    assert lookups == ["i.ytimg.com", "i7.ytimg.com", "i7.ytimg.com"]  # every hop resolved and vetted again
    assert upstream.sni == ["i.ytimg.com", "i7.ytimg.com", "i7.ytimg.com"]
    assert [r["host"] for r in upstream.requests] == ["i.ytimg.com", "i7.ytimg.com", "i7.ytimg.com"]


def test_thumbnail_fetch_redirects_off_means_502(upstream, monkeypatch, rest_event):
    upstream.routes[THUMB] = Reply(302, {"Location": "/final.jpg"}, b"")
    monkeypatch.setenv("THUMBNAIL_MAX_REDIRECTS", "0")
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
    result, _ = _handler_get(rest_event, URL)
    assert result["statusCode"] == 502 and len(upstream.requests) == 1


def test_thumbnail_fetch_rebinding_resolver_is_asked_once(upstream, monkeypatch):
    answers = iter([["127.0.0.1"]] + [["10.0.0.1"]] * 5)  # vetted answer first, internal ones later
    calls: list[str] = []

    def rebinding(host):
        calls.append(host)
        return next(answers)

    fetcher = fetch.Fetcher(
        resolve=rebinding,
        address_allowed=lambda a: str(a) == "127.0.0.1",
        connect=upstream.connect,
        tls=upstream.client_tls(),
    )
    recorder = ConnectRecorder(monkeypatch)
    image = fetcher.fetch(
        ThumbnailUrl("i.ytimg.com", THUMB),
        allowed_hosts=DEFAULT_ALLOWED_HOSTS,
        max_bytes=10_000,
        deadline=Deadline(lambda: 10_000),
    )
    assert image.body == JPEG and calls == ["i.ytimg.com"]
    assert recorder.connects == [("127.0.0.1", upstream.port)] and recorder.name_lookups() == []


@pytest.mark.parametrize(
    "reply,status",
    [
        (Reply(404, {"Content-Type": "text/html"}, b"<h1>404</h1>"), 404),
        (Reply(410, {"Content-Type": "text/html"}, b"gone"), 404),
        (Reply(500, {"Content-Type": "text/html"}, b"oops"), 502),
        (Reply(403, {"Content-Type": "image/jpeg"}, JPEG), 502),
        (Reply(206, {"Content-Type": "image/jpeg"}, JPEG), 502),
        (Reply(200, {"Content-Type": "text/html"}, b"<html>" + JPEG), 502),
        (Reply(200, {"Content-Type": "image/svg+xml"}, b"<svg xmlns='http://www.w3.org/2000/svg'/>"), 502),
        (Reply(200, {}, JPEG), 502),  # no Content-Type
        (Reply(200, {"Content-Type": "image/png"}, JPEG), 502),  # magic bytes disagree
        (Reply(200, {"Content-Type": "image/jpeg"}, b"<html>not a jpeg</html>"), 502),
        (Reply(200, {"Content-Type": "image/jpeg", "Content-Encoding": "gzip"}, JPEG), 502),
        (Reply(200, {"Content-Type": "image/jpeg"}, b""), 502),
        (Reply(200, {"Content-Type": "image/jpeg"}, JPEG, chunked=True), 200),
    ],
    ids=[
        "404",
        "410",
        "500",
        "403",
        "206",
        "html",
        "svg",
        "no-type",
        "mismatch",
        "fake-jpeg",
        "gzip",
        "empty",
        "chunked-ok",
    ],
)
def test_thumbnail_fetch_upstream_answer_maps_to_status(reply, status, upstream, monkeypatch, rest_event):
    upstream.routes[THUMB] = reply
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
    result, _ = _handler_get(rest_event, URL)
    assert result["statusCode"] == status
    if status != 200:
        body = json.loads(result["body"])
        assert set(body) <= {"error", "details"} and "Traceback" not in result["body"]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_thumbnail_fetch_over_size_cap_is_413(chunked, upstream, monkeypatch, rest_event):
    upstream.routes[THUMB] = Reply(body=JPEG, chunked=chunked)
    monkeypatch.setenv("THUMBNAIL_MAX_BYTES", str(len(JPEG) - 1))
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
    result, _ = _handler_get(rest_event, URL)
    assert result["statusCode"] == 413 and str(len(JPEG) - 1) in json.loads(result["body"])["details"]


def test_thumbnail_fetch_exactly_at_size_cap_passes(upstream, monkeypatch, rest_event):
    monkeypatch.setenv("THUMBNAIL_MAX_BYTES", str(len(JPEG)))
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
    assert _handler_get(rest_event, URL)[0]["statusCode"] == 200


def test_thumbnail_fetch_silent_upstream_is_504(upstream, monkeypatch, rest_event):
    upstream.routes[THUMB] = Reply(hold=True)
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}, timeout_s=0.3))
    result, _ = _handler_get(rest_event, URL)
    assert result["statusCode"] == 504 and "error" in json.loads(result["body"])


def test_thumbnail_fetch_slow_drip_stops_at_the_deadline_504(upstream, monkeypatch, rest_event):
    # Each byte arrives well inside the socket timeout; only the Lambda deadline stops it.
    upstream.routes[THUMB] = Reply(drip=True)
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}, timeout_s=2.0))
    result, _ = _handler_get(rest_event, URL, context=_context(timeout_s=1.4))
    assert result["statusCode"] == 504


def test_thumbnail_fetch_stuck_name_lookup_answers_504_inside_the_deadline(monkeypatch, rest_event):
    # getaddrinfo has no timeout of its own; a resolver that never answers must not hold the
    # request past the deadline (it would end as Lambda's timeout, not our 504 JSON).
    release = threading.Event()
    calls: list[str] = []

    def stuck(host: str) -> list[str]:
        calls.append(host)
        release.wait(10.0)
        return ["127.0.0.1"]

    monkeypatch.setattr(handler, "fetcher", fetch.Fetcher(resolve=stuck, timeout_s=0.3))
    try:
        result, _ = _handler_get(rest_event, URL)
    finally:
        release.set()
    body = json.loads(result["body"])
    assert result["statusCode"] == 504 and calls == ["i.ytimg.com"]
    assert body == {
        "error": "The thumbnail host did not answer in time",
        "details": "Its name lookup (DNS) took too long",
    }


def test_thumbnail_fetch_certificate_for_another_host_is_502(monkeypatch, rest_event):
    server = TlsUpstream(hosts=("img.youtube.com",))
    try:
        server.routes[THUMB] = Reply()
        monkeypatch.setattr(handler, "fetcher", server.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
        result, _ = _handler_get(rest_event, URL)
    finally:
        server.close()
    assert result["statusCode"] == 502 and "certificate" in json.loads(result["body"])["error"]
    assert server.requests == []  # nothing was sent over the unverified connection


def test_thumbnail_fetch_production_trust_store_rejects_test_ca(upstream, monkeypatch, rest_event):
    monkeypatch.setattr(
        handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}, tls=fetch.default_tls())
    )
    result, _ = _handler_get(rest_event, URL)
    assert result["statusCode"] == 502 and upstream.requests == []


def test_thumbnail_fetch_refused_connection_is_502(upstream, monkeypatch, rest_event):
    upstream.close()  # nothing listens on its port any more
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
    recorder = ConnectRecorder(monkeypatch)
    result, _ = _handler_get(rest_event, URL)
    assert result["statusCode"] == 502 and recorder.connects == [("127.0.0.1", upstream.port)]


def test_thumbnail_fetch_unresolvable_host_is_502(upstream, monkeypatch, rest_event):
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={}))
    recorder = ConnectRecorder(monkeypatch)
    result, _ = _handler_get(rest_event, URL)
    assert result["statusCode"] == 502 and recorder.connects == []
