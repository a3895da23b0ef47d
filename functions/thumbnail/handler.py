"""HTTP edge of the thumbnail proxy: ?url= in, vetted fetch, image bytes out."""

from aws_lambda_powertools.event_handler import Response

from functions.common.contract import route
from functions.common.deadline import Deadline
from functions.common.http import make_resolver, query_value
from functions.common.observability import correlation_paths, logger_for, metrics_for
from functions.common.tracing import tracer_for
from functions.thumbnail import config, urlpolicy
from functions.thumbnail.fetch import Fetcher

logger = logger_for("thumbnail")
metrics = metrics_for("thumbnail")
tracer = tracer_for("thumbnail")
app = make_resolver(logger)
fetcher = Fetcher()  # system DNS, public addresses only, system trust store
# Vary: Accept because API Gateway sends bytes or base64 text depending on the first Accept type.
IMAGE_HEADERS = {
    "Cache-Control": "public, max-age=86400",
    "X-Content-Type-Options": "nosniff",
    "Vary": "Origin, Accept",
}


@route(app, "getThumbnail")
@tracer.capture_method(capture_response=False)  # an image does not belong in an X-Ray segment (64 KB)
def get_thumbnail():
    settings = config.from_env()
    url = urlpolicy.parse(query_value(app.current_event, "url"), allowed_hosts=settings.allowed_hosts)
    image = fetcher.fetch(
        url,
        allowed_hosts=settings.allowed_hosts,
        max_bytes=settings.max_bytes,
        max_redirects=settings.max_redirects,
        deadline=Deadline.from_context(app.lambda_context),
    )
    logger.info("thumbnail served", extra={"host": url.host, "bytes": len(image.body), "type": image.content_type})
    # A bytes body makes Powertools base64-encode it and set isBase64Encoded; API Gateway turns it
    # back into bytes when the request's first Accept type is in binaryMediaTypes (image/*).
    return Response(status_code=200, content_type=image.content_type, body=image.body, headers=IMAGE_HEADERS)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics  # cold starts: Lambda's REPORT lines (Init Duration), no paid metric
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event, context):
    return app.resolve(event, context)
