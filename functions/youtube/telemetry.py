"""The youtube function's telemetry. YouTubeFailure by reason is the one custom metric: no free
metric tells a refusal by YouTube from a bad URL. Cache hits, misses and errors are log fields
(`cache_hit`, `cache_error`), queried on demand with Logs Insights instead of paid metrics.

Powertools' `Metrics` shares one dimension set per flush, so a per-failure `reason` dimension
goes out as its own EMF line (`single_metric`), which, unlike `Metrics`, ignores
POWERTOOLS_METRICS_DISABLED; we honour that variable here."""

from __future__ import annotations

import os

from aws_lambda_powertools.metrics import MetricUnit, single_metric


def _disabled() -> bool:
    return os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() in ("1", "true", "yes", "on")


class Telemetry:
    def __init__(self, metrics, *, logger=None, service: str = "youtube"):
        self._metrics, self._logger, self._service = metrics, logger, service

    def cache(self, hit: bool) -> None:
        if self._logger is not None:
            self._logger.info("analysis cache lookup", extra={"cache_hit": hit})

    def cache_error(self, operation: str) -> None:
        if self._logger is not None:
            self._logger.warning("analysis cache error", extra={"cache_error": operation})

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
