import io
import json

from json_lines import json_lines

from functions.poetry import handler


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


def test_poetry_handler_emits_emf_and_json_logs_with_correlation_id(monkeypatch, capsys, rest_event, lambda_context):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    log_stream = io.StringIO()  # the logger's handler kept whatever stdout existed at import
    monkeypatch.setattr(handler.logger.registered_handler, "stream", log_stream)
    event = rest_event(body={"audioFeatures": {}, "persona": "zen", "language": "en"})
    handler.lambda_handler(event, lambda_context)
    lines = json_lines(capsys.readouterr().out) + json_lines(log_stream.getvalue())
    emf = [line for line in lines if "_aws" in line and "PoemLatency" in line]
    assert emf, "no EMF document with PoemLatency"
    directive = emf[0]["_aws"]["CloudWatchMetrics"][0]
    # The namespace is read from POWERTOOLS_METRICS_NAMESPACE when the module is imported.
    assert directive["Namespace"] == handler.metrics.namespace and directive["Namespace"].startswith("music-poetry")
    assert {"Name": "PoemLatency", "Unit": "Milliseconds"} in directive["Metrics"]
    logs = [line for line in lines if line.get("message") == "poem written"]
    assert logs and logs[0]["correlation_id"] == event["requestContext"]["requestId"]
    assert logs[0]["service"] == "poetry" and "cold_start" in logs[0] and logs[0]["provider"] == "offline"
    assert "body" not in json.dumps(logs[0])  # no whole events in logs
