"""Builds the youtube function's dependencies from its settings, once per container."""

from __future__ import annotations

import threading
from functools import lru_cache

from functions.youtube import cache, config, devextractor, invoker, transcode
from functions.youtube.secret_store import SecretStore
from functions.youtube.service import Deps
from functions.youtube.telemetry import Telemetry


def _aws_client(service: str, *, read_timeout: int):
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        config=Config(connect_timeout=1, read_timeout=read_timeout, retries={"max_attempts": 2, "mode": "standard"}),
    )


def build(env, *, logger, metrics, local_handler: str = invoker.LOCAL_HANDLER) -> Deps:
    settings = config.from_env(env)
    telemetry = Telemetry(metrics, logger=logger)
    if settings.cache_table:
        inner = cache.DynamoCache(
            client=_aws_client("dynamodb", read_timeout=2),
            table=settings.cache_table,
            ttl_days=settings.cache_ttl_days,
            ttl_attribute=settings.cache_ttl_attribute,
        )
    else:
        inner = cache.EmbeddedCache(path=settings.local_cache_path or ":memory:", ttl_days=settings.cache_ttl_days)
    if settings.invoker == "lambda":
        analysis = invoker.LambdaInvoker(settings.analysis_function)
    else:
        analysis = invoker.LocalInvoker(local_handler, logger=logger)
        # Importing librosa takes many seconds cold; start it now, not inside the first request.
        threading.Thread(target=_warm, args=(analysis,), daemon=True, name="analysis-warmup").start()
    if not settings.deno_path and not settings.dev_media_url:
        logger.warning("no deno found; yt-dlp will extract YouTube without a JS runtime and may miss formats")
    secrets = SecretStore(
        client_factory=lru_cache(maxsize=1)(lambda: _aws_client("secretsmanager", read_timeout=3)),
        cookies_arn=settings.cookies_secret_arn,
        proxy_arn=settings.proxy_secret_arn,
        logger=logger,
    )
    return Deps(
        settings=settings,
        cache=cache.SafeCache(inner, logger=logger, on_error=telemetry.cache_error),
        invoker=analysis,
        secrets=secrets,
        telemetry=telemetry,
        logger=logger,
        ffmpeg=lru_cache(maxsize=1)(lambda: transcode.find_ffmpeg(settings.ffmpeg_path)),
        extractor_factory=devextractor.factory(settings.dev_media_url) if settings.dev_media_url else None,
    )


def _warm(local: invoker.LocalInvoker) -> None:
    try:
        local._handler()
    except Exception:  # noqa: BLE001 - reported properly by the first real invoke
        pass
