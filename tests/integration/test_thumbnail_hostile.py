"""Hostile inputs to GET /api/thumbnail: every one is refused, and the process makes no
connection to anything but the vetted test server and no name lookup at all.

Sockets are recorded at `socket.socket.connect` and `socket.getaddrinfo`, so a connection
made by any code path (not only the injected connector) would show up."""

from __future__ import annotations

import json

import pytest
from thumbnail_upstream import (  # noqa: F401  (nothing_left_in_tmp is an autouse fixture)
    ConnectRecorder,
    Reply,
    TlsUpstream,
    loopback_or_public,
    nothing_left_in_tmp,
)

from functions.thumbnail import handler
from functions.thumbnail.addresses import is_public

THUMB = "/vi/dQw4w9WgXcQ/hqdefault.jpg"

# Refused by the URL policy (400) before any lookup.
URL_POLICY = [
    # schemes
    "http://i.ytimg.com/vi/x/0.jpg",
    "ftp://i.ytimg.com/x.jpg",
    "file:///etc/passwd",
    "gopher://i.ytimg.com:70/_GET",
    "javascript:alert(1)",
    "data:image/png;base64,iVBORw0KGgo=",
    "//i.ytimg.com/x.jpg",
    "https:i.ytimg.com/x.jpg",
    "https:/i.ytimg.com/x.jpg",
    "https:///i.ytimg.com/x.jpg",
    " https://i.ytimg.com/x.jpg",
    "https://i.yt\timg.com/x.jpg",
    "https://i.ytimg.com/x.jpg\r\nHost: 169.254.169.254",
    # userinfo and @
    "https://user:pass@i.ytimg.com/x.jpg",
    "https://i.ytimg.com@169.254.169.254/latest/meta-data/",
    "https://i.ytimg.com:443@evil.example/x.jpg",
    "https://evil.example#@i.ytimg.com/x.jpg",
    "https://evil.example?@i.ytimg.com/x.jpg",
    "https://i.ytimg.com%40evil.example/x.jpg",
    # ports
    "https://i.ytimg.com:8443/x.jpg",
    "https://i.ytimg.com:80/x.jpg",
    "https://i.ytimg.com:0443/x.jpg",
    "https://i.ytimg.com:/x.jpg",
    "https://i.ytimg.com:443:80/x.jpg",
    # IP literals in every notation
    "https://127.0.0.1/x.jpg",
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "https://2130706433/",
    "https://0x7f000001/",
    "https://0177.0.0.1/",
    "https://0x7f.0x0.0x0.0x1/",
    "https://127.1/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://%31%32%37.0.0.1/",
    # percent-encoding tricks
    "https://i.ytimg.com%2Fevil.example/x.jpg",
    "https://evil.example%2F.i.ytimg.com/x.jpg",
    "https://evil.example%2F@i.ytimg.com/x.jpg",
    "https://i.ytimg.com%00.evil.example/",
    "https://i%252Eytimg.com/x.jpg",
    "https://i.ytimg.com%E3%80%82evil.example/",
    "https://i.ytimg.com/%zz.jpg",
    # backslashes
    "https://evil.example\\@i.ytimg.com/x.jpg",
    "https://i.ytimg.com\\.evil.example/x.jpg",
    "https:\\\\i.ytimg.com\\x.jpg",
    # IDN and unicode look-alikes
    "https://\u0456.ytimg.com/x.jpg",  # Cyrillic i
    "https://i.yt\u00edmg.com/x.jpg",
    "https://\uff49.ytimg.com/x.jpg",  # fullwidth i
    "https://i.ytimg\u3002com/x.jpg",  # ideographic full stop
    "https://xn--i-7iq.ytimg.com/x.jpg",
    "https://xn--ytimg-8za.com/x.jpg",
    # trailing dots, mixed case, suffix and prefix tricks
    "https://i.ytimg.com../x.jpg",
    "https://i.ytimg.com.evil.example/x.jpg",
    "https://I.YTIMG.COM.EVIL.EXAMPLE./x.jpg",
    "https://evil-i.ytimg.com/x.jpg",
    "https://i10.ytimg.com/x.jpg",
    "https://ytimg.com/x.jpg",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "",
]

# Allowlisted host, hostile DNS answers (502); the production address policy decides.
DNS_ANSWERS = [
    ["127.0.0.1"],
    ["169.254.169.254"],
    ["10.0.0.1"],
    ["::1"],
    ["::ffff:127.0.0.1"],
    ["100.64.0.1"],
    ["0.0.0.0"],
    ["172.16.5.4"],
    ["192.168.1.1"],
    ["fd00:ec2::254"],
    ["fe80::1%1"],
    ["224.0.0.1"],
    ["255.255.255.255"],
    ["::"],
    ["64:ff9b::a9fe:a9fe"],
    ["2002:7f00:1::1"],
    ["142.250.72.14", "10.0.0.1"],  # a public answer next to a private one refuses the host
    ["not-an-address"],
    [],
]

# The test server answers the first hop with a redirect; the next hop must be refused.
# (Location, DNS for the next hop): refused by the URL policy, or by the address policy.
REDIRECTS = [
    ("https://169.254.169.254/latest/meta-data/", {}),
    ("http://i.ytimg.com/x.jpg", {}),
    ("https://evil.example/x.jpg", {}),
    ("//169.254.169.254/latest/meta-data/", {}),
    ("https://i.ytimg.com:8080/x.jpg", {}),
    ("file:///etc/passwd", {}),
    ("https://i.ytimg.com\\@evil.example/", {}),
    ("https://i1.ytimg.com/x.jpg", {"i1.ytimg.com": ["169.254.169.254"]}),
    ("https://i2.ytimg.com/x.jpg", {"i2.ytimg.com": ["10.0.0.1"]}),
    ("https://i3.ytimg.com/x.jpg", {"i3.ytimg.com": ["::1"]}),
    ("https://i4.ytimg.com/x.jpg", {"i4.ytimg.com": ["::ffff:127.0.0.1"]}),
    ("https://i5.ytimg.com/x.jpg", {"i5.ytimg.com": ["fd00:ec2::254"]}),
]


@pytest.fixture
def upstream():
    server = TlsUpstream()
    yield server
    server.close()


def _call(rest_event, lambda_context, url):
    event = rest_event(
        method="GET", path="/api/thumbnail", body=None, headers={"Accept": "image/*"}, query={"url": url}
    )
    result = handler.lambda_handler(event, lambda_context)
    return result["statusCode"], result


def _error_json(result):
    body = json.loads(result["body"])
    assert set(body) <= {"error", "details"} and body["error"]
    assert result["isBase64Encoded"] is False
    return body


@pytest.mark.parametrize("url", URL_POLICY)
def test_thumbnail_hostile_url_refused_400_without_lookup_or_connect(
    url, upstream, monkeypatch, rest_event, lambda_context
):
    lookups: list[str] = []
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={}, lookups=lookups))
    recorder = ConnectRecorder(monkeypatch)
    status, result = _call(rest_event, lambda_context, url)
    assert status == 400, url
    _error_json(result)
    assert recorder.connects == [] and recorder.name_lookups() == [] and lookups == []
    assert upstream.requests == []


@pytest.mark.parametrize("answers", DNS_ANSWERS, ids=lambda a: ",".join(a) or "empty")
def test_thumbnail_hostile_dns_answer_refused_502_without_connect(
    answers, upstream, monkeypatch, rest_event, lambda_context
):
    lookups: list[str] = []
    # The production address policy, with a resolver that lies.
    monkeypatch.setattr(
        handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": answers}, policy=is_public, lookups=lookups)
    )
    recorder = ConnectRecorder(monkeypatch)
    status, result = _call(rest_event, lambda_context, "https://i.ytimg.com" + THUMB)
    assert status == 502
    _error_json(result)
    assert lookups == ["i.ytimg.com"]  # resolved once
    assert recorder.connects == [] and recorder.name_lookups() == [] and upstream.requests == []


@pytest.mark.parametrize("location,dns", REDIRECTS, ids=[r[0] for r in REDIRECTS])
def test_thumbnail_hostile_redirect_refused_502_only_first_hop_connected(
    location, dns, upstream, monkeypatch, rest_event, lambda_context
):
    upstream.routes[THUMB] = Reply(302, {"Location": location, "Content-Type": "text/html"}, b"moved")
    lookups: list[str] = []
    monkeypatch.setattr(
        handler,
        "fetcher",
        upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"], **dns}, policy=loopback_or_public, lookups=lookups),
    )
    recorder = ConnectRecorder(monkeypatch)
    status, result = _call(rest_event, lambda_context, "https://i.ytimg.com" + THUMB)
    assert status == 502
    expected = "forbidden address" if dns else "redirected to a URL that is not allowed"
    assert expected in _error_json(result)["error"]
    assert recorder.connects == [("127.0.0.1", upstream.port)]  # the vetted first hop, nothing else
    assert recorder.name_lookups() == [] and len(upstream.requests) == 1
    assert lookups == ["i.ytimg.com", *dns]


def test_thumbnail_hostile_third_redirect_is_not_followed(upstream, monkeypatch, rest_event, lambda_context):
    for hop in range(4):
        upstream.routes[f"/hop{hop}"] = Reply(302, {"Location": f"/hop{hop + 1}"}, b"")
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={"i.ytimg.com": ["127.0.0.1"]}))
    recorder = ConnectRecorder(monkeypatch)
    status, result = _call(rest_event, lambda_context, "https://i.ytimg.com/hop0")
    assert status == 502 and "too many" in _error_json(result)["error"]
    assert [r["path"] for r in upstream.requests] == ["/hop0", "/hop1", "/hop2"]
    assert recorder.connects == [("127.0.0.1", upstream.port)] * 3


def test_thumbnail_hostile_duplicate_url_parameter_is_400(monkeypatch, rest_event, lambda_context, upstream):
    monkeypatch.setattr(handler, "fetcher", upstream.fetcher(dns={}))
    recorder = ConnectRecorder(monkeypatch)
    event = rest_event(method="GET", path="/api/thumbnail", body=None, query={"url": "https://i.ytimg.com/a.jpg"})
    event["multiValueQueryStringParameters"] = {"url": ["https://i.ytimg.com/a.jpg", "https://10.0.0.1/"]}
    result = handler.lambda_handler(event, lambda_context)
    assert result["statusCode"] == 400 and recorder.connects == []
