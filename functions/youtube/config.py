"""The youtube function's settings, read once from the environment. The defaults are here and
only here; functions/settings.json and Terraform set what a deployment changes."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from functions.common.config import ConfigError, env_choice, env_float, env_int, env_str
from functions.common.versions import ANALYZER_VERSION

MB = 1024 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Dev/test switch: extraction answered by a local media server (see docs/youtube.md).
DEV_MEDIA_ENV = "YOUTUBE_DEV_MEDIA_URL"


@dataclass(frozen=True)
class Settings:
    max_duration_s: int = 600
    max_download_bytes: int = 25 * 1024 * 1024
    cache_table: str | None = None
    cache_ttl_days: float = 30.0
    cache_ttl_attribute: str = "expires_at"
    local_cache_path: str | None = None
    analyzer_version: str = ANALYZER_VERSION
    analysis_function: str = "analysis"
    invoker: str = "local"  # "lambda" (boto3) or "local" (in-process)
    cookies_secret_arn: str | None = None
    proxy_secret_arn: str | None = None
    work_root: Path = Path(tempfile.gettempdir())
    dev_media_url: str | None = None
    deno_path: str | None = None
    ffmpeg_path: str | None = None


def find_deno(env: Mapping[str, str]) -> str | None:
    """deno for yt-dlp's JS challenges: DENO_PATH, PATH, or the youtube-tools layer's /opt/bin."""
    for candidate in (env.get("DENO_PATH"), shutil.which("deno"), "/opt/bin/deno"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def dev_media_url(env: Mapping[str, str]) -> str | None:
    """The dev switch, honoured only outside Lambda and only for a loopback server."""
    url = env_str(env, DEV_MEDIA_ENV)
    if url is None:
        return None
    if env.get("AWS_LAMBDA_FUNCTION_NAME"):  # set by Lambda in every function; never by the local API
        raise ConfigError(DEV_MEDIA_ENV, "is a local development switch and is refused inside Lambda")
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigError(DEV_MEDIA_ENV, "must be an http:// URL on 127.0.0.1 or localhost")
    return url.rstrip("/")


def from_env(env: Mapping[str, str] = os.environ) -> Settings:
    in_lambda = bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
    # In Lambda the analysis is another function; anywhere else it runs in-process.
    invoker = env_choice(env, "ANALYSIS_INVOKER", "lambda" if in_lambda else "local", ("lambda", "local"))
    if invoker == "local" and in_lambda:
        raise ConfigError("ANALYSIS_INVOKER", "may not be local inside Lambda (refused)")
    d = Settings
    return Settings(
        max_duration_s=env_int(env, "MAX_DURATION_SECONDS", d.max_duration_s, low=1),
        max_download_bytes=env_int(env, "MAX_DOWNLOAD_MB", d.max_download_bytes // MB, low=1) * MB,
        # CACHE_TABLE_NAME is what Terraform sets; CACHE_TABLE is accepted for local runs.
        cache_table=env_str(env, "CACHE_TABLE") or env_str(env, "CACHE_TABLE_NAME"),
        cache_ttl_days=env_float(env, "CACHE_TTL_DAYS", d.cache_ttl_days, low=0.001),
        cache_ttl_attribute=env_str(env, "CACHE_TTL_ATTRIBUTE", d.cache_ttl_attribute),
        local_cache_path=env_str(env, "YOUTUBE_LOCAL_CACHE_PATH"),
        analyzer_version=env_str(env, "ANALYZER_VERSION", d.analyzer_version),
        analysis_function=env_str(env, "ANALYSIS_FUNCTION_NAME", d.analysis_function),
        invoker=invoker,
        # Secret name (as Terraform's function_secrets sets it) or ARN; GetSecretValue takes either.
        cookies_secret_arn=env_str(env, "YOUTUBE_COOKIES_SECRET") or env_str(env, "YOUTUBE_COOKIES_SECRET_ARN"),
        proxy_secret_arn=env_str(env, "YOUTUBE_PROXY_SECRET") or env_str(env, "YOUTUBE_PROXY_SECRET_ARN"),
        work_root=Path(env_str(env, "YOUTUBE_WORK_DIR") or tempfile.gettempdir()),
        dev_media_url=dev_media_url(env),
        deno_path=find_deno(env),
        ffmpeg_path=env_str(env, "FFMPEG_PATH"),
    )
