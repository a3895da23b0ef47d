"""Logger and metrics for one function. Tracing lives in `functions.common.tracing`.

JSON logs carry the function (service) name, cold_start and the API Gateway request id
as correlation id; metrics are EMF in a namespace per project and environment."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths  # noqa: F401  (re-exported for handlers)

from functions.common.config import env_str

DEFAULT_NAMESPACE = "music-poetry-local"


def logger_for(service: str) -> Logger:
    return Logger(service=service, log_uncaught_exceptions=False)


def metrics_for(service: str) -> Metrics:
    namespace = env_str(os.environ, "POWERTOOLS_METRICS_NAMESPACE", DEFAULT_NAMESPACE)
    return Metrics(namespace=namespace, service=service)
