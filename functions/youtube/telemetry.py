"""The youtube function's metrics: CacheHit, CacheMiss, CacheError and YouTubeFailure by reason.

Powertools' `Metrics` shares one dimension set per flush, so a per-failure `reason` dimension
goes out as its own EMF line (`single_metric`), which, unlike `Metrics`, ignores
POWERTOOLS_METRICS_DISABLED; we honour that variable here."""

from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit, single_metric


def _disabled() -> bool:
    return os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() in ("1", "true", "yes", "on")


class Telemetry:
    def __init__(self, metrics, *, service: str = "youtube"):
        self._metrics, self._service = metrics, service

    def cache(self, hit: bool) -> None:
        self._metrics.add_metric(name="CacheHit" if hit else "CacheMiss", unit=MetricUnit.Count, value=1)

    def cache_error(self, operation: str) -> None:
        self._metrics.add_metric(name="CacheError", unit=MetricUnit.Count, value=1)

    def failure(self, reason: str) -> None:
        if _disabled():
            return
        with single_metric(
            name="YouTubeFailure",
            unit=MetricUnit.Count,
            value=1,
            namespace=self._metrics.namespace,
            default_dimensions={"service": self._service},
        ) as metric:
            metric.add_dimension(name="reason", value=reason)
