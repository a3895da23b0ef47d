"""Builds the youtube function's dependencies from its settings, once per container."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from functions.youtube import cache, config, invoker, transcode
from functions.youtube.secret_store import SecretStore
from functions.youtube.service import Deps
from functions.youtube.telemetry import Telemetry


def _aws_client(service: str, *, read_timeout: int, attempts: int = 2) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        config=Config(
            connect_timeout=1, read_timeout=read_timeout, retries={"max_attempts": attempts, "mode": "standard"}
        ),
    )


def _analysis(settings: config.Settings, *, logger: Any, local_handler: str | None) -> invoker.AnalysisInvoker:
    if settings.invoker == "lambda":
        return invoker.LambdaInvoker(settings.analysis_function)
    # Dev seams live in functions/local_api, which the build never zips: imported only here,
    # when a setting that config.from_env refuses inside Lambda asks for them.
    from functions.local_api.invoker import LocalInvoker

    local = LocalInvoker(local_handler, logger=logger)
    # Importing librosa takes many seconds cold; start it now, not inside the first request.
    threading.Thread(target=local.warm, daemon=True, name="analysis-warmup").start()
    return local


def _dev_extractor(settings: config.Settings):
    if not settings.dev_media_url:
        return None
    from functions.local_api import devextractor  # dev seam; see _analysis

    return devextractor.factory(settings.dev_media_url)


def build(env: Mapping[str, str], *, logger: Any, metrics: Any, local_handler: str | None = None) -> Deps:
    """The dependencies for `env`. `local_handler` names the analysis handler an in-process
    invoker calls (tests pass a stand-in); by default the real one."""
    settings = config.from_env(env)
    telemetry = Telemetry(metrics, logger=logger)
    inner: cache.Cache
    if settings.cache_table:
        inner = cache.DynamoCache(
            client=_aws_client("dynamodb", read_timeout=2),
            table=settings.cache_table,
            ttl_days=settings.cache_ttl_days,
            ttl_attribute=settings.cache_ttl_attribute,
        )
    else:
        inner = cache.EmbeddedCache(path=settings.local_cache_path or ":memory:", ttl_days=settings.cache_ttl_days)
    if not settings.deno_path and not settings.dev_media_url:
        logger.warning("no deno found; yt-dlp will extract YouTube without a JS runtime and may miss formats")
    secrets = SecretStore(
        # One try (1 s to connect, 2 s per socket read): it runs inside a request, and a failed read
        # is retried a minute later anyway.
        client_factory=lru_cache(maxsize=1)(lambda: _aws_client("secretsmanager", read_timeout=2, attempts=1)),
        cookies_arn=settings.cookies_secret_arn,
        proxy_arn=settings.proxy_secret_arn,
        logger=logger,
    )
    return Deps(
        settings=settings,
        cache=cache.SafeCache(inner, logger=logger, on_error=telemetry.cache_error),
        invoker=_analysis(settings, logger=logger, local_handler=local_handler),
        secrets=secrets,
        telemetry=telemetry,
        logger=logger,
        ffmpeg=lru_cache(maxsize=1)(lambda: transcode.find_ffmpeg(settings.ffmpeg_path)),
        extractor_factory=_dev_extractor(settings),
    )
