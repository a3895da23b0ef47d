"""Settings: the dev switch never works in a deployment, and settings.json stays consistent
with API Gateway's limit and the analysis function's version."""

import ast
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from functions.common.config import ConfigError
from functions.common.deadline import API_GATEWAY_LIMIT_S
from functions.youtube import budget, config

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = json.loads((ROOT / "functions" / "settings.json").read_text())


def test_youtube_config_defaults_outside_lambda():
    settings = config.from_env({})
    assert settings.invoker == "local" and settings.cache_table is None
    assert settings.max_duration_s == 600 and settings.dev_media_url is None


def test_youtube_config_deployed_environment():
    settings = config.from_env(
        {
            "AWS_LAMBDA_FUNCTION_NAME": "music-poetry-dev-youtube",
            **SETTINGS["functions"]["youtube"]["env"],
            "CACHE_TABLE_NAME": "music-poetry-dev-cache",
            "ANALYSIS_FUNCTION_NAME": "music-poetry-dev-analysis",
            "YOUTUBE_COOKIES_SECRET": "music-poetry/dev/youtube-cookies",
        }
    )
    assert settings.invoker == "lambda" and settings.analysis_function == "music-poetry-dev-analysis"
    assert settings.cache_table == "music-poetry-dev-cache"
    assert settings.cookies_secret_arn == "music-poetry/dev/youtube-cookies"


def test_youtube_config_dev_switch_refused_inside_lambda():
    with pytest.raises(ConfigError) as info:
        config.from_env(
            {"AWS_LAMBDA_FUNCTION_NAME": "music-poetry-prod-youtube", "YOUTUBE_DEV_MEDIA_URL": "http://127.0.0.1:8765"}
        )
    assert "refused inside Lambda" in info.value.details


@pytest.mark.parametrize("url", ["http://media.example:8765", "https://127.0.0.1:8765", "http://10.0.0.5/"])
def test_youtube_config_dev_switch_only_for_loopback(url):
    with pytest.raises(ConfigError):
        config.from_env({"YOUTUBE_DEV_MEDIA_URL": url})


def test_youtube_config_dev_switch_locally():
    assert config.from_env({"YOUTUBE_DEV_MEDIA_URL": "http://127.0.0.1:8765/"}).dev_media_url == "http://127.0.0.1:8765"


def test_youtube_config_local_invoker_refused_inside_lambda():
    with pytest.raises(ConfigError):
        config.from_env({"AWS_LAMBDA_FUNCTION_NAME": "f", "ANALYSIS_INVOKER": "local"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_DURATION_SECONDS", "ten"),
        ("MAX_DURATION_SECONDS", "0"),
        ("CACHE_TTL_DAYS", "-1"),
        ("ANALYSIS_INVOKER", "carrier-pigeon"),
    ],
)
def test_youtube_config_bad_values_are_misconfiguration(name, value):
    with pytest.raises(ConfigError):
        config.from_env({name: value})


def test_youtube_config_settings_never_turn_on_the_dev_switch():
    youtube = SETTINGS["functions"]["youtube"]
    for block in ("env", "local_env"):  # Terraform deploys `env`; `make serve` adds `local_env`
        assert config.DEV_MEDIA_ENV not in youtube.get(block, {})


def test_youtube_config_timeout_fits_api_gateway_with_the_budget():
    youtube = SETTINGS["functions"]["youtube"]
    assert youtube["timeout"] < API_GATEWAY_LIMIT_S
    steps = budget.EXTRACT_S + budget.DOWNLOAD_S + budget.transcode_budget(None, 600) + budget.ANALYSIS_S
    assert steps + budget.RESERVE_S <= youtube["timeout"]
    assert youtube["layers"] == ["common", "youtube-tools"]


def test_youtube_config_analyzer_version_is_defined_once():
    # The one definition is functions.common.versions; the analyzer reports it and youtube caches
    # under it. A literal anywhere else (settings.json, either function) could drift.
    from functions.common.versions import ANALYZER_VERSION

    assert config.from_env({}).analyzer_version == ANALYZER_VERSION
    assert "ANALYZER_VERSION" not in json.dumps(SETTINGS)
    for path in (ROOT / "functions").rglob("*.py"):
        if path.name != "versions.py":
            tree = ast.parse(path.read_text())
            literals = [
                node
                for node in ast.walk(tree)
                if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "ANALYZER_VERSION" for t in node.targets)
            ]
            assert not literals, f"{path.relative_to(ROOT)} assigns ANALYZER_VERSION"


def test_youtube_config_finds_deno_from_env(tmp_path):
    deno = tmp_path / "deno"
    deno.write_text("#!/bin/sh\n")
    deno.chmod(0o755)
    assert config.find_deno({"DENO_PATH": str(deno)}) == str(deno)


def test_youtube_wiring_deployed_imports_no_dev_module():
    # In a fresh interpreter: other tests import functions.local_api into this one.
    code = (
        "import logging, sys\n"
        "from functions.youtube import handler, wiring\n"
        "env = {'AWS_LAMBDA_FUNCTION_NAME': 'music-poetry-dev-youtube', 'AWS_DEFAULT_REGION': 'us-east-1'}\n"
        "deps = wiring.build(env, logger=logging.getLogger('t'), metrics=None)\n"
        "print(type(deps.invoker).__name__, deps.extractor_factory)\n"
        "print(sorted(m for m in sys.modules if m.startswith('functions.local_api')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["LambdaInvoker None", "[]"]


def test_youtube_wiring_dev_settings_import_the_dev_seams_locally():
    from functions.local_api.invoker import LocalInvoker
    from functions.youtube import wiring

    deps = wiring.build(
        {"YOUTUBE_DEV_MEDIA_URL": "http://127.0.0.1:8765"},
        logger=logging.getLogger("t"),
        metrics=None,
        local_handler="no_such_module.lambda_handler",
    )
    assert isinstance(deps.invoker, LocalInvoker) and deps.extractor_factory is not None
