"""The thumbnail proxy's settings. The defaults are here and only here; functions/settings.json
and Terraform set what a deployment changes."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from functions.common.config import ConfigError, env_int, env_str
from functions.common.errors import ApiError
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


def from_env(environ: Mapping[str, str] = os.environ) -> Settings:
    """THUMBNAIL_ALLOWED_HOSTS (comma list of exact host names), THUMBNAIL_MAX_BYTES,
    THUMBNAIL_MAX_REDIRECTS (0 to 2); unset means the defaults."""
    raw_hosts = env_str(environ, "THUMBNAIL_ALLOWED_HOSTS")
    try:
        hosts = parse_allowlist(raw_hosts) if raw_hosts else frozenset(DEFAULT_ALLOWED_HOSTS)
    except (ApiError, ValueError):
        raise ConfigError("THUMBNAIL_ALLOWED_HOSTS", "must list host names (no IP addresses or wildcards)") from None
    return Settings(
        allowed_hosts=hosts,
        max_bytes=env_int(environ, "THUMBNAIL_MAX_BYTES", DEFAULT_MAX_BYTES, low=1, high=LIMIT_MAX_BYTES),
        max_redirects=env_int(environ, "THUMBNAIL_MAX_REDIRECTS", MAX_REDIRECTS, low=0, high=MAX_REDIRECTS),
    )
