"""Time budgets built on the Lambda context.

API Gateway's REST integration gives up after 29 s and Lambda kills the function at its
own timeout; both leave the caller without our error JSON. So every step asks the deadline
first, and we answer 504 ourselves while there is still `reserve` left to do it."""

from __future__ import annotations

import time
from collections.abc import Callable

from functions.common.errors import GatewayTimeout

# API Gateway REST integration timeout (seconds); hard limit for the default quota.
API_GATEWAY_LIMIT_S = 29.0


class Deadline:
    """Remaining time for one invocation.

    Parameters
    ----------
    remaining_ms : callable returning the milliseconds left (``context.get_remaining_time_in_millis``)
    reserve_s : seconds kept back to build and return the error response
    limit_s : an outer bound (the API Gateway limit) measured from construction
    clock : monotonic clock in seconds, injectable for tests
    """

    def __init__(
        self,
        remaining_ms: Callable[[], int],
        *,
        reserve_s: float = 1.0,
        limit_s: float | None = API_GATEWAY_LIMIT_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._remaining_ms = remaining_ms
        self._clock = clock
        self._limit_end = clock() + limit_s if limit_s else None
        self.reserve_s = reserve_s

    @classmethod
    def from_context(cls, context, **kwargs) -> Deadline:
        getter = getattr(context, "get_remaining_time_in_millis", None)
        if getter is None:  # direct calls outside Lambda: only the API limit applies
            return cls(lambda: 10**9, **kwargs)
        return cls(getter, **kwargs)

    def remaining(self) -> float:
        """Seconds left for work, after the reserve, never negative."""
        left = self._remaining_ms() / 1000.0
        if self._limit_end is not None:
            left = min(left, self._limit_end - self._clock())
        return max(0.0, left - self.reserve_s)

    def require(self, seconds: float, step: str) -> float:
        """Raise 504 unless `seconds` remain for `step`; return what remains."""
        left = self.remaining()
        if left < seconds:
            raise GatewayTimeout(
                "The request could not finish in time",
                f"{step} needs about {seconds:.1f} s but only {left:.1f} s remain",
                reason="deadline",
            )
        return left
