"""The analysis invoker: the payload on the wire (botocore Stubber), error mapping, and the
in-process transport giving the same result JSON."""

import base64
import io
import json
import sys
import types

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber
from youtube_schema import sample_analysis

from functions.common.deadline import Deadline
from functions.common.errors import BadGateway, GatewayTimeout, PayloadTooLarge, ServiceUnavailable
from functions.local_api.invoker import LocalInvoker
from functions.youtube import invoker

AUDIO = b"OggS" + bytes(range(256)) * 8
SOURCE = {"type": "youtube", "id": "BaW_jenozKc", "url": "https://www.youtube.com/watch?v=BaW_jenozKc"}
ANALYSIS = sample_analysis()


def _body(obj) -> StreamingBody:
    raw = json.dumps(obj).encode()
    return StreamingBody(io.BytesIO(raw), len(raw))


@pytest.fixture
def lambda_client():
    client = boto3.client("lambda", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def _invoker(client):
    return invoker.LambdaInvoker("music-poetry-dev-analysis", client_for=lambda _timeout: client)


def test_youtube_invoker_event_carries_base64_audio_format_and_source():
    event = json.loads(invoker.build_event(AUDIO, fmt="ogg", source=SOURCE))
    assert set(event) == {"audio", "format", "source"}
    assert base64.b64decode(event["audio"]) == AUDIO
    assert event["format"] == "ogg" and event["source"] == SOURCE


def test_youtube_invoker_refuses_payload_over_the_invoke_limit():
    too_big = b"\0" * (invoker.INVOKE_PAYLOAD_LIMIT // 4 * 3 + 1)
    with pytest.raises(PayloadTooLarge):
        invoker.build_event(too_big, fmt="ogg", source=SOURCE)


def test_youtube_invoker_lambda_request_response(lambda_client):
    client, stub = lambda_client
    payload = invoker.build_event(AUDIO, fmt="ogg", source=SOURCE)
    stub.add_response(
        "invoke",
        {"StatusCode": 200, "Payload": _body({"analysis": ANALYSIS, "source": SOURCE})},
        expected_params={
            "FunctionName": "music-poetry-dev-analysis",
            "InvocationType": "RequestResponse",
            "Payload": payload,
        },
    )
    result = _invoker(client).invoke(payload, deadline=Deadline(lambda: 20_000))
    assert invoker.interpret(result) == ANALYSIS


def test_youtube_invoker_client_timeout_follows_the_deadline():
    seen = []

    class Client:
        def invoke(self, **kwargs):
            return {"StatusCode": 200, "Payload": _body({"analysis": ANALYSIS})}

    inv = invoker.LambdaInvoker("fn", client_for=lambda timeout: seen.append(timeout) or Client())
    inv.invoke(b"{}", deadline=Deadline(lambda: 12_500, reserve_s=2.0))
    assert seen == [10]  # whole seconds left after the reserve


@pytest.mark.parametrize(
    ("code", "error", "reason"),
    [
        ("TooManyRequestsException", ServiceUnavailable, "analysis_throttled"),
        ("ResourceNotFoundException", ServiceUnavailable, "analysis_missing"),
        ("RequestEntityTooLargeException", PayloadTooLarge, "payload_limit"),
        ("ServiceException", BadGateway, "analysis_failed"),
    ],
)
def test_youtube_invoker_lambda_client_errors(lambda_client, code, error, reason):
    client, stub = lambda_client
    stub.add_client_error("invoke", code, http_status_code=429 if "Many" in code else 400, expected_params=None)
    with pytest.raises(error) as info:
        _invoker(client).invoke(b"{}", deadline=Deadline(lambda: 20_000))
    assert info.value.reason == reason


def test_youtube_invoker_function_error_is_502_without_its_message(lambda_client):
    client, stub = lambda_client
    crash = {"errorMessage": "secret path /var/task/x", "errorType": "KeyError"}
    stub.add_response(
        "invoke", {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": _body(crash)}, expected_params=None
    )
    with pytest.raises(BadGateway) as info:
        _invoker(client).invoke(b"{}", deadline=Deadline(lambda: 20_000))
    assert "/var/task" not in f"{info.value.message} {info.value.details}"


def test_youtube_invoker_function_timeout_is_504(lambda_client):
    client, stub = lambda_client
    stub.add_response(
        "invoke",
        {
            "StatusCode": 200,
            "FunctionError": "Unhandled",
            "Payload": _body({"errorMessage": "Task timed out after 20.00 seconds", "errorType": "Sandbox.Timedout"}),
        },
        expected_params=None,
    )
    with pytest.raises(GatewayTimeout):
        _invoker(client).invoke(b"{}", deadline=Deadline(lambda: 20_000))


def test_youtube_invoker_read_timeout_is_504():
    class Client:
        def invoke(self, **kwargs):
            raise ReadTimeoutError(endpoint_url="https://lambda.us-east-1.amazonaws.com")

    with pytest.raises(GatewayTimeout):
        invoker.LambdaInvoker("fn", client_for=lambda t: Client()).invoke(b"{}", deadline=Deadline(lambda: 9_000))


@pytest.mark.parametrize(
    ("result", "error", "reason"),
    [
        ({"error": "The audio is too large", "status": 413}, PayloadTooLarge, "analysis_too_large"),
        ({"error": "late", "status": 504}, GatewayTimeout, "analysis_timeout"),
        ({"error": "down", "status": 503}, ServiceUnavailable, "analysis_unavailable"),
        ({"error": "audio is not valid base64", "status": 400}, BadGateway, "analysis_failed"),
        ({"error": "Internal error", "status": 500}, BadGateway, "analysis_failed"),
        ({"something": "else"}, BadGateway, "analysis_failed"),
        ("not an object", BadGateway, "analysis_failed"),
    ],
)
def test_youtube_invoker_interprets_error_results(result, error, reason):
    with pytest.raises(error) as info:
        invoker.interpret(result)
    assert info.value.reason == reason


def test_youtube_invoker_local_passes_json_both_ways(monkeypatch):
    calls = []

    def fake_handler(event, context):
        calls.append((event, context.get_remaining_time_in_millis()))
        return {"analysis": {**ANALYSIS, "duration": 3.0}, "source": event["source"]}

    module = types.ModuleType("fake_analysis_handler")
    module.lambda_handler = fake_handler
    monkeypatch.setitem(sys.modules, "fake_analysis_handler", module)
    local = LocalInvoker("fake_analysis_handler.lambda_handler")
    payload = invoker.build_event(AUDIO, fmt="ogg", source=SOURCE)
    result = local.invoke(payload, deadline=Deadline(lambda: 15_000, reserve_s=2.0))
    event, remaining_ms = calls[0]
    assert event == json.loads(payload)  # the same event Lambda would deliver
    assert 12_000 <= remaining_ms <= 13_000  # the analysis sees the youtube deadline
    assert result == {"analysis": {**ANALYSIS, "duration": 3.0}, "source": SOURCE}


def test_youtube_invoker_local_crash_is_502(monkeypatch):
    module = types.ModuleType("crashing_analysis_handler")
    module.lambda_handler = lambda event, context: 1 / 0
    monkeypatch.setitem(sys.modules, "crashing_analysis_handler", module)
    with pytest.raises(BadGateway):
        LocalInvoker("crashing_analysis_handler.lambda_handler").invoke(b"{}", deadline=Deadline(lambda: 9e3))


def test_youtube_invoker_local_missing_handler_is_503():
    with pytest.raises(ServiceUnavailable):
        LocalInvoker("no_such_module_here.lambda_handler").invoke(b"{}", deadline=Deadline(lambda: 9e3))
