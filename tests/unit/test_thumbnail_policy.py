"""URL policy, address policy and settings of the thumbnail proxy (pure functions, no sockets)."""

from __future__ import annotations

import pytest

from functions.common.errors import BadRequest, ServiceUnavailable
from functions.thumbnail import config
from functions.thumbnail.addresses import connect_address, embedded_ipv4, is_public, parse_address
from functions.thumbnail.urlpolicy import DEFAULT_ALLOWED_HOSTS, MAX_URL_LENGTH, ThumbnailUrl, parse, parse_allowlist

HOSTS = DEFAULT_ALLOWED_HOSTS


@pytest.mark.parametrize(
    "raw,host,target",
    [
        ("https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg", "i.ytimg.com", "/vi/dQw4w9WgXcQ/hqdefault.jpg"),
        ("HTTPS://I.YTIMG.COM/vi/x/0.jpg", "i.ytimg.com", "/vi/x/0.jpg"),  # scheme and host case
        ("https://i.ytimg.com./vi/x/0.jpg", "i.ytimg.com", "/vi/x/0.jpg"),  # one trailing dot
        ("https://i.ytimg.com:443/vi/x/0.jpg", "i.ytimg.com", "/vi/x/0.jpg"),
        ("https://i%2Eytimg.com/x.jpg", "i.ytimg.com", "/x.jpg"),  # percent-encoded host
        ("https://i9.ytimg.com", "i9.ytimg.com", "/"),
        ("https://img.youtube.com/vi/x/0.jpg#frag", "img.youtube.com", "/vi/x/0.jpg"),  # fragment never sent
        (
            "https://i.ytimg.com/vi/x/hq.jpg?sqp=-oay%3d%3d&rs=AOn4",
            "i.ytimg.com",
            "/vi/x/hq.jpg?sqp=-oay%3D%3D&rs=AOn4",
        ),
        ("https://i.ytimg.com/%7e/%2f/%41", "i.ytimg.com", "/~/%2F/A"),  # RFC 3986 escape normalisation
    ],
)
def test_thumbnail_urlpolicy_accepts_and_normalises(raw, host, target):
    url = parse(raw, allowed_hosts=HOSTS)
    assert url == ThumbnailUrl(host=host, target=target)
    assert url.url == f"https://{host}{target}"


@pytest.mark.parametrize(
    "raw,fragment",
    [
        (None, "required"),
        ("", "required"),
        ("https://i.ytimg.com/" + "a" * MAX_URL_LENGTH, "too long"),
        ("http://i.ytimg.com/x.jpg", "https"),
        ("https://i.ytimg.com/a b.jpg", "ASCII"),
        ("https://\u0456.ytimg.com/x.jpg", "ASCII"),
        ("https://i.ytimg.com\\@evil.example/", "Backslash"),
        ("https://u:p@i.ytimg.com/x.jpg", "User names"),
        ("https://[::1]/x.jpg", "IP addresses"),
        ("https://0x7f.1/x.jpg", "IP addresses"),
        ("https://2130706433/x.jpg", "IP addresses"),
        ("https://%31%32%37.0.0.1/", "IP addresses"),
        ("https://i.ytimg.com:8443/x.jpg", "port 443"),
        ("https://i.ytimg.com%zz/x.jpg", "percent-escape"),
        ("https://i.ytimg.com%C3%AD/x.jpg", "ASCII"),
        ("https://i.ytimg.com%2Fevil.example/", "not a valid host"),
        ("https://i.ytimg.com../", "not a valid host"),
        ("https://evil.example/x.jpg", "not allowed"),
        ("https://i.ytimg.com.evil.example/x.jpg", "not allowed"),
        ("https://i.ytimg.com/a%zz.jpg", "percent-encoded"),
        ("https://i.ytimg.com/a<b>.jpg", "percent-encoded"),
        ('https://i.ytimg.com/a.jpg?q="x"', "percent-encoded"),
    ],
)
def test_thumbnail_urlpolicy_refuses_with_reason(raw, fragment):
    with pytest.raises(BadRequest) as info:
        parse(raw, allowed_hosts=HOSTS)
    assert info.value.status == 400
    assert fragment.lower() in (info.value.message + " " + (info.value.details or "")).lower()


def test_thumbnail_urlpolicy_allowlist_is_exact_not_suffix():
    assert parse("https://cdn.example/x.jpg", allowed_hosts={"cdn.example"}).host == "cdn.example"
    for raw in ("https://a.cdn.example/x.jpg", "https://cdn.example.org/x.jpg", "https://i.ytimg.com/x.jpg"):
        with pytest.raises(BadRequest):
            parse(raw, allowed_hosts={"cdn.example"})


def test_thumbnail_urlpolicy_parse_allowlist_normalises_and_refuses_addresses():
    assert parse_allowlist(" I.YTIMG.COM. , img.youtube.com,") == {"i.ytimg.com", "img.youtube.com"}
    for bad in ("", " , ", "10.0.0.1", "*.ytimg.com", "i.ytimg.com:443", "[::1]"):
        with pytest.raises((BadRequest, ValueError)):
            parse_allowlist(bad)


@pytest.mark.parametrize(
    "text",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.0.8",
        "192.0.2.1",
        "198.18.0.1",
        "198.51.100.7",
        "203.0.113.9",
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "::8.8.8.8",
        "fe80::1",
        "fe80::1%1",
        "fec0::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "ff0e::1",
        "2001:db8::1",
        "2001::1",
        "2002:7f00:1::1",
        "64:ff9b::7f00:1",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::1",
        "100::1",
        "3fff::1",
    ],
)
def test_thumbnail_addresses_refuses_non_public(text):
    assert is_public(parse_address(text)) is False


@pytest.mark.parametrize(
    "text", ["142.250.72.14", "8.8.8.8", "2607:f8b0:4005:80b::200e", "::ffff:142.250.72.14", "64:ff9b::8efa:480e"]
)  # the last is 142.250.72.14 through NAT64
def test_thumbnail_addresses_accepts_public_unicast(text):
    assert is_public(parse_address(text)) is True


def test_thumbnail_addresses_ipv4_mapped_is_dialled_as_ipv4():
    mapped = parse_address("::ffff:142.250.72.14")
    assert str(embedded_ipv4(mapped)) == "142.250.72.14" and str(connect_address(mapped)) == "142.250.72.14"
    assert str(embedded_ipv4(parse_address("64:ff9b::a00:1"))) == "10.0.0.1"
    assert embedded_ipv4(parse_address("2607:f8b0::1")) is None


def test_thumbnail_config_defaults():
    assert config.from_env({}).max_bytes == 2 * 1024 * 1024 and config.from_env({}).max_redirects == 2
    assert config.from_env({}).allowed_hosts == frozenset(DEFAULT_ALLOWED_HOSTS)


@pytest.mark.parametrize(
    "env",
    [
        {"THUMBNAIL_MAX_BYTES": "lots"},
        {"THUMBNAIL_MAX_BYTES": "0"},
        {"THUMBNAIL_MAX_BYTES": str(config.LIMIT_MAX_BYTES + 1)},
        {"THUMBNAIL_MAX_REDIRECTS": "3"},
        {"THUMBNAIL_MAX_REDIRECTS": "-1"},
        {"THUMBNAIL_ALLOWED_HOSTS": "169.254.169.254"},
        {"THUMBNAIL_ALLOWED_HOSTS": "*.ytimg.com"},
    ],
)
def test_thumbnail_config_bad_values_are_503(env):
    with pytest.raises(ServiceUnavailable) as info:
        config.from_env(env)
    assert next(iter(env)) in info.value.details
