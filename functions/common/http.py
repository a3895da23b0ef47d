"""Resolver set-up shared by the HTTP functions: CORS from ALLOWED_ORIGINS and the one place
where errors become status codes and `{"error", "details"}` bodies."""

from __future__ import annotations

import os
import threading

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from functions.common.errors import ApiError, BadRequest, NotFound

CORS_MAX_AGE_S = 600


def allowed_origins() -> list[str]:
    raw = os.environ.get("ALLOWED_ORIGINS", "*")
    origins = [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]
    return origins or ["*"]


def cors_config() -> CORSConfig:
    first, *extra = allowed_origins()
    return CORSConfig(
        allow_origin=first,
        extra_origins=extra or None,
        max_age=CORS_MAX_AGE_S,
        expose_headers=["Content-Type", "Retry-After"],  # a browser script may read only exposed headers
    )


def error_response(exc: ApiError) -> Response:
    headers = {"Retry-After": str(max(1, int(exc.retry_after_s)))} if exc.retry_after_s is not None else None
    return Response(
        status_code=exc.status, content_type=content_types.APPLICATION_JSON, body=exc.body(), headers=headers
    )


def query_value(event, name: str) -> str | None:
    """The one value of query parameter `name`, None when absent; a 400 when it is repeated
    (API Gateway's single-value map would silently keep the last one)."""
    values = (event.multi_value_query_string_parameters or {}).get(name) or [event.get_query_string_value(name)]
    if len(values) > 1:
        raise BadRequest(f"Give the {name} parameter once", f"The query string repeats {name}")
    return values[0]


_invocation = threading.local()


class Resolver(APIGatewayRestResolver):
    """REST (v1) resolver that also sends `Vary: Origin`, because the allowed origin is echoed
    and any cache in front of the API must not serve one origin's answer to another.

    Powertools stores the current event on the BaseRouter *class*. Lambda runs one invocation
    per process, but the local API resolves several functions concurrently in one process, so
    the event and context are kept per thread here."""

    _origins_env: str = "*"
    current_event = property(lambda self: _invocation.event)
    lambda_context = property(lambda self: _invocation.context)

    def _to_proxy_event(self, event):
        proxy = super()._to_proxy_event(event)
        _invocation.event = proxy
        return proxy

    def resolve(self, event, context):
        # Lambda fixes the environment per container; the local API and tests may change
        # ALLOWED_ORIGINS after import, so the CORS config follows it (cheap: one env read).
        if os.environ.get("ALLOWED_ORIGINS", "*") != self._origins_env:
            self._origins_env = os.environ.get("ALLOWED_ORIGINS", "*")
            self._cors = cors_config()
        _invocation.context = context
        result = super().resolve(event, context)
        multi = result.get("multiValueHeaders")
        if multi is not None:
            multi.setdefault("Vary", ["Origin"])
        else:
            result.setdefault("headers", {}).setdefault("Vary", "Origin")
        return result


def make_resolver(logger) -> Resolver:
    app = Resolver(cors=cors_config())
    app._origins_env = os.environ.get("ALLOWED_ORIGINS", "*")

    @app.exception_handler(ApiError)
    def _api_error(exc: ApiError):
        log = logger.warning if exc.status < 500 else logger.error
        log("request failed", extra={"status": exc.status, "reason": exc.reason, "error": exc.message})
        return error_response(exc)

    @app.not_found
    def _not_found(_exc: NotFoundError):
        return error_response(NotFound("Not found", "No route matches this path and method"))

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception):
        # The trace goes to the log only; the caller gets a generic message.
        logger.exception("unhandled error")
        return error_response(ApiError("Internal server error", "The error was logged"))

    return app
