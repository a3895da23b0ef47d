import base64
import importlib

import pytest

from functions.common import contract
from functions.common.errors import BadRequest, PayloadTooLarge
from functions.common.mood import MOODS
from functions.local_api import settings
from functions.poetry.personas import LANGUAGES, PERSONAS


def test_contract_every_operation_names_a_configured_importable_function():
    ops = contract.operations()
    assert ops, "the contract defines no operations"
    for op in ops:
        fn = settings.function(op.function)
        module, attr = fn["handler"].rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), attr))
        assert not fn.get("internal"), f"{op.function} is internal but routed"


def test_contract_operation_ids_unique():
    ids = [op.operation_id for op in contract.operations()]
    assert len(ids) == len(set(ids))


def test_contract_enums_match_catalogs():
    schemas = contract.spec()["components"]["schemas"]
    assert schemas["Persona"]["enum"] == list(PERSONAS)
    assert schemas["Language"]["enum"] == list(LANGUAGES)
    assert schemas["Mood"]["enum"] == list(MOODS)


def test_contract_error_responses_use_error_schema():
    for op in contract.operations():
        for code, response in op.spec["responses"].items():
            if int(code) >= 400:
                name = response["$ref"].rsplit("/", 1)[-1]
                ref = contract.spec()["components"]["responses"][name]
                assert ref["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


@pytest.mark.parametrize(
    "body,fragment",
    [
        (None, "required"),
        ("{not json", "not valid JSON"),
        ("[1,2]", "JSON object"),
        ('{"persona":"hamlet","language":"en"}', "audioFeatures"),
        ('{"audioFeatures":{},"persona":"bob","language":"en"}', "persona"),
        ('{"audioFeatures":{},"persona":"hamlet","language":"xx"}', "language"),
        ('{"audioFeatures":{"tempo":"fast"},"persona":"hamlet","language":"en"}', "tempo"),
        ('{"audioFeatures":{"energy":3},"persona":"hamlet","language":"en"}', "energy"),
    ],
)
def test_contract_parse_json_body_rejects(body, fragment):
    with pytest.raises(BadRequest) as info:
        contract.parse_json_body("generatePoetry", body)
    assert fragment in info.value.message + (info.value.details or "")


def test_contract_parse_json_body_size_is_counted_in_bytes_413():
    ok = '{"audioFeatures":{},"persona":"zen","language":"en","pad":"'
    fill = contract.MAX_BODY_BYTES - len(ok) - 2
    assert contract.parse_json_body("generatePoetry", ok + "x" * fill + '"}')["persona"] == "zen"
    # The same number of characters, but "é" is two bytes in UTF-8.
    for big in ("x" * (contract.MAX_BODY_BYTES + 1), ok + "é" * fill + '"}'):
        with pytest.raises(PayloadTooLarge) as info:
            contract.parse_json_body("generatePoetry", big)
        assert info.value.status == 413 and str(contract.MAX_BODY_BYTES) in info.value.details


@pytest.mark.parametrize(
    "body,fragment",
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # json recurses per level: was a 500
        ('{"audioFeatures":' + '{"a":' * 20_000 + "1" + "}" * 20_001, "nested too deeply"),
        (b"\xff\xfe\x00{", "not valid JSON"),  # bytes that are not UTF-8
        (b"", "required"),
    ],
)
def test_contract_parse_json_body_refuses_hostile_bodies_400(body, fragment):
    with pytest.raises(BadRequest) as info:
        contract.parse_json_body("generatePoetry", body)
    assert info.value.status == 400 and fragment in info.value.message + info.value.details


def test_contract_request_body_decodes_what_api_gateway_base64_encoded():
    assert contract.request_body('{"a":1}', is_base64_encoded=False) == b'{"a":1}'
    assert contract.request_body(base64.b64encode(b"\xff{").decode(), is_base64_encoded=True) == b"\xff{"
    assert contract.request_body(None, is_base64_encoded=True) is None
    with pytest.raises(BadRequest, match="base64"):
        contract.request_body("not base64!", is_base64_encoded=True)


def test_contract_parse_json_body_tolerates_unknown_feature_keys():
    data = contract.parse_json_body(
        "generatePoetry", '{"audioFeatures":{"tempo":120,"whatever":[1]},"persona":"zen","language":"ko"}'
    )
    assert data["audioFeatures"]["whatever"] == [1]


def test_settings_local_environment_user_wins_and_conflicts_fail(monkeypatch):
    env = settings.local_environment({})
    assert env["POETRY_PROVIDER"] == "offline"
    assert "POETRY_PROVIDER" not in settings.local_environment({"POETRY_PROVIDER": "ollama"})
    fake = {"functions": {"a": {"env": {"X": "1"}}, "b": {"env": {"X": "2"}}}}
    monkeypatch.setattr(settings, "load", lambda: fake)
    with pytest.raises(ValueError, match="X differs"):
        settings.local_environment({})


def test_contract_nullable_fields_accept_null():
    validate = contract.component_validator("VideoInfo")
    info = {
        "id": "dQw4w9WgXcQ",
        "title": "t",
        "channel": "c",
        "duration": None,
        "thumbnail": "https://i.ytimg.com/x.jpg",
        "uploadDate": None,
        "viewCount": None,
        "isLive": True,
    }
    assert validate(info) == info
    with pytest.raises(contract.fastjsonschema.JsonSchemaValueException):
        validate({**info, "title": None})  # not nullable
