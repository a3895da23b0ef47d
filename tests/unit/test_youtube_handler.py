"""The youtube handler through real REST proxy events: validation, cache hits without any
download, the deadline's 504, metrics, and the dev switch refused inside Lambda."""

import json
import logging

import pytest
from youtube_schema import NoSecrets, sample_analysis
from youtube_schema import validator as component_validator

from functions.local_api import devextractor
from functions.youtube import handler
from functions.youtube.cache import EmbeddedCache, SafeCache
from functions.youtube.config import Settings
from functions.youtube.service import Deps
from functions.youtube.telemetry import Telemetry

URL = "https://youtu.be/BaW_jenozKc?si=abc"
VIDEO = {
    "id": "BaW_jenozKc",
    "title": "A song",
    "channel": "A channel",
    "duration": 212.0,
    "thumbnail": "https://i.ytimg.com/vi/BaW_jenozKc/maxresdefault.jpg",
    "uploadDate": "2012-10-02",
    "viewCount": 10,
    "isLive": False,
}
ANALYSIS = sample_analysis()


class RefusingIE(devextractor.LocalMediaIE):
    """Extraction that YouTube refuses (the bot check), without a socket."""

    def _real_extract(self, url):
        self.raise_no_formats(self._login_required(devextractor.REFUSALS["bot"]), expected=True)


class NoDownload:
    def __call__(self):
        raise AssertionError("the cache hit must not reach yt-dlp")


class NoInvoke:
    def invoke(self, payload, *, deadline):
        raise AssertionError("the analysis must not be invoked")


@pytest.fixture
def deps(tmp_path, monkeypatch):
    made = Deps(
        settings=Settings(work_root=tmp_path / "work", analyzer_version="1.0.0"),
        cache=SafeCache(EmbeddedCache(ttl_days=1), logger=logging.getLogger("t")),
        invoker=NoInvoke(),
        secrets=NoSecrets(),
        telemetry=Telemetry(handler.metrics, logger=handler.logger),
        logger=handler.logger,
        ffmpeg=lambda: "ffmpeg",
        extractor_factory=NoDownload(),
    )
    monkeypatch.setattr(handler, "deps", lambda: made)
    return made


def _get(rest_event, context, path, url):
    event = rest_event(
        method="GET",
        path=path,
        query=None if url is None else {"url": url},
        headers={"origin": "http://localhost:5173"},
    )
    result = handler.lambda_handler(event, context)
    headers = {k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items()}
    headers.update(result.get("headers") or {})
    return result["statusCode"], headers, json.loads(result["body"])


@pytest.mark.parametrize("path", ["/api/youtube/info", "/api/youtube/audio-with-analysis"])
@pytest.mark.parametrize(
    ("url", "says"),
    [
        (None, "Missing query parameter url"),
        ("BaW_jenozKc", "bare video id"),
        ("https://www.youtube.com/@artist", "handles"),
        ("https://vimeo.com/1", "not YouTube"),
    ],
)
def test_youtube_handler_bad_url_is_400(deps, rest_event, lambda_context, path, url, says):
    status, headers, body = _get(rest_event, lambda_context, path, url)
    assert status == 400
    assert says in f"{body['error']} {body.get('details', '')}"
    assert headers["Access-Control-Allow-Origin"] == "*"
    component_validator("Error")(body)


@pytest.mark.parametrize("path", ["/api/youtube/info", "/api/youtube/audio-with-analysis"])
def test_youtube_handler_repeated_url_is_400_not_the_last_one(deps, rest_event, lambda_context, path):
    event = rest_event(method="GET", path=path, query={"url": "https://youtu.be/BaW_jenozKc"})
    # API Gateway keeps the last value in queryStringParameters and all of them in the multi-value map.
    event["multiValueQueryStringParameters"] = {"url": ["https://vimeo.com/1", "https://youtu.be/BaW_jenozKc"]}
    result = handler.lambda_handler(event, lambda_context)
    body = json.loads(result["body"])
    assert result["statusCode"] == 400 and body["error"] == "Give the url parameter once"
    component_validator("Error")(body)


def test_youtube_handler_cache_hit_skips_download_and_analysis(deps, rest_event, lambda_context, monkeypatch):
    # That a hit is a log field and no paid metric is checked with the real Telemetry in
    # tests/integration/test_monitoring_emf.py::test_monitoring_emf_youtube_cache_hit.
    lookups = []
    monkeypatch.setattr(deps.telemetry, "cache", lambda hit: lookups.append(hit))
    deps.cache.put("BaW_jenozKc", "1.0.0", {"videoInfo": VIDEO, "analysis": ANALYSIS})
    status, headers, body = _get(rest_event, lambda_context, "/api/youtube/audio-with-analysis", URL)
    assert status == 200 and headers["X-Cache"] == "Hit"
    assert body == {"success": True, "videoInfo": VIDEO, "analysis": ANALYSIS}
    component_validator("AudioWithAnalysisResponse")(body)
    assert lookups == [True]


def test_youtube_handler_cache_miss_out_of_time_is_504_and_leaves_no_dir(
    deps, rest_event, lambda_context, capsys, monkeypatch
):
    lookups = []
    monkeypatch.setattr(deps.telemetry, "cache", lambda hit: lookups.append(hit))
    lambda_context.timeout_s = 5.0  # less than the extraction budget plus the reserve
    status, _headers, body = _get(rest_event, lambda_context, "/api/youtube/audio-with-analysis", URL)
    assert status == 504
    assert "extraction" in body["details"]
    assert list((deps.settings.work_root).iterdir()) == []
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert lookups == [False]
    assert any(m.get("YouTubeFailure") and m.get("reason") == "deadline" for m in emf)


def test_youtube_handler_refusal_is_503_with_reason_metric(deps, rest_event, lambda_context, capsys):
    deps.extractor_factory = lambda: RefusingIE("http://127.0.0.1:9")
    status, _headers, body = _get(rest_event, lambda_context, "/api/youtube/info", URL)
    assert status == 503
    assert body["error"] == "YouTube refused this server"
    assert list(deps.settings.work_root.iterdir()) == []
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    failure = next(m for m in emf if "YouTubeFailure" in m)
    assert (
        failure["reason"] == "refused"
        and ["service", "reason"] in failure["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
    )


def test_youtube_handler_dev_switch_is_refused_inside_lambda(monkeypatch, rest_event, lambda_context, tmp_path):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "music-poetry-prod-youtube")
    monkeypatch.setenv("YOUTUBE_DEV_MEDIA_URL", "http://127.0.0.1:8765")
    monkeypatch.setenv("YOUTUBE_WORK_DIR", str(tmp_path))
    handler.deps.cache_clear()
    try:
        status, _headers, body = _get(rest_event, lambda_context, "/api/youtube/info", URL)
    finally:
        handler.deps.cache_clear()
    assert status == 503  # a misconfiguration is a 503 in every function
    assert body["error"] == "The service is misconfigured" and "YOUTUBE_DEV_MEDIA_URL" in body["details"]


def test_youtube_handler_first_request_pays_for_cold_imports(monkeypatch, lambda_context):
    monkeypatch.setattr(handler, "_unbilled_init_s", [3.0])
    lambda_context.timeout_s = 60.0
    first, second = handler._deadline(lambda_context), handler._deadline(lambda_context)
    assert second.remaining() - first.remaining() == pytest.approx(3.0, abs=0.1)
    assert second.remaining() <= 29.0 - 2.0
