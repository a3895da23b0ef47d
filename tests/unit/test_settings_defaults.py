"""Each default is defined once, in code: a value in functions/settings.json must change what
the function reads, or it is a second copy of a code default that could drift."""

import json
from pathlib import Path

import pytest

from functions.analysis import events as analysis_events
from functions.common.config import ConfigError
from functions.poetry import providers
from functions.thumbnail import config as thumbnail_config
from functions.youtube import config as youtube_config

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = json.loads((ROOT / "functions" / "settings.json").read_text())
IN_LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "music-poetry-dev-fn"}

# What each function makes of its environment, through the one config seam.
READERS = {
    "poetry": lambda env: providers.provider_name(),
    "thumbnail": thumbnail_config.from_env,
    "youtube": youtube_config.from_env,
    "analysis": lambda env: analysis_events.limits(),
}


def _cases():
    for name, fn in SETTINGS["functions"].items():
        for block, base in (("env", IN_LAMBDA), ("local_env", {})):
            for key in fn.get(block, {}):
                yield pytest.param(name, block, base, key, id=f"{name}-{block}-{key}")


def test_settings_every_function_has_a_reader():
    assert set(READERS) == set(SETTINGS["functions"])


@pytest.mark.parametrize(("name", "block", "base", "key"), list(_cases()))
def test_settings_value_is_not_a_code_default(monkeypatch, name, block, base, key):
    fn = SETTINGS["functions"][name]
    # A local_env value overrides env for `make serve`; without it, env's value (if any) applies.
    layers = [base, fn.get("env", {})] + ([fn["local_env"]] if block == "local_env" else [])
    env = {k: v for layer in layers for k, v in layer.items()}
    without = {k: v for layer in layers[:-1] for k, v in layer.items()}
    without |= {k: v for k, v in layers[-1].items() if k != key}
    read = READERS[name]

    def with_environ(values):
        for k in list(fn.get("env", {})) + list(fn.get("local_env", {})):
            monkeypatch.delenv(k, raising=False)
        for k, v in values.items():
            monkeypatch.setenv(k, str(v))
        return read(values)

    assert with_environ(env) != with_environ(without), f"{name}.{block}.{key} repeats the code default"


@pytest.mark.parametrize(
    ("read", "env"),
    [
        (youtube_config.from_env, {"MAX_DURATION_SECONDS": "ten"}),
        (thumbnail_config.from_env, {"THUMBNAIL_MAX_BYTES": "lots"}),
        (lambda env: analysis_events.limits(), {"MAX_AUDIO_BYTES": "lots"}),
        (lambda env: providers.provider_name(), {"POETRY_PROVIDER": "gpt9"}),
    ],
)
def test_settings_misconfiguration_is_the_one_503(monkeypatch, read, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as info:
        read(env)
    assert info.value.status == 503 and next(iter(env)) in (info.value.details or "")
