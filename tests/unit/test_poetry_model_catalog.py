import pytest
from botocore.stub import Stubber

from functions.common.deadline import Deadline
from functions.common.errors import BadRequest, ServiceUnavailable
from functions.common.observability import logger_for
from functions.poetry.bedrock import MAX_TOKENS, BedrockProvider
from functions.poetry.model_catalog import ModelCatalog, geography
from functions.poetry.poem import PoemRequest

HAIKU_US = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
SONNET_US = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


@pytest.fixture
def catalog(monkeypatch):
    """Haiku and Sonnet enabled, as a workspace that opts into Sonnet configures it."""
    for name in ("RETIRED_MODEL_MAP", "MODEL_ALIASES", "DEFAULT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.setenv("ALLOWED_MODELS", f"{HAIKU_US},{SONNET_US}")
    return ModelCatalog.from_env()


def test_models_default_allows_haiku_only(monkeypatch):
    for name in ("ALLOWED_MODELS", "RETIRED_MODEL_MAP", "MODEL_ALIASES", "DEFAULT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    catalog = ModelCatalog.from_env()
    assert catalog.allowed == [HAIKU_US] and catalog.resolve(None) == HAIKU_US
    for disabled in ("sonnet", SONNET_US, "anthropic.claude-3-5-sonnet-20241022-v2:0"):
        with pytest.raises(BadRequest) as info:
            catalog.resolve(disabled)
        assert info.value.details == f"Allowed models: haiku ({HAIKU_US})"


def test_models_application_profiles_follow_their_sources(monkeypatch):
    arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
    monkeypatch.delenv("ALLOWED_MODELS", raising=False)
    monkeypatch.setenv("BEDROCK_PROFILE_SOURCES", f'{{"{arn}": "{HAIKU_US}"}}')
    catalog = ModelCatalog.from_env()
    assert catalog.allowed == [arn]
    for name in (
        None,
        "haiku",
        HAIKU_US,
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "anthropic.claude-3-haiku-20240307-v1:0",
    ):
        assert catalog.resolve(name) == arn
    with pytest.raises(BadRequest) as info:
        catalog.resolve("sonnet")
    assert "123456789012" not in info.value.details and HAIKU_US in info.value.details
    # Priced from the one table: 1,000 input and 1,000 output tokens of Haiku 4.5 (geo profile).
    assert catalog.cost_usd(arn, input_tokens=1000, output_tokens=1000) == pytest.approx((1.10 + 5.50) / 1000)


@pytest.mark.parametrize(
    "requested,expected",
    [
        (None, "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("haiku", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("Sonnet", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("anthropic.claude-3-haiku-20240307-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("anthropic.claude-3-5-haiku-20241022-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("us.anthropic.claude-3-5-haiku-20241022-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        # Another geography's profile of an enabled model, or a retired id under any prefix.
        ("global.anthropic.claude-haiku-4-5-20251001-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
        ("jp.anthropic.claude-3-5-haiku-20241022-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("global.anthropic.claude-3-haiku-20240307-v1:0", "us.anthropic.claude-haiku-4-5-20251001-v1:0"),
    ],
)
def test_models_resolve_aliases_and_retired_ids(catalog, requested, expected):
    assert catalog.resolve(requested) == expected


def test_models_outside_allow_list_is_400_naming_allowed(catalog):
    with pytest.raises(BadRequest) as info:
        catalog.resolve("amazon.titan-text-express-v1")
    assert "us.anthropic.claude-haiku-4-5-20251001-v1:0" in info.value.details


def test_models_env_overrides(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("ALLOWED_MODELS", "eu.anthropic.claude-haiku-4-5-20251001-v1:0,my-profile")
    monkeypatch.setenv("RETIRED_MODEL_MAP", '{"old-model": "my-profile"}')
    monkeypatch.setenv("DEFAULT_MODEL", "my-profile")
    catalog = ModelCatalog.from_env()
    assert catalog.resolve(None) == "my-profile"
    assert catalog.resolve("old-model") == "my-profile"
    assert catalog.resolve("anthropic.claude-3-haiku-20240307-v1:0") == "eu.anthropic.claude-haiku-4-5-20251001-v1:0"
    with pytest.raises(BadRequest):
        catalog.resolve("sonnet")  # eu sonnet profile not in this allow-list


def test_models_bad_json_config_is_503(monkeypatch):
    monkeypatch.setenv("RETIRED_MODEL_MAP", "{oops")
    with pytest.raises(ServiceUnavailable):
        ModelCatalog.from_env()


@pytest.mark.parametrize("region,prefix", [("us-east-1", "us"), ("eu-central-1", "eu"), ("ap-northeast-2", "apac")])
def test_models_geography_prefix_of_the_region(region, prefix):
    assert geography(region) == prefix


def test_bedrock_request_shape_with_stubber(catalog):
    import boto3

    client = boto3.client("bedrock-runtime", region_name="us-west-2")
    stub = Stubber(client)
    expected = {
        "modelId": "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "system": [{"text": stub_any()}],
        "messages": [{"role": "user", "content": [{"text": stub_any()}]}],
        "inferenceConfig": {"maxTokens": MAX_TOKENS, "temperature": 0.8, "stopSequences": ["</poem>"]},
    }
    stub.add_response(
        "converse",
        {
            "output": {"message": {"role": "assistant", "content": [{"text": "<poem>x\ny"}]}},
            "stopReason": "stop_sequence",
            "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
            "metrics": {"latencyMs": 1},
        },
        expected,
    )
    with stub:
        poem = BedrockProvider(logger=logger_for("t"), catalog=catalog, client_factory=lambda d: client).write(
            PoemRequest(features={}, persona="troubadour", language="en", model="sonnet"), Deadline(lambda: 20_000)
        )
    stub.assert_no_pending_responses()
    assert poem.text == "x\ny" and poem.model == expected["modelId"]


def stub_any():
    from botocore.stub import ANY

    return ANY


def test_models_aliases_follow_the_allow_list_geography(monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("ALLOWED_MODELS", "us.anthropic.claude-haiku-4-5-20251001-v1:0")
    for name in ("RETIRED_MODEL_MAP", "MODEL_ALIASES", "DEFAULT_MODEL"):
        monkeypatch.delenv(name, raising=False)
    catalog = ModelCatalog.from_env()
    assert catalog.resolve(None) == "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert catalog.resolve("anthropic.claude-3-haiku-20240307-v1:0") == "us.anthropic.claude-haiku-4-5-20251001-v1:0"
