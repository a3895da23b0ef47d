"""The youtube function's settings, read once from the environment (functions/settings.json
sets them in AWS and for `make serve`)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from functions.common.errors import InternalError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Dev/test switch: extraction answered by a local media server (see README "YouTube").
DEV_MEDIA_ENV = "YOUTUBE_DEV_MEDIA_URL"


@dataclass(frozen=True)
class Settings:
    max_duration_s: int = 600
    max_download_bytes: int = 25 * 1024 * 1024
    cache_table: str | None = None
    cache_ttl_days: float = 30.0
    cache_ttl_attribute: str = "expires_at"
    local_cache_path: str | None = None
    analyzer_version: str = "1.1.0"  # = functions.analysis.analyzer.ANALYZER_VERSION (a test checks)
    analysis_function: str = "analysis"
    invoker: str = "local"  # "lambda" (boto3) or "local" (in-process)
    cookies_secret_arn: str | None = None
    proxy_secret_arn: str | None = None
    work_root: Path = Path(tempfile.gettempdir())
    dev_media_url: str | None = None
    deno_path: str | None = None
    ffmpeg_path: str | None = None


def _number(env: Mapping[str, str], name: str, default, kind=int, minimum=1):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise InternalError("The youtube function is misconfigured", f"{name} must be a number") from None
    if value < minimum:
        raise InternalError("The youtube function is misconfigured", f"{name} must be at least {minimum}")
    return value


def find_deno(env: Mapping[str, str]) -> str | None:
    """deno for yt-dlp's JS challenges: DENO_PATH, PATH, or the youtube-tools layer's /opt/bin."""
    for candidate in (env.get("DENO_PATH"), shutil.which("deno"), "/opt/bin/deno"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def dev_media_url(env: Mapping[str, str]) -> str | None:
    """The dev switch, honoured only outside Lambda and only for a loopback server."""
    url = env.get(DEV_MEDIA_ENV, "").strip()
    if not url:
        return None
    if env.get("AWS_LAMBDA_FUNCTION_NAME"):  # set by Lambda in every function; never by the local API
        raise InternalError(
            "The youtube function is misconfigured",
            f"{DEV_MEDIA_ENV} is a local development switch and is refused inside Lambda",
        )
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise InternalError(
            "The youtube function is misconfigured", f"{DEV_MEDIA_ENV} must be an http:// URL on 127.0.0.1 or localhost"
        )
    return url.rstrip("/")


def from_env(env: Mapping[str, str] = os.environ) -> Settings:
    in_lambda = bool(env.get("AWS_LAMBDA_FUNCTION_NAME"))
    invoker = env.get("ANALYSIS_INVOKER", "").strip().lower() or ("lambda" if in_lambda else "local")
    if invoker not in ("lambda", "local"):
        raise InternalError("The youtube function is misconfigured", "ANALYSIS_INVOKER must be lambda or local")
    if invoker == "local" and in_lambda:
        raise InternalError("The youtube function is misconfigured", "ANALYSIS_INVOKER=local is refused inside Lambda")
    return Settings(
        max_duration_s=_number(env, "MAX_DURATION_SECONDS", 600),
        max_download_bytes=_number(env, "MAX_DOWNLOAD_MB", 25) * 1024 * 1024,
        # CACHE_TABLE_NAME is what Terraform sets; CACHE_TABLE is accepted for local runs.
        cache_table=env.get("CACHE_TABLE") or env.get("CACHE_TABLE_NAME") or None,
        cache_ttl_days=_number(env, "CACHE_TTL_DAYS", 30.0, kind=float, minimum=0.001),
        cache_ttl_attribute=env.get("CACHE_TTL_ATTRIBUTE") or "expires_at",
        local_cache_path=env.get("YOUTUBE_LOCAL_CACHE_PATH") or None,
        analyzer_version=env.get("ANALYZER_VERSION") or Settings.analyzer_version,
        analysis_function=env.get("ANALYSIS_FUNCTION_NAME") or "analysis",
        invoker=invoker,
        # Secret name (as Terraform's function_secrets sets it) or ARN; GetSecretValue takes either.
        cookies_secret_arn=env.get("YOUTUBE_COOKIES_SECRET") or env.get("YOUTUBE_COOKIES_SECRET_ARN") or None,
        proxy_secret_arn=env.get("YOUTUBE_PROXY_SECRET") or env.get("YOUTUBE_PROXY_SECRET_ARN") or None,
        work_root=Path(env.get("YOUTUBE_WORK_DIR") or tempfile.gettempdir()),
        dev_media_url=dev_media_url(env),
        deno_path=find_deno(env),
        ffmpeg_path=env.get("FFMPEG_PATH") or None,
    )
