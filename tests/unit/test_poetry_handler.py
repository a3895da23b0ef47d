import io
import json
import time

import pytest
from json_lines import json_lines

from functions.poetry import handler, spend


def test_poetry_handler_offline_poem(rest_event, lambda_context):
    result = handler.lambda_handler(
        rest_event(body={"audioFeatures": {"tempo": 90}, "persona": "zen", "language": "ko"}), lambda_context
    )
    body = json.loads(result["body"])
    assert result["statusCode"] == 200
    assert body["success"] is True and body["provider"] == "offline" and body["language"] == "ko"
    assert body["model"] == "offline-poet-1" and len(body["poetry"]) > 100


def test_poetry_handler_bad_persona_is_400_listing_values(rest_event, lambda_context):
    result = handler.lambda_handler(
        rest_event(body={"audioFeatures": {}, "persona": "yoda", "language": "en"}), lambda_context
    )
    body = json.loads(result["body"])
    assert result["statusCode"] == 400
    assert "hamlet" in body["error"] + body.get("details", "")


@pytest.mark.parametrize(
    ("model", "status"),
    [("gpt-4", 400), ("sonnet", 400), ("haiku", 200), ("anthropic.claude-3-haiku-20240307-v1:0", 200), (None, 200)],
)
def test_poetry_handler_offline_refuses_models_the_deployed_api_refuses(model, status, rest_event, lambda_context):
    # Sonnet is opt-in (ALLOWED_MODELS); a retired Haiku id maps to its successor, as on Bedrock.
    request = {"audioFeatures": {}, "persona": "zen", "language": "en"} | ({"model": model} if model else {})
    result = handler.lambda_handler(rest_event(body=request), lambda_context)
    body = json.loads(result["body"])
    assert result["statusCode"] == status
    if status == 400:
        assert body["error"] == f"Model {model!r} is not allowed" and "haiku" in body["details"]
    else:
        assert body["provider"] == "offline"


def test_poetry_handler_unknown_provider_is_503(monkeypatch, rest_event, lambda_context):
    monkeypatch.setenv("POETRY_PROVIDER", "gpt9")
    result = handler.lambda_handler(
        rest_event(body={"audioFeatures": {}, "persona": "zen", "language": "en"}), lambda_context
    )
    assert result["statusCode"] == 503
    assert "POETRY_PROVIDER" in json.loads(result["body"])["details"]


def test_poetry_handler_base64_body_is_decoded(rest_event, lambda_context):
    import base64

    event = rest_event(body=None)
    event["body"] = base64.b64encode(b'{"audioFeatures":{},"persona":"noir","language":"en"}').decode()
    event["isBase64Encoded"] = True
    assert handler.lambda_handler(event, lambda_context)["statusCode"] == 200


def test_poetry_handler_binary_body_that_is_not_utf8_is_400(rest_event, lambda_context):
    import base64

    # API Gateway base64-encodes an image/* body (binaryMediaTypes); Powertools' decoded_body raised.
    event = rest_event(body=None)
    event["body"] = base64.b64encode(b"\xff\xfe\x00{").decode()
    event["isBase64Encoded"] = True
    result = handler.lambda_handler(event, lambda_context)
    body = json.loads(result["body"])
    assert result["statusCode"] == 400 and body["error"] == "Request body is not valid JSON" and body["details"]


def test_poetry_handler_logs_usage_without_paid_metrics(monkeypatch, capsys, rest_event, lambda_context):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    log_stream = io.StringIO()  # the logger's handler kept whatever stdout existed at import
    monkeypatch.setattr(handler.logger.registered_handler, "stream", log_stream)
    event = rest_event(body={"audioFeatures": {}, "persona": "zen", "language": "en"})
    handler.lambda_handler(event, lambda_context)
    lines = json_lines(capsys.readouterr().out) + json_lines(log_stream.getvalue())
    # Tokens and latency are in AWS/Bedrock and cold starts in REPORT lines: no EMF document.
    assert [line for line in lines if "_aws" in line] == []
    logs = [line for line in lines if line.get("message") == "poem written"]
    assert logs and logs[0]["correlation_id"] == event["requestContext"]["requestId"]
    assert logs[0]["service"] == "poetry" and "cold_start" in logs[0] and logs[0]["provider"] == "offline"
    assert "latency_ms" in logs[0]
    assert "body" not in json.dumps(logs[0])  # no whole events in logs


def test_poetry_handler_client_limit_is_429_with_retry_after(monkeypatch, rest_event, lambda_context):
    monkeypatch.setenv("POETRY_CLIENT_LIMIT_PER_MINUTE", "2")
    # Every request in one UTC minute, the current one, even when the test straddles its end.
    now = time.time()
    pinned = now - now % 60 + 30
    original = spend.guard_from_env
    monkeypatch.setattr(
        spend, "guard_from_env", lambda env, *, logger: original(env, logger=logger, clock=lambda: pinned)
    )
    event = rest_event(body={"audioFeatures": {}, "persona": "zen", "language": "en"})
    event["headers"]["X-Forwarded-For"] = "198.51.100.99"  # a client header must not change who is counted
    statuses = [handler.lambda_handler(event, lambda_context)["statusCode"] for _ in range(2)]
    event["headers"]["X-Forwarded-For"] = "198.51.100.100"
    refused = handler.lambda_handler(event, lambda_context)
    assert statuses == [200, 200] and refused["statusCode"] == 429
    assert 1 <= int(refused["multiValueHeaders"]["Retry-After"][0]) <= 60
    assert set(json.loads(refused["body"])) == {"error", "details"}
    event["requestContext"]["identity"]["sourceIp"] = "192.0.2.55"  # another caller, as API Gateway sees it
    assert handler.lambda_handler(event, lambda_context)["statusCode"] == 200
