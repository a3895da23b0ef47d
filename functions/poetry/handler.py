"""HTTP edge of the poetry function: contract in, domain call, contract out."""

from aws_lambda_powertools.metrics import MetricUnit

from functions.common.contract import parse_json_body, route
from functions.common.deadline import Deadline
from functions.common.http import make_resolver
from functions.common.observability import correlation_paths, logger_for, metrics_for
from functions.common.tracing import tracer_for
from functions.poetry import service
from functions.poetry.poem import PoemRequest
from functions.poetry.providers import get_provider

logger = logger_for("poetry")
metrics = metrics_for("poetry")
tracer = tracer_for("poetry")
app = make_resolver(logger)


@route(app, "generatePoetry")
@tracer.capture_method
def generate_poetry():
    body = parse_json_body("generatePoetry", app.current_event.decoded_body)
    request = PoemRequest(
        features=body["audioFeatures"], persona=body["persona"], language=body["language"], model=body.get("model")
    )
    poem = service.generate(request, provider=get_provider(logger), deadline=Deadline.from_context(app.lambda_context))
    service.record_usage(poem, logger=logger, metrics=metrics, unit=MetricUnit)
    return {
        "success": True,
        "poetry": poem.text,
        "persona": request.persona,
        "language": request.language,
        "provider": poem.provider,
        "model": poem.model,
    }


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler
def lambda_handler(event, context):
    return app.resolve(event, context)
