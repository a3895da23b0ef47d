"""HTTP edge of the poetry function: contract in, domain call, contract out."""

import os

from functions.common.contract import parse_json_body, request_body, route
from functions.common.deadline import Deadline
from functions.common.http import make_resolver
from functions.common.observability import correlation_paths, logger_for, metrics_for
from functions.common.tracing import tracer_for
from functions.poetry import service, spend
from functions.poetry.poem import PoemRequest
from functions.poetry.providers import get_provider

logger = logger_for("poetry")
metrics = metrics_for("poetry")
tracer = tracer_for("poetry")
app = make_resolver(logger)


@route(app, "generatePoetry")
@tracer.capture_method
def generate_poetry():
    event = app.current_event
    body = parse_json_body("generatePoetry", request_body(event.body, is_base64_encoded=event.is_base64_encoded))
    request = PoemRequest(
        features=body["audioFeatures"], persona=body["persona"], language=body["language"], model=body.get("model")
    )
    guard = spend.guard_from_env(os.environ, logger=logger)
    poem = service.generate(
        request,
        provider=get_provider(logger, meter=guard.record),
        deadline=Deadline.from_context(app.lambda_context),
        guard=guard,
        # API Gateway's view of the caller; X-Forwarded-For is whatever the client wrote.
        client=app.current_event.request_context.identity.source_ip or "unknown",
    )
    service.record_usage(poem, logger=logger)
    return {
        "success": True,
        "poetry": poem.text,
        "persona": request.persona,
        "language": request.language,
        "provider": poem.provider,
        "model": poem.model,
    }


# Cold starts are in Lambda's REPORT lines (Init Duration): no ColdStart custom metric.
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event, context):
    return app.resolve(event, context)
