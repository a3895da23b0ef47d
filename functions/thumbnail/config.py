"""The thumbnail proxy's settings, from the environment that functions/settings.json sets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from functions.common.errors import ApiError, ServiceUnavailable
from functions.thumbnail.fetch import MAX_REDIRECTS
from functions.thumbnail.urlpolicy import DEFAULT_ALLOWED_HOSTS, parse_allowlist

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
# Lambda's response limit is 6 MB and base64 adds a third: 4 MiB becomes about 5.6 MB.
LIMIT_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    allowed_hosts: frozenset[str]
    max_bytes: int
    max_redirects: int


def _misconfigured(details: str) -> ServiceUnavailable:
    return ServiceUnavailable("The thumbnail proxy is misconfigured", details, reason="config")


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _misconfigured(f"{name} must be an integer") from None
    if not low <= value <= high:
        raise _misconfigured(f"{name} must be between {low} and {high}")
    return value


def from_env(environ: Mapping[str, str] = os.environ) -> Settings:
    """THUMBNAIL_ALLOWED_HOSTS (comma list of exact host names), THUMBNAIL_MAX_BYTES,
    THUMBNAIL_MAX_REDIRECTS (0 to 2); unset means the defaults."""
    raw_hosts = environ.get("THUMBNAIL_ALLOWED_HOSTS", "").strip()
    try:
        hosts = parse_allowlist(raw_hosts) if raw_hosts else frozenset(DEFAULT_ALLOWED_HOSTS)
    except (ApiError, ValueError):
        raise _misconfigured("THUMBNAIL_ALLOWED_HOSTS must list host names (no IP addresses or wildcards)") from None
    return Settings(
        allowed_hosts=hosts,
        max_bytes=_int(environ, "THUMBNAIL_MAX_BYTES", DEFAULT_MAX_BYTES, 1, LIMIT_MAX_BYTES),
        max_redirects=_int(environ, "THUMBNAIL_MAX_REDIRECTS", MAX_REDIRECTS, 0, MAX_REDIRECTS),
    )
