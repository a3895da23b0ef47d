"""One invocation of each function, as Lambda would run it: the EMF documents it prints and its
JSON log lines. Custom metrics are paid per stream, so a function may publish only what
`make cost` counts for it (cost.deployment.emitted_metrics) - today only youtube's
YouTubeFailure by reason - in the namespace Terraform sets (POWERTOOLS_METRICS_NAMESPACE).
What used to be a metric is a log field, and the log lines carry service, cold_start and the
API Gateway request id as correlation id."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pytest
from fake_upstreams import FakeUpstream, converse_ok
from json_lines import json_lines
from youtube_schema import NoSecrets as _NoSecrets

from cost.deployment import emitted_metrics
from functions.common.observability import metrics_for

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = json.loads((ROOT / "functions" / "settings.json").read_text())
NAMESPACE = "music-poetry-dev"  # what Terraform sets in the dev workspace (tests/terraform checks it)
JPEG = (ROOT / "tests" / "fixtures" / "thumbnail.jpg").read_bytes()


def _counted(service: str) -> set[str]:
    """The metric streams `make cost` prices for this function."""
    return set(emitted_metrics(ROOT / "functions" / service, exclude=set()))


class Invocation:
    """Runs one handler with its logger and metrics captured; `emf` and `logs` afterwards."""

    def __init__(self, handler, monkeypatch, capsys):
        self.handler, self.capsys = handler, capsys
        monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
        # Metrics and logger are built at import; set what Terraform's env would have given them.
        monkeypatch.setattr(handler.metrics, "namespace", NAMESPACE)
        self.stream = io.StringIO()  # the logger's handler kept whatever stdout existed at import
        monkeypatch.setattr(handler.logger.registered_handler, "stream", self.stream)
        capsys.readouterr()

    def __call__(self, event, context) -> dict:
        result = self.handler.lambda_handler(event, context)
        lines = json_lines(self.capsys.readouterr().out) + json_lines(self.stream.getvalue())
        self.emf = [line for line in lines if "_aws" in line]
        self.logs = [line for line in lines if "_aws" not in line and "level" in line]
        return result

    def metrics(self) -> dict[str, tuple[str, list[list[str]], dict]]:
        """Metric name -> (namespace, dimension sets, the document) over every EMF document."""
        out = {}
        for doc in self.emf:
            for directive in doc["_aws"]["CloudWatchMetrics"]:
                for metric in directive["Metrics"]:
                    out[metric["Name"]] = (directive["Namespace"], directive["Dimensions"], doc)
        return out


def _assert_metrics(run: Invocation, service: str, expected: set[str]) -> None:
    emitted = run.metrics()
    assert set(emitted) == expected, f"{service} emitted {sorted(emitted)}, expected {sorted(expected)}"
    assert expected <= _counted(service), "a metric make cost does not price"
    for name in expected:
        namespace, dimension_sets, doc = emitted[name]
        assert namespace == NAMESPACE and doc["service"] == service
        assert ["service", "reason"] in dimension_sets if name == "YouTubeFailure" else True


def _log(run: Invocation, message: str) -> dict:
    found = [line for line in run.logs if line.get("message") == message]
    assert found, f"no log line {message!r}: {[line.get('message') for line in run.logs]}"
    return found[0]


def _assert_correlated_logs(run: Invocation, service: str, event: dict) -> None:
    assert run.logs, "no JSON log line"
    for line in run.logs:
        assert line["service"] == service and "cold_start" in line
        assert line["correlation_id"] == event["requestContext"]["requestId"]
        assert event.get("body") is None or event["body"] not in json.dumps(line)  # never the whole event


def test_monitoring_namespace_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "music-poetry-prod")
    assert metrics_for("poetry").namespace == "music-poetry-prod"
    monkeypatch.delenv("POWERTOOLS_METRICS_NAMESPACE")
    assert metrics_for("poetry").namespace == "music-poetry-local"


def test_monitoring_emf_poetry_offline(monkeypatch, capsys, rest_event, lambda_context):
    from functions.poetry import handler

    run = Invocation(handler, monkeypatch, capsys)
    event = rest_event(body={"audioFeatures": {"tempo": 100}, "persona": "zen", "language": "en"})
    assert run(event, lambda_context)["statusCode"] == 200
    _assert_metrics(run, "poetry", set())
    assert "latency_ms" in _log(run, "poem written")
    _assert_correlated_logs(run, "poetry", event)


def test_monitoring_emf_poetry_bedrock_tokens(monkeypatch, capsys, rest_event, lambda_context):
    from functions.poetry import bedrock, handler

    fake = FakeUpstream()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.setenv("POETRY_PROVIDER", "bedrock")
        bedrock._client.cache_clear()
        fake.reply(body=converse_ok(tokens=(321, 123)))
        run = Invocation(handler, monkeypatch, capsys)
        event = rest_event(body={"audioFeatures": {"energy": 0.9}, "persona": "noir", "language": "en"})
        assert run(event, lambda_context)["statusCode"] == 200
    finally:
        fake.close()
        bedrock._client.cache_clear()
    _assert_metrics(run, "poetry", set())  # tokens are in AWS/Bedrock, free
    usage = _log(run, "poem written")
    assert (usage["input_tokens"], usage["output_tokens"]) == (321, 123)
    assert usage["cost_usd"] == round((321 * 1.10 + 123 * 5.50) / 1e6, 6)  # Haiku 4.5 list prices
    _assert_correlated_logs(run, "poetry", event)


def test_monitoring_emf_thumbnail(monkeypatch, capsys, rest_event, lambda_context):
    from functions.thumbnail import fetch, handler

    class StubFetcher:  # the network side has its own suites (tests/integration/test_thumbnail_*)
        def fetch(self, url, **kwargs):
            return fetch.Image("image/jpeg", JPEG)

    monkeypatch.setattr(handler, "fetcher", StubFetcher())
    run = Invocation(handler, monkeypatch, capsys)
    event = rest_event(
        method="GET",
        path="/api/thumbnail",
        body=None,
        headers={"Accept": "image/jpeg"},
        query={"url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"},
    )
    assert run(event, lambda_context)["statusCode"] == 200
    _assert_metrics(run, "thumbnail", set())
    assert _log(run, "thumbnail served")["bytes"] == len(JPEG)
    _assert_correlated_logs(run, "thumbnail", event)


class _BrokenCache:
    def get(self, video_id, analyzer_version):
        raise OSError("table unreachable")

    def put(self, video_id, analyzer_version, value):
        raise OSError("table unreachable")


def _youtube_deps(handler, tmp_path, inner, extractor_factory):
    from functions.youtube.cache import SafeCache
    from functions.youtube.config import Settings
    from functions.youtube.service import Deps
    from functions.youtube.telemetry import Telemetry

    telemetry = Telemetry(handler.metrics, logger=handler.logger)
    return Deps(
        settings=Settings(work_root=tmp_path / "work", analyzer_version="1.0.0"),
        cache=SafeCache(inner, logger=handler.logger, on_error=telemetry.cache_error),
        invoker=None,
        secrets=_NoSecrets(),
        telemetry=telemetry,
        logger=handler.logger,
        ffmpeg=lambda: "ffmpeg",
        extractor_factory=extractor_factory,
    )


def test_monitoring_emf_youtube_cache_hit(monkeypatch, capsys, rest_event, lambda_context, tmp_path):
    from functions.youtube import handler
    from functions.youtube.cache import EmbeddedCache

    cache = EmbeddedCache(ttl_days=1)
    cache.put("BaW_jenozKc", "1.0.0", {"videoInfo": {"id": "BaW_jenozKc"}, "analysis": {"tempo": 120.0}})
    deps = _youtube_deps(handler, tmp_path, cache, extractor_factory=None)
    monkeypatch.setattr(handler, "deps", lambda: deps)
    run = Invocation(handler, monkeypatch, capsys)
    event = rest_event(
        method="GET", path="/api/youtube/audio-with-analysis", body=None, query={"url": "https://youtu.be/BaW_jenozKc"}
    )
    assert run(event, lambda_context)["statusCode"] == 200
    _assert_metrics(run, "youtube", set())
    assert _log(run, "analysis cache lookup")["cache_hit"] is True
    assert all(line["correlation_id"] == event["requestContext"]["requestId"] for line in run.logs)


def test_monitoring_emf_youtube_cache_error_miss_and_failure_reason(
    monkeypatch, capsys, rest_event, lambda_context, tmp_path
):
    from functions.local_api import devextractor
    from functions.youtube import handler

    class RefusingIE(devextractor.LocalMediaIE):  # YouTube's bot check, without a socket
        def _real_extract(self, url):
            self.raise_no_formats(self._login_required(devextractor.REFUSALS["bot"]), expected=True)

    deps = _youtube_deps(handler, tmp_path, _BrokenCache(), extractor_factory=lambda: RefusingIE("http://127.0.0.1:9"))
    monkeypatch.setattr(handler, "deps", lambda: deps)
    run = Invocation(handler, monkeypatch, capsys)
    event = rest_event(
        method="GET", path="/api/youtube/audio-with-analysis", body=None, query={"url": "https://youtu.be/BaW_jenozKc"}
    )
    assert run(event, lambda_context)["statusCode"] == 503
    _assert_metrics(run, "youtube", {"YouTubeFailure"})  # no free metric tells refusals apart
    assert run.metrics()["YouTubeFailure"][2]["reason"] == "refused"
    assert _log(run, "analysis cache lookup")["cache_hit"] is False
    assert _log(run, "analysis cache error")["cache_error"] in ("get", "put")
    _assert_correlated_logs(run, "youtube", event)


def test_monitoring_emf_analysis(monkeypatch, capsys, lambda_context):
    import base64

    import numpy as np
    import soundfile as sf

    from functions.analysis import handler

    rate = 22050
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(rate * 6) / rate)
    tone[:: rate // 2] += 0.9  # a click every half second
    wav = io.BytesIO()
    sf.write(wav, tone, rate, format="WAV")
    audio = base64.b64encode(wav.getvalue()).decode()
    run = Invocation(handler, monkeypatch, capsys)
    result = run({"audio": audio, "format": "wav", "source": {"type": "test"}}, lambda_context)
    assert "analysis" in result, result
    _assert_metrics(run, "analysis", set())  # Lambda's Duration says the same, free
    assert _log(run, "analysed")["elapsed"] > 0
    # Invoked directly by youtube, not through API Gateway: no request id to correlate with.
    assert run.logs and all(line["service"] == "analysis" and "cold_start" in line for line in run.logs)
    assert audio[:64] not in json.dumps(run.logs)  # the audio never reaches the log


def _scenarios() -> dict[str, list[str]]:
    """Function -> the tests in this file that run it and check its EMF (`_assert_metrics`)."""
    found: dict[str, list[str]] = {}
    for node in ast.parse(Path(__file__).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_monitoring_emf_"):
            for call in ast.walk(node):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == "_assert_metrics"
                    and len(call.args) > 1
                    and isinstance(call.args[1], ast.Constant)
                    and isinstance(call.args[1].value, str)
                ):
                    found.setdefault(call.args[1].value, []).append(node.name)
    return found


@pytest.mark.parametrize("function", sorted(SETTINGS["functions"]))
def test_monitoring_emf_scenario_exists_for_each_function(function):
    assert function in _scenarios(), f"add an EMF scenario for {function} to this file"
