"""HTTP edge of the youtube function: query in, domain call, contract out."""

import os
import time
from functools import cache

from aws_lambda_powertools.event_handler import Response, content_types

from functions.common.contract import route
from functions.common.deadline import API_GATEWAY_LIMIT_S, Deadline
from functions.common.http import make_resolver, query_value
from functions.common.observability import correlation_paths, logger_for, metrics_for
from functions.common.tracing import tracer_for
from functions.youtube import IMPORT_STARTED, budget, service, wiring

logger = logger_for("youtube")
metrics = metrics_for("youtube")
tracer = tracer_for("youtube")
app = make_resolver(logger)
# API Gateway's 29 s include a cold start's imports; Lambda's own timeout does not.
_unbilled_init_s = [time.monotonic() - IMPORT_STARTED]


@cache
def deps() -> service.Deps:
    return wiring.build(os.environ, logger=logger, metrics=metrics)


def _deadline(context) -> Deadline:
    init_s = _unbilled_init_s.pop() if _unbilled_init_s else 0.0  # first request only
    return Deadline.from_context(context, reserve_s=budget.RESERVE_S, limit_s=API_GATEWAY_LIMIT_S - init_s)


@route(app, "getYoutubeInfo")
@tracer.capture_method
def get_info():
    deadline = _deadline(app.lambda_context)
    return service.video_info(query_value(app.current_event, "url"), deps=deps(), deadline=deadline)


@route(app, "getYoutubeAudioWithAnalysis")
@tracer.capture_method
def get_audio_with_analysis():
    deadline = _deadline(app.lambda_context)
    body, hit = service.audio_with_analysis(query_value(app.current_event, "url"), deps=deps(), deadline=deadline)
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"X-Cache": "Hit" if hit else "Miss"},
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics  # cold starts: Lambda's REPORT lines (Init Duration), no paid metric
@tracer.capture_lambda_handler
def lambda_handler(event, context):
    return app.resolve(event, context)
