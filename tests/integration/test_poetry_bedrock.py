import time

import pytest
from fake_upstreams import BEDROCK_ERROR_CASES, FakeUpstream, bedrock_error, converse_ok

from functions.common import errors
from functions.common.deadline import Deadline
from functions.common.observability import logger_for
from functions.poetry import bedrock
from functions.poetry.bedrock import BedrockProvider
from functions.poetry.poem import PoemRequest

HAIKU_PROFILE = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
REQUEST = PoemRequest(features={"tempo": 128, "energy": 0.8}, persona="hamlet", language="en")


@pytest.fixture
def fake_bedrock(monkeypatch):
    fake = FakeUpstream()
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    for name in ("ALLOWED_MODELS", "RETIRED_MODEL_MAP", "MODEL_ALIASES", "DEFAULT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    bedrock._client.cache_clear()
    yield fake
    fake.close()
    bedrock._client.cache_clear()


def _provider():
    return BedrockProvider(logger=logger_for("test"))


def test_bedrock_converse_success_and_request_shape(fake_bedrock):
    fake_bedrock.reply(body=converse_ok())
    poem = _provider().write(REQUEST, Deadline(lambda: 25_000))
    assert poem.text == "Line one\nLine two\n\nLine three\nLine four"
    assert (poem.provider, poem.model) == ("bedrock", HAIKU_PROFILE)
    assert (poem.input_tokens, poem.output_tokens) == (120, 80)
    sent = fake_bedrock.requests[0]
    assert sent["path"] == f"/model/{HAIKU_PROFILE}/converse"
    assert "%3A" in sent["raw_path"]  # the model id is URL-encoded on the wire
    assert sent["body"]["inferenceConfig"]["maxTokens"] == bedrock.MAX_TOKENS
    assert sent["body"]["inferenceConfig"]["stopSequences"] == ["</poem>"]
    assert "Hamlet" in sent["body"]["system"][0]["text"]


def test_bedrock_retired_id_maps_to_successor(fake_bedrock):
    fake_bedrock.reply(body=converse_ok())
    retired = PoemRequest(features={}, persona="zen", language="ko", model="anthropic.claude-3-haiku-20240307-v1:0")
    assert _provider().write(retired, Deadline(lambda: 25_000)).model == HAIKU_PROFILE
    assert fake_bedrock.requests[0]["path"] == f"/model/{HAIKU_PROFILE}/converse"


@pytest.mark.parametrize(
    "code,status,expected",
    BEDROCK_ERROR_CASES,
)
def test_bedrock_error_classes_map_to_status(fake_bedrock, monkeypatch, code, status, expected):
    monkeypatch.setattr(bedrock, "MAX_ATTEMPTS", 1)  # one attempt: the mapping, not the retries
    err = bedrock_error(code, status)
    fake_bedrock.reply(err["status"], err["body"], err["headers"])
    with pytest.raises(errors.ApiError) as info:
        _provider().write(REQUEST, Deadline(lambda: 25_000))
    assert info.value.status == expected
    assert code in info.value.details
    if code == "AccessDeniedException":
        assert "model access" in info.value.message


def test_bedrock_throttling_succeeds_on_retry_inside_deadline(fake_bedrock):
    err = bedrock_error("ThrottlingException", 429)
    fake_bedrock.reply(err["status"], err["body"], err["headers"]).reply(body=converse_ok())
    poem = _provider().write(REQUEST, Deadline(lambda: 25_000))
    assert poem.text.startswith("Line one")
    assert len(fake_bedrock.requests) == 2


def test_bedrock_retries_cut_off_by_deadline(fake_bedrock):
    err = bedrock_error("ThrottlingException", 429)
    fake_bedrock.reply(err["status"], err["body"], err["headers"])
    # A clock the fake drives: each attempt Bedrock receives costs 0.8 s. 2.6 s left (after the
    # 1 s reserve), so the first attempt runs (it needs MIN_ATTEMPT_S, 2 s); then 1.8 s remain,
    # whatever botocore's random backoff, so no retry starts.
    deadline = Deadline(lambda: 3600 - 800 * len(fake_bedrock.requests), reserve_s=1.0)
    with pytest.raises(errors.GatewayTimeout):
        _provider().write(REQUEST, deadline)
    assert len(fake_bedrock.requests) == 1


def test_bedrock_empty_answer_is_502(fake_bedrock):
    fake_bedrock.reply(body=converse_ok(text="<poem>   </poem>"))
    with pytest.raises(errors.BadGateway):
        _provider().write(REQUEST, Deadline(lambda: 25_000))


def test_bedrock_poem_cut_at_max_tokens_loses_only_its_broken_line(fake_bedrock):
    cut = converse_ok(text="<poem>Line one\nLine two\n\nLine thr")
    cut["stopReason"] = "max_tokens"
    fake_bedrock.reply(body=cut)
    poem = _provider().write(REQUEST, Deadline(lambda: 25_000))
    assert poem.text == "Line one\nLine two"


def test_bedrock_lower_token_cap_asks_for_shorter_stanzas(fake_bedrock, monkeypatch):
    monkeypatch.setenv("POETRY_MAX_TOKENS", "300")
    fake_bedrock.reply(body=converse_ok())
    korean = PoemRequest(features={"tempo": 150, "energy": 0.9}, persona="hamlet", language="ko")
    _provider().write(korean, Deadline(lambda: 25_000))
    sent = fake_bedrock.requests[0]["body"]
    assert sent["inferenceConfig"]["maxTokens"] == 300
    # (300 - 40) // 30 = 8 lines for 5 stanzas: below the 2-line floor, which holds (the cap may
    # then cut the poem; the test above covers what is returned then).
    assert "exactly 5 stanzas of 2 lines" in sent["system"][0]["text"]


def test_bedrock_unreachable_endpoint_is_503(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:9")
    monkeypatch.setattr(bedrock, "MAX_ATTEMPTS", 1)
    bedrock._client.cache_clear()
    with pytest.raises(errors.ServiceUnavailable):
        _provider().write(REQUEST, Deadline(lambda: 25_000))
    bedrock._client.cache_clear()


def test_bedrock_through_local_api_with_retired_id(fake_bedrock, start_api, monkeypatch):
    fake_bedrock.reply(body=converse_ok())
    api = start_api()
    monkeypatch.setenv("POETRY_PROVIDER", "bedrock")
    reply = api.request(
        "POST",
        "/api/poetry/generate",
        body={
            "audioFeatures": {"tempo": 100},
            "persona": "hamlet",
            "language": "en",
            "model": "anthropic.claude-3-haiku-20240307-v1:0",
        },
    )
    assert reply.status == 200
    assert reply.json()["model"] == HAIKU_PROFILE and reply.json()["provider"] == "bedrock"


def test_bedrock_error_through_local_api_is_error_json(fake_bedrock, start_api, monkeypatch):
    err = bedrock_error("AccessDeniedException", 403)
    fake_bedrock.reply(err["status"], err["body"], err["headers"])
    api = start_api()
    monkeypatch.setenv("POETRY_PROVIDER", "bedrock")
    reply = api.request("POST", "/api/poetry/generate", body={"audioFeatures": {}, "persona": "zen", "language": "en"})
    assert reply.status == 503
    assert set(reply.json()) == {"error", "details"} and "Traceback" not in reply.body.decode()


def test_bedrock_model_not_allowed_is_400_naming_allowed(fake_bedrock, start_api, monkeypatch):
    fake_bedrock.reply(body=converse_ok())
    api = start_api()
    monkeypatch.setenv("POETRY_PROVIDER", "bedrock")
    reply = api.request(
        "POST",
        "/api/poetry/generate",
        body={"audioFeatures": {}, "persona": "zen", "language": "en", "model": "meta.llama3-70b"},
    )
    assert reply.status == 400 and HAIKU_PROFILE in reply.json()["details"]
    assert fake_bedrock.requests == []


def test_bedrock_retry_that_could_overrun_is_not_started(fake_bedrock):
    # 15 s left: the first attempt gets a 15 s read timeout; after a quick throttle a retry could
    # wait those 15 s again and outlive the function, so we answer 504 instead of starting it.
    err = bedrock_error("ThrottlingException", 429)
    fake_bedrock.reply(err["status"], err["body"], err["headers"], delay=1.2)
    start = time.monotonic()
    deadline = Deadline(lambda: int((16 - (time.monotonic() - start)) * 1000), reserve_s=1.0)
    with pytest.raises(errors.GatewayTimeout):
        _provider().write(REQUEST, deadline)
    assert len(fake_bedrock.requests) == 1
