"""Direct-invocation edge of the internal analysis function (never behind API Gateway).

Event: {"audio": "<base64>", "format": "ogg"|"flac"|"wav"|"mp3", "source": {...}}
Result: {"analysis": {...}, "source": {...}} or {"error", "details", "status"} for bad input.
A Lambda invoked directly has no HTTP status, so the status travels in the payload."""

import os

# Lambda's package directory is read-only and librosa decorates functions with numba
# cache=True at import, which fails there without a writable cache dir ("no locator available").
# The analysis itself no longer imports librosa (spectrum.mel_filters); this keeps any later
# import of it (a layer tool, a future feature) working.
os.environ.setdefault("NUMBA_CACHE_DIR", "/tmp/numba_cache")

from functions.analysis import events  # noqa: E402  (after NUMBA_CACHE_DIR on purpose)
from functions.common.observability import logger_for, metrics_for  # noqa: E402
from functions.common.tracing import tracer_for  # noqa: E402

logger = logger_for("analysis")
metrics = metrics_for("analysis")
tracer = tracer_for("analysis")


@logger.inject_lambda_context(correlation_id_path="source.requestId")  # set by youtube: the API request id
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event, context):
    return events.handle(event, logger=logger, metrics=metrics)
