"""One invocation of each function, as Lambda would run it: the EMF documents it prints and its
JSON log lines. The metric names and dimension sets must be the ones the dashboard queries
(terraform/modules/monitoring/custom_metrics.json), in the namespace Terraform sets
(POWERTOOLS_METRICS_NAMESPACE), and the log lines must carry service, cold_start and the API
Gateway request id as correlation id."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fake_upstreams import FakeUpstream, converse_ok

from functions.common.observability import metrics_for

ROOT = Path(__file__).resolve().parents[2]
CATALOG = json.loads((ROOT / "terraform" / "modules" / "monitoring" / "custom_metrics.json").read_text())
SETTINGS = json.loads((ROOT / "functions" / "settings.json").read_text())
NAMESPACE = "music-poetry-dev"  # what Terraform sets in the dev workspace (tests/terraform checks it)
JPEG = (ROOT / "tests" / "fixtures" / "thumbnail.jpg").read_bytes()


def _dashboard_dimensions(service: str) -> dict[str, list[str]]:
    """Metric name -> the dimension set the dashboard queries for it."""
    out = {}
    for widget in CATALOG["widgets"]:
        if widget["service"] == service:
            dims = ["service"] + ([widget["split_by"]] if widget["split_by"] else [])
            out.update({metric: dims for metric in widget["metrics"]})
    return out


def _json_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


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
        lines = _json_lines(self.capsys.readouterr().out) + _json_lines(self.stream.getvalue())
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


def _assert_dashboard_metrics(run: Invocation, service: str, expected: set[str]) -> None:
    emitted = run.metrics()
    wanted = _dashboard_dimensions(service)
    assert expected <= set(wanted), "the scenario expects metrics the dashboard does not show"
    for name in expected:
        assert name in emitted, f"{service} emitted no {name}; it emitted {sorted(emitted)}"
        namespace, dimension_sets, doc = emitted[name]
        assert namespace == NAMESPACE
        assert wanted[name] in dimension_sets, f"{name}: dashboard queries {wanted[name]}, EMF has {dimension_sets}"
        assert doc["service"] == service


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
    _assert_dashboard_metrics(run, "poetry", {"PoemLatency"})
    assert "BedrockInputTokens" not in run.metrics()  # the offline poet uses no Bedrock tokens
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
    _assert_dashboard_metrics(run, "poetry", {"PoemLatency", "BedrockInputTokens", "BedrockOutputTokens"})
    doc = run.metrics()["BedrockInputTokens"][2]
    assert (doc["BedrockInputTokens"], doc["BedrockOutputTokens"]) == ([321], [123])  # Powertools writes lists
    _assert_correlated_logs(run, "poetry", event)


def test_monitoring_emf_thumbnail(monkeypatch, capsys, rest_event, lambda_context):
    from functions.thumbnail import fetch, handler

    class StubFetcher:  # the network side has its own suites (tests/integration/test_thumbnail_*)
        def fetch(self, url, **kwargs):
            return fetch.Image("image/jpeg", JPEG)

    monkeypatch.setattr(handler, "fetcher", StubFetcher())
    run = Invocation(handler, monkeypatch, capsys)
    event = rest_event(method="GET", path="/api/thumbnail", body=None, headers={"Accept": "image/jpeg"},
                       query={"url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"})
    assert run(event, lambda_context)["statusCode"] == 200
    _assert_dashboard_metrics(run, "thumbnail", {"ThumbnailBytes"})
    assert run.metrics()["ThumbnailBytes"][2]["ThumbnailBytes"] == [len(JPEG)]
    _assert_correlated_logs(run, "thumbnail", event)


COVERED = {"poetry", "thumbnail"}


@pytest.mark.parametrize("function", sorted(SETTINGS["functions"]))
def test_monitoring_emf_scenario_exists_for_each_function(function):
    if function not in COVERED:
        pytest.skip(f"no EMF scenario for {function} yet (its dashboard metrics are checked statically "
                    "in tests/terraform/test_monitoring_dashboard.py)")
    assert _dashboard_dimensions(function), f"the dashboard shows no custom metric of {function}"
