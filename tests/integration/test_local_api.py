import base64
import json
import re
from pathlib import Path

from functions.local_api.server import Gateway

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "apigw_rest_proxy_event.json"
POEM = {"audioFeatures": {"tempo": 128, "energy": 0.8, "mode": "major"}, "persona": "hamlet", "language": "ko"}
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return type(value).__name__


def test_local_api_poem_in_korean(start_api):
    reply = start_api().request("POST", "/api/poetry/generate", body=POEM)
    assert reply.status == 200
    body = reply.json()
    assert body["success"] is True and body["language"] == "ko"
    assert re.search(r"[\uac00-\ud7a3]{10}", body["poetry"].replace(" ", ""))


def test_local_api_stage_prefix_is_accepted(start_api):
    assert start_api().request("POST", "/Prod/api/poetry/generate", body=POEM).status == 200


def test_local_api_bad_persona_is_400_error_json(start_api):
    reply = start_api().request("POST", "/api/poetry/generate", body={**POEM, "persona": "yoda"})
    assert reply.status == 400
    assert set(reply.json()) <= {"error", "details"} and "hamlet" in json.dumps(reply.json())


def test_local_api_preflight_from_vite_origin(start_api):
    reply = start_api().request(
        "OPTIONS",
        "/api/poetry/generate",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert reply.status == 204
    assert reply.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:5173")
    assert "POST" in reply.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in reply.headers["Access-Control-Allow-Headers"]


def test_local_api_unknown_path_404_and_wrong_method_405(start_api):
    api = start_api()
    missing = api.request("GET", "/api/nothing")
    assert missing.status == 404 and missing.json()["error"] == "Not found"
    wrong = api.request("GET", "/api/poetry/generate")
    assert wrong.status == 405 and "error" in wrong.json()


def test_local_api_serves_contract(start_api):
    reply = start_api().request("GET", "/openapi.json")
    assert reply.status == 200 and "/api/poetry/generate" in reply.json()["paths"]


def test_local_api_event_matches_real_api_gateway_event(start_api):
    seen = {}

    def capture(event, context):
        seen["event"], seen["remaining"] = event, context.get_remaining_time_in_millis()
        return {"statusCode": 200, "body": "{}"}

    api = start_api(Gateway(handler_overrides={"poetry": capture}))
    api.request("POST", "/api/poetry/generate?a=1&a=2&b=", body=POEM, headers={"X-Test": "yes"})
    event, real = seen["event"], json.loads(FIXTURE.read_text())
    assert set(event) == set(real)
    assert set(event["requestContext"]) == set(real["requestContext"])
    assert set(event["requestContext"]["identity"]) == set(real["requestContext"]["identity"])
    for key, value in real.items():  # same value types where both sides carry a value
        if value is not None and event[key] is not None:
            assert type(event[key]) is type(value), key
    assert _shape(event["requestContext"]["identity"]).keys() == _shape(real["requestContext"]["identity"]).keys()
    assert event["queryStringParameters"] == {"a": "2", "b": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    assert event["headers"]["X-Test"] == "yes" and event["multiValueHeaders"]["X-Test"] == ["yes"]
    assert event["requestContext"]["path"] == "/Prod/api/poetry/generate"
    assert event["requestContext"]["stage"] == "Prod" and event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == POEM
    assert 0 < seen["remaining"] <= 28_000
    for key in ("requestTimeEpoch",):
        assert isinstance(event["requestContext"][key], type(real["requestContext"][key]))


def test_local_api_absent_query_and_body_are_null(start_api):
    seen = {}
    api = start_api(Gateway(handler_overrides={"poetry": lambda e, c: seen.update(e) or {"statusCode": 204}}))
    api.request("OPTIONS", "/api/poetry/generate")
    assert seen["queryStringParameters"] is None and seen["multiValueQueryStringParameters"] is None
    assert seen["body"] is None


def test_local_api_binary_response_is_bytes_for_image_accept(start_api):
    def image(event, context):
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "image/jpeg"},
            "body": base64.b64encode(JPEG).decode(),
            "isBase64Encoded": True,
        }

    api = start_api(Gateway(handler_overrides={"poetry": image}))
    browser = api.request("POST", "/api/poetry/generate", body=POEM, headers={"Accept": "image/avif,image/webp,*/*"})
    assert browser.status == 200 and browser.body == JPEG
    # A JSON-first Accept is not a binary media type: API Gateway passes the base64 text through.
    scripted = api.request("POST", "/api/poetry/generate", body=POEM, headers={"Accept": "application/json"})
    assert scripted.body == base64.b64encode(JPEG)
