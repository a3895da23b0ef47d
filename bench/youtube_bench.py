"""YouTube function timings against its budget (see functions/youtube/budget.py); prints JSON.

    make youtube-bench

- coldImportSeconds: importing functions.youtube.handler in a fresh interpreter (cold start share)
- cacheHitMs: handler time of a cache hit (goal <= 100 ms), embedded cache and DynamoDB (moto,
  in-process: real DynamoDB adds its network round trip, a few ms in-region)
- transcode600sSeconds: ffmpeg, 600 s of 64 kb/s stereo Opus -> the analysis audio (mono Vorbis +
  ebur128 loudness, functions/youtube/transcode.py), wall and CPU seconds; the goal is the
  transcode budget at 600 s. youtube runs at 1769 MB, one vCPU, so on Lambda wall is about CPU
  (here ffmpeg's threads overlap on 2 cores)"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from functions.local_api.context import LambdaContext  # noqa: E402
from functions.youtube import budget, handler, transcode  # noqa: E402
from functions.youtube.cache import DynamoCache, EmbeddedCache, SafeCache  # noqa: E402
from functions.youtube.config import Settings  # noqa: E402
from functions.youtube.service import Deps  # noqa: E402
from functions.youtube.telemetry import Telemetry  # noqa: E402

ROUNDS = 200
VALUE = {
    "videoInfo": {
        "id": "BaW_jenozKc",
        "title": "t",
        "channel": "c",
        "duration": 212.0,
        "thumbnail": "https://i.ytimg.com/vi/BaW_jenozKc/hqdefault.jpg",
        "uploadDate": "2012-10-02",
        "viewCount": 1,
        "isLive": False,
    },
    "analysis": {"analyzerVersion": "1.0.0", "tempo": 120.0, "mfcc": [0.0] * 13},
}


def _event() -> dict:
    event = json.loads((ROOT / "tests" / "fixtures" / "apigw_rest_proxy_event.json").read_text())
    path = "/api/youtube/audio-with-analysis"
    event.update(httpMethod="GET", path=path, resource=path, body=None)
    event["requestContext"].update(httpMethod="GET", resourcePath=path, path=f"/Prod{path}")
    event["queryStringParameters"] = {"url": "https://youtu.be/BaW_jenozKc"}
    event["multiValueQueryStringParameters"] = {"url": ["https://youtu.be/BaW_jenozKc"]}
    return event


def _hit_ms(cache) -> dict:
    deps = Deps(
        settings=Settings(analyzer_version="1.0.0"),
        cache=SafeCache(cache, logger=handler.logger),
        invoker=None,  # type: ignore[arg-type]  # a cache hit never invokes the analysis
        secrets=None,  # type: ignore[arg-type]  # nor extracts
        telemetry=Telemetry(handler.metrics),
        logger=handler.logger,
        ffmpeg=lambda: "",
        extractor_factory=None,
    )
    handler.deps = lambda: deps  # type: ignore[assignment]  # the handler's cached factory, replaced
    cache.put("BaW_jenozKc", "1.0.0", VALUE)
    event, times = _event(), []
    context = LambdaContext(function_name="youtube-bench", memory_limit_in_mb=1024, timeout_s=27.0)
    for _ in range(ROUNDS):
        with contextlib.redirect_stdout(io.StringIO()):  # EMF lines: printed in Lambda too
            started = time.perf_counter()
            result = handler.lambda_handler(event, context)
            times.append((time.perf_counter() - started) * 1000)
        assert result["statusCode"] == 200 and result["multiValueHeaders"]["X-Cache"] == ["Hit"], result
    times.sort()
    return {
        "p50": round(statistics.median(times), 2),
        "p99": round(times[int(len(times) * 0.99) - 1], 2),
        "max": round(times[-1], 2),
        "n": len(times),
    }


def _cold_import_s() -> float:
    code = "import time; t = time.perf_counter(); import functions.youtube.handler; print(time.perf_counter() - t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    ]
    return round(statistics.median(runs), 3)


def _transcode_s() -> dict[str, float]:
    ffmpeg = transcode.find_ffmpeg()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "noise.webm"
        subprocess.run(
            [
                ffmpeg,
                "-nostdin",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "anoisesrc=d=600:c=pink:r=48000",
                "-ac",
                "2",
                "-c:a",
                "libopus",
                "-b:a",
                "64k",
                str(source),
            ],
            check=True,
            timeout=300,
        )
        before = os.times()
        started = time.perf_counter()
        transcode.to_analysis_audio(source, Path(tmp) / "audio.ogg", ffmpeg=ffmpeg, max_seconds=600, timeout_s=300)
        after = os.times()
        return {
            "wall": round(time.perf_counter() - started, 2),
            "cpu": round(
                after.children_user + after.children_system - before.children_user - before.children_system, 2
            ),
        }


def main() -> None:
    logging.disable(logging.WARNING)
    os.environ.update(
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="ERROR",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
    )
    result: dict[str, Any] = {
        "coldImportSeconds": _cold_import_s(),
        "cacheHitMs": {"embedded": _hit_ms(EmbeddedCache(ttl_days=1))},
    }
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="cache",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "cache_key", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "cache_key", "KeyType": "HASH"}],
        )
        result["cacheHitMs"]["dynamodbMoto"] = _hit_ms(DynamoCache(client=client, table="cache", ttl_days=1))
    result["transcode600sSeconds"] = _transcode_s()
    result["goals"] = {
        "cacheHitMs": 100,
        "coldImportSeconds": 1.5,
        "transcode600sSeconds": round(budget.transcode_budget(600, 600), 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
