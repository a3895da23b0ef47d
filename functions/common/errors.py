"""Typed errors. Each class carries its HTTP status, so the mapping lives here and
nowhere else: handlers raise, `functions.common.http` renders `{"error", "details"}`."""

from __future__ import annotations


class ApiError(Exception):
    """An error that is safe to show a caller. `message` and `details` end up in the response."""

    status = 500
    reason = "internal"

    def __init__(self, message: str, details: str, *, reason: str | None = None, retry_after_s: int | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        self.retry_after_s = retry_after_s  # sent as Retry-After (seconds) by functions.common.http
        if reason:
            self.reason = reason

    def body(self) -> dict[str, str]:
        return {"error": self.message, "details": self.details}


class BadRequest(ApiError):
    status, reason = 400, "bad_request"


class Forbidden(ApiError):
    status, reason = 403, "forbidden"


class NotFound(ApiError):
    status, reason = 404, "not_found"


class PayloadTooLarge(ApiError):
    status, reason = 413, "too_large"


class TooManyRequests(ApiError):
    status, reason = 429, "throttled"


class InternalError(ApiError):
    status, reason = 500, "internal"


class BadGateway(ApiError):
    status, reason = 502, "bad_gateway"


class ServiceUnavailable(ApiError):
    status, reason = 503, "unavailable"


class GatewayTimeout(ApiError):
    status, reason = 504, "timeout"
