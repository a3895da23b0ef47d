"""Which URLs the thumbnail proxy accepts: https, an allowlisted host, port 443, nothing else.

The URL is parsed here by hand instead of with `urllib.parse`, because URL parsers disagree
on exactly the inputs an attacker sends (backslashes, `@`, `%2F`, tabs, unicode dots), and a
check made with one parser is worthless if the request is made with another. So anything a
parser could read two ways is refused, and what is accepted is re-serialised from parts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from functions.common.errors import BadRequest

DEFAULT_ALLOWED_HOSTS = ("i.ytimg.com", *(f"i{n}.ytimg.com" for n in range(1, 10)), "img.youtube.com")
MAX_URL_LENGTH = 2048

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
# RFC 3986 pchar, plus "/" (path) or "/?" (query); "%" only as a complete escape.
_PATH = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*\Z")
_QUERY = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*\Z")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# WHATWG's "ends in a number" rule: such a host is parsed as IPv4 (127.1, 0x7f.1, 2130706433).
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)\Z")


@dataclass(frozen=True)
class ThumbnailUrl:
    host: str  # lower case, no trailing dot, on the allowlist
    target: str  # path and query as sent in the request line, starting with "/"

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.target}"


def _refuse(message: str, details: str) -> BadRequest:
    return BadRequest(message, details, reason="url_policy")


def normalise_host(text: str) -> str:
    """Percent-decode, lower-case and drop one trailing dot; refuse anything but a DNS name."""
    if "%" in text and not re.fullmatch(r"(?:[^%]|%[0-9A-Fa-f]{2})*", text):
        raise _refuse("The URL host has a broken percent-escape", "A % must be followed by two hex digits")
    try:
        host = unquote_to_bytes(text).decode("ascii").lower()
    except UnicodeDecodeError:
        raise _refuse("The URL host must be plain ASCII", "Internationalised look-alike hosts are refused") from None
    if host.endswith("."):  # "i.ytimg.com." is the same DNS name
        host = host[:-1]
    labels = host.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        raise _refuse("IP addresses are not allowed in the URL", "Use an allowlisted host name")
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _refuse("The URL host is not a valid host name", "Use an allowlisted host name")
    return host


def _normalise_escapes(text: str) -> str:
    # RFC 3986 6.2.2: upper-case escapes and decode those of unreserved characters.
    def fix(match: re.Match) -> str:
        byte = int(match.group(1), 16)
        return chr(byte) if byte in _UNRESERVED else f"%{byte:02X}"

    return _ESCAPE.sub(fix, text)


def parse(raw: str | None, *, allowed_hosts: Iterable[str]) -> ThumbnailUrl:
    """Check a caller's URL against the policy; every refusal is a 400 saying why."""
    if not raw:
        raise _refuse("Query parameter url is required", "Pass the thumbnail's https URL as ?url=")
    if len(raw) > MAX_URL_LENGTH:
        raise _refuse("The URL is too long", f"The limit is {MAX_URL_LENGTH} characters")
    if any(not ("!" <= ch <= "~") for ch in raw):
        raise _refuse(
            "The URL must be printable ASCII without spaces",
            "Percent-encode other characters; internationalised look-alike hosts are refused",
        )
    if "\\" in raw:  # browsers read "\" as "/", other parsers as data: refuse the ambiguity
        raise _refuse("Backslashes are not allowed in the URL", "Use forward slashes")
    if raw[:8].lower() != "https://":
        raise _refuse("Only https URLs are allowed", "The URL must start with https://")
    rest = raw[8:].split("#", 1)[0]  # the fragment is never sent
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    authority, remainder = rest[:cut], rest[cut:]
    if "@" in authority:
        raise _refuse("User names and passwords are not allowed in the URL", "Remove the part before @")
    if "[" in authority or "]" in authority:
        raise _refuse("IP addresses are not allowed in the URL", "Use an allowlisted host name")
    host_text, colon, port = authority.partition(":")
    if colon and port != "443":
        raise _refuse("Only the default https port 443 is allowed", "Remove the :port from the URL")
    host = normalise_host(host_text)
    allowed = frozenset(allowed_hosts)
    if host not in allowed:
        raise _refuse("This host is not allowed", "Allowed hosts: " + ", ".join(sorted(allowed)))
    path, question, query = remainder.partition("?")  # path is "" or starts with "/"
    if not _PATH.match(path) or not _QUERY.match(query):
        raise _refuse(
            "The URL path or query has characters that must be percent-encoded",
            "Percent-encode spaces, quotes and non-ASCII characters",
        )
    target = _normalise_escapes(path or "/") + (question + _normalise_escapes(query) if question else "")
    return ThumbnailUrl(host=host, target=target)


def parse_allowlist(text: str) -> frozenset[str]:
    """`THUMBNAIL_ALLOWED_HOSTS`: a comma list of exact host names (no wildcards, no IPs)."""
    hosts = frozenset(normalise_host(part.strip()) for part in text.split(",") if part.strip())
    if not hosts:
        raise ValueError("the allowlist is empty")
    return hosts
