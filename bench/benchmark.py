"""Analysis benchmark: held-out accuracy per family first, then speed, memory and the tuning side.

Run by `make bench` (after bench/groundtruth.py rendered the corpus); prints one JSON object.
Speed and memory are measured in fresh subprocesses pinned to one core with one BLAS/numba
thread; naive librosa is timed on the same audio in the same run, for the ratio."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import evaluate  # noqa: E402
import perf  # noqa: E402

TARGETS = {
    "tempoAcc1": 0.95,
    "tempoAcc2": 1.0,
    "keyMirex": 0.90,
    "loudnessMaxErrorLU": 1.0,
    "speechMin": 0.66,
    "musicSpeechMax": 0.33,
    "warm3minSeconds": 0.40,
    "warm3minVsNaiveLibrosa": 0.20,
    "coldStartSeconds": 2.0,
    "peakRss10minMB": 300,
}
# `make smoke` writes the Lambda-like sandbox's cold starts beside its manifest (build/lambdabuild/smoke.py).
SMOKE_REPORTS = "build/work/smoke-*/dist/smoke.json"
GOAL_NOTES = {
    "coldStartSandbox": (
        "read from the newest `make smoke` report (smoke.json: the analysis handler's process start to "
        "its first result in the Lambda-like sandbox, wall time); null when `make smoke` has not run. "
        "performance.coldStartProcess is a bare local process, reported but not judged."
    ),
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def goals(held: dict) -> dict:
    """Which accuracy goals the held-out figures meet (the youtube path's loudness included)."""
    return {
        "tempoAcc1": held.get("tempoAcc1", 0) >= TARGETS["tempoAcc1"],
        "tempoAcc2": held.get("tempoAcc2", 0) >= TARGETS["tempoAcc2"],
        "keyMirex": held.get("keyMirex", 0) >= TARGETS["keyMirex"],
        "loudness": held["loudnessMaxErrorLU"] <= TARGETS["loudnessMaxErrorLU"],
        "speechiness": held.get("speechMin", 0) > TARGETS["speechMin"]
        and held.get("musicSpeechMax", 1) < TARGETS["musicSpeechMax"],
    }


def smoke_cold_start(root: Path) -> dict | None:
    """The analysis cold start from the newest `make smoke` report under `root`, or None."""
    reports = sorted(root.glob(SMOKE_REPORTS), key=lambda p: p.stat().st_mtime)
    if not reports:
        return None
    report = json.loads(reports[-1].read_text())
    cold = report.get("coldStartToFirstResult", {}).get("analysis")
    if cold is None:
        return None
    return {**cold, "report": str(reports[-1].relative_to(root)), "measuredAt": report.get("measuredAt")}


def perf_goals(p: dict, sandbox: dict | None = None) -> dict:
    """Speed and memory goals, read on one core's CPU time (see bench/perf.py); the cold start on
    `make smoke`'s sandbox figure, None when there is none (GOAL_NOTES)."""
    return {
        "warm3min": p["warm3min_youtube"]["cpuMedian"] <= TARGETS["warm3minSeconds"],
        "warm3minVsNaiveLibrosa": p["warm3minVsNaiveLibrosa"] <= TARGETS["warm3minVsNaiveLibrosa"],
        "peakRss10min": p["rss10min"]["peakMB"] <= TARGETS["peakRss10minMB"],
        "coldStartSandbox": None if sandbox is None else sandbox["seconds"] <= TARGETS["coldStartSeconds"],
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--quick", action="store_true", help="accuracy only, no speed/memory runs")
    ap.add_argument("--perf-only", action="store_true", help="speed/memory only, no accuracy")
    ap.add_argument("--pool", type=Path, help="tuning-only pool (bench/tuning_pool.py), reported after the tuning side")
    ap.add_argument("--sections-corpus", type=Path, help="synthetic sections corpus (bench/sections.py render)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    if args.perf_only:
        perf_report = perf.performance(args.corpus, args.corpus.parent)
        sandbox = smoke_cold_start(ROOT)
        json.dump(
            {
                "performance": perf_report,
                "sandboxColdStart": sandbox,
                "performanceGoalsMet": perf_goals(perf_report, sandbox),
                "performanceGoalNotes": GOAL_NOTES,
                "targets": TARGETS,
                "loadAverage": [round(v, 2) for v in os.getloadavg()],
            },
            sys.stdout,
            indent=1,
        )
        sys.stdout.write("\n")
        return 0
    log("accuracy through the youtube path (transcode + event loudness)")
    yt_rows = evaluate.evaluate(args.corpus, path="youtube")
    log("accuracy on the rendered FLAC")
    flac_rows = evaluate.evaluate(args.corpus, path="rendered")
    yt, flac = evaluate.report(yt_rows), evaluate.report(flac_rows)
    report: dict = {
        "heldOut": {"youtubePath": yt.get("heldout"), "renderedFlac": flac.get("heldout")},
        "heldOutGoalsMet": {
            "youtubePath": goals(yt["heldout"]["all"]),
            "renderedFlac": goals(flac["heldout"]["all"]),
        },
        "heldOutMisses": evaluate.misses(yt_rows, "heldout"),
        "targets": TARGETS,
    }
    if not args.quick:
        report["performance"] = perf.performance(args.corpus, args.corpus.parent)
        report["sandboxColdStart"] = smoke_cold_start(ROOT)
        report["performanceGoalsMet"] = perf_goals(report["performance"], report["sandboxColdStart"])
        report["performanceGoalNotes"] = GOAL_NOTES
    if args.sections_corpus:
        import sections  # bench/sections.py, beside this script: song structure on synthetic ground truth

        log("sections (synthetic ground truth)")
        report["sections"] = sections.evaluate(args.sections_corpus)
        report["sectionsGoalsMet"] = report["sections"].pop("met", {})
        if not args.quick:
            warm = sections.warm_cost(args.corpus.parent / "track-3min.flac")
            report["sections"]["warm3min"] = warm
            report["sectionsGoalsMet"]["warm3min"] = warm["median"] <= sections.TARGETS["warm3minSeconds"]
    report["tuning"] = {"youtubePath": yt.get("tuning"), "renderedFlac": flac.get("tuning")}
    pool_rows: list[dict] = []
    if args.pool and (args.pool / "manifest.json").exists():
        log("tuning pool through the youtube path")
        pool_rows = evaluate.evaluate(args.pool, path="youtube")
        report["tuningPool"] = {"youtubePath": evaluate.report(pool_rows).get("tuning")}
    report["clips"] = {"youtubePath": yt_rows, "renderedFlac": flac_rows, "tuningPool": pool_rows}
    report["benchSeconds"] = round(time.perf_counter() - started, 1)
    report["loadAverage"] = [round(v, 2) for v in os.getloadavg()]  # timings on shared cores vary with it
    json.dump(report, sys.stdout, indent=1, default=lambda o: o.item() if hasattr(o, "item") else str(o))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
