import json

from functions.poetry import handler


def test_poetry_handler_offline_poem(rest_event, lambda_context):
    result = handler.lambda_handler(rest_event(body={"audioFeatures": {"tempo": 90}, "persona": "zen",
                                                     "language": "ko"}), lambda_context)
    body = json.loads(result["body"])
    assert result["statusCode"] == 200
    assert body["success"] is True and body["provider"] == "offline" and body["language"] == "ko"
    assert body["model"] == "offline-poet-1" and len(body["poetry"]) > 100


def test_poetry_handler_bad_persona_is_400_listing_values(rest_event, lambda_context):
    result = handler.lambda_handler(rest_event(body={"audioFeatures": {}, "persona": "yoda", "language": "en"}),
                                    lambda_context)
    body = json.loads(result["body"])
    assert result["statusCode"] == 400
    assert "hamlet" in body["error"] + body.get("details", "")


def test_poetry_handler_unknown_provider_is_503(monkeypatch, rest_event, lambda_context):
    monkeypatch.setenv("POETRY_PROVIDER", "gpt9")
    result = handler.lambda_handler(rest_event(body={"audioFeatures": {}, "persona": "zen", "language": "en"}),
                                    lambda_context)
    assert result["statusCode"] == 503
    assert "POETRY_PROVIDER" in json.loads(result["body"])["details"]


def test_poetry_handler_base64_body_is_decoded(rest_event, lambda_context):
    import base64
    event = rest_event(body=None)
    event["body"] = base64.b64encode(b'{"audioFeatures":{},"persona":"noir","language":"en"}').decode()
    event["isBase64Encoded"] = True
    assert handler.lambda_handler(event, lambda_context)["statusCode"] == 200
