"""Analysis benchmark: accuracy on the rendered ground truth, warm speed, peak memory, cold start.

Run by `make bench` (after bench/groundtruth.py rendered the corpus); prints one JSON object.
Speed and memory are measured in fresh subprocesses pinned to one core with one BLAS thread."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from functions.analysis import decode as decode_mod  # noqa: E402
from functions.analysis.analyzer import analyze, describe  # noqa: E402
from functions.analysis.key import PITCH_CLASSES, mirex_score  # noqa: E402

TARGETS = {
    "tempoAcc1": 0.95,
    "tempoAcc2": 1.0,
    "keyMirex": 0.90,
    "loudnessMaxErrorLU": 1.0,
    "speechMin": 0.66,
    "musicSpeechMax": 0.33,
    "warm3minSeconds": 0.6,
    "peakRss10minMB": 700,
}
TUNING_PIECES = 32  # see bench/groundtruth.py
ONE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def to_opus(src: Path, dst: Path) -> Path:
    """The production path: mono Ogg Opus at 32 kb/s, as the youtube function makes it."""
    if not dst.exists():
        import imageio_ffmpeg

        dst.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-v",
                "error",
                "-y",
                "-i",
                str(src),
                "-ac",
                "1",
                "-c:a",
                "libopus",
                "-b:a",
                "32k",
                str(dst),
            ],
            check=True,
            timeout=120,
        )
    return dst


def tempo_hits(est: float, ref: float) -> tuple[bool, bool]:
    ratio = est / ref
    acc1 = abs(ratio - 1) <= 0.04
    return acc1, any(abs(ratio / k - 1) <= 0.04 for k in (1, 2, 0.5, 3, 1 / 3))


def evaluate(corpus: Path, *, opus: bool, sr: int | None = None) -> dict:
    manifest = json.loads((corpus / "manifest.json").read_text())
    rows = []
    for clip in manifest["clips"]:
        path = corpus / clip["file"]
        if opus:
            path = to_opus(path, corpus.parent / "opus" / (path.stem + ".ogg"))
        if sr is None:
            result = analyze(path)
        else:
            result = describe(decode_mod.decode(path, sr=sr))
        row = {"id": clip["id"], "kind": clip["kind"], "speechiness": result["speechiness"]}
        if clip["kind"] == "music":
            acc1, acc2 = tempo_hits(result["tempo"], clip["tempo"])
            ref_key = (PITCH_CLASSES.index(clip["key"]), clip["mode"])
            row.update(
                tempoRef=clip["tempo"],
                tempo=result["tempo"],
                acc1=acc1,
                acc2=acc2,
                keyRef=f"{clip['key']} {clip['mode']}",
                key=f"{result['key']} {result['mode']}",
                keyScore=mirex_score((result["keyIndex"], result["mode"]), ref_key),
                meterRef=4 if clip["beatsPerBar"] in (2, 4) else 3,
                meter=result["timeSignature"],
            )
        y, file_sr = sf.read(path, dtype="float64", always_2d=True)
        ref_lufs = pyloudnorm.Meter(file_sr).integrated_loudness(y)
        row.update(
            loudnessRef=round(ref_lufs, 2),
            loudness=result["loudness"],
            loudnessError=round(abs(result["loudness"] - max(ref_lufs, -70.0)), 2),
        )
        rows.append(row)
    summary = summarise(rows)
    pieces = {c["id"]: c.get("piece", 0) for c in manifest["clips"]}
    held = [r for r in rows if r["kind"] == "music" and pieces[r["id"]] >= TUNING_PIECES]
    if held:  # clips never looked at while tuning (plus the speech clips, which were)
        summary["heldOut"] = summarise(held + [r for r in rows if r["kind"] == "speech"])
    return {"summary": summary, "clips": rows}


def summarise(rows: list[dict]) -> dict:
    music = [r for r in rows if r["kind"] == "music"]
    speech = [r for r in rows if r["kind"] == "speech"]
    return {
        "clips": len(rows),
        "music": len(music),
        "speech": len(speech),
        "tempoAcc1": round(np.mean([r["acc1"] for r in music]), 3),
        "tempoAcc2": round(np.mean([r["acc2"] for r in music]), 3),
        "keyMirex": round(np.mean([r["keyScore"] for r in music]), 3),
        "keyExact": round(np.mean([r["keyScore"] == 1.0 for r in music]), 3),
        "meterAccuracy": round(np.mean([r["meter"] == r["meterRef"] for r in music]), 3),
        "loudnessMaxErrorLU": max(r["loudnessError"] for r in rows),
        "speechMin": min(r["speechiness"] for r in speech),
        "musicSpeechMax": max(r["speechiness"] for r in music),
    }


def make_long(corpus: Path, seconds: float, out: Path) -> Path:
    """A long track made of the corpus's drum variants back to back (44.1 kHz stereo FLAC)."""
    if out.exists():
        return out
    manifest = json.loads((corpus / "manifest.json").read_text())
    parts, total = [], 0
    while total < seconds * 44100:
        for clip in manifest["clips"]:
            if clip["kind"] == "music" and clip.get("drums") and "targetLufs" not in clip:
                y, sr = sf.read(corpus / clip["file"], dtype="float32", always_2d=True)
                parts.append(y)
                total += len(y)
                if total >= seconds * 44100:
                    break
    sf.write(out, np.concatenate(parts)[: int(seconds * 44100)], 44100, subtype="PCM_16")
    return out


def run_child(code: str, *, env: dict | None = None, timeout: float = 600) -> dict:
    """Run `code` in a fresh interpreter pinned to CPU 0; it prints one JSON line last."""
    cmd = [sys.executable, "-c", code]
    if hasattr(os, "sched_getaffinity") and subprocess.run(["which", "taskset"], capture_output=True).returncode == 0:
        cmd = ["taskset", "-c", "0"] + cmd
    full_env = {**os.environ, **ONE_CORE, **(env or {}), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(cmd, env=full_env, capture_output=True, text=True, timeout=timeout, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


WARM_CODE = """
import json, time, statistics
from functions.analysis.analyzer import analyze, describe
from functions.analysis.decode import decode
path = {path!r}
analyze(path)
total, ana = [], []
for _ in range({repeats}):
    t0 = time.perf_counter(); d = decode(path); t1 = time.perf_counter(); describe(d); t2 = time.perf_counter()
    total.append(t2 - t0); ana.append(t2 - t1)
print(json.dumps({{"median": statistics.median(total), "min": min(total),
                  "analysisOnlyMedian": statistics.median(ana)}}))
"""

RSS_CODE = """
import json
from functions.analysis.analyzer import analyze

def hwm():
    # VmHWM belongs to this process image; ru_maxrss would carry the parent's peak across exec.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
base = hwm()
r = analyze({path!r})
print(json.dumps({{"peakMB": hwm(), "afterImportMB": base, "duration": r["duration"]}}))
"""

COLD_CODE = """
import json, time
t0 = time.perf_counter()
import functions.analysis.handler
from functions.analysis.analyzer import analyze
t1 = time.perf_counter()
analyze({path!r})
t2 = time.perf_counter()
print(json.dumps({{"importSeconds": t1 - t0, "firstAnalysisSeconds": t2 - t1, "totalSeconds": t2 - t0}}))
"""


def performance(corpus: Path, cache: Path) -> dict:
    three = make_long(corpus, 180, cache / "track-3min.flac")
    ten = make_long(corpus, 600, cache / "track-10min.flac")
    three_opus = to_opus(three, cache / "track-3min.ogg")
    out = {}
    for name, path in (("flac44kStereo", three), ("opusMono32k", three_opus)):
        log(f"warm 3 min ({name})")
        timing = run_child(WARM_CODE.format(path=str(path), repeats=5))
        out[f"warm3min_{name}"] = {k: round(v, 3) for k, v in timing.items()}
    log("peak RSS 10 min")
    out["rss10min"] = {k: round(v, 1) for k, v in run_child(RSS_CODE.format(path=str(ten))).items()}
    with tempfile.TemporaryDirectory() as numba_dir:
        env = {"NUMBA_CACHE_DIR": str(Path(numba_dir) / "cache")}
        for label in ("coldStartEmptyNumbaCache", "coldStartWarmNumbaCache"):
            log(label)
            out[label] = {k: round(v, 2) for k, v in run_child(COLD_CODE.format(path=str(three_opus)), env=env).items()}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--quick", action="store_true", help="accuracy only, no speed/memory runs")
    ap.add_argument("--rates", default="16000,44100", help="extra analysis rates to compare (comma list)")
    ap.add_argument("--sections-corpus", type=Path, help="synthetic sections corpus (bench/sections.py render)")
    args = ap.parse_args(argv)
    cache = args.corpus.parent
    report: dict = {"targets": TARGETS}
    started = time.perf_counter()
    log("accuracy (rendered FLAC)")
    report["accuracy"] = evaluate(args.corpus, opus=False)
    log("accuracy (mono Ogg Opus 32 kb/s)")
    opus = evaluate(args.corpus, opus=True)
    report["accuracyOpus32k"] = opus["summary"]
    report["accuracyOpus32kMisses"] = [r for r in opus["clips"] if not r.get("acc1", True) or r.get("keyScore", 1) < 1]
    report["sampleRates"] = {str(decode_mod.ANALYSIS_SR): report["accuracy"]["summary"]}
    for rate in filter(None, args.rates.split(",")):
        log(f"accuracy at {rate} Hz")
        report["sampleRates"][rate] = evaluate(args.corpus, opus=False, sr=int(rate))["summary"]
    if not args.quick:
        report["performance"] = performance(args.corpus, cache)
    s, p = report["accuracy"]["summary"], report.get("performance", {})
    met = {
        "tempoAcc1": s["tempoAcc1"] >= TARGETS["tempoAcc1"],
        "tempoAcc2": s["tempoAcc2"] >= TARGETS["tempoAcc2"],
        "keyMirex": s["keyMirex"] >= TARGETS["keyMirex"],
        "loudness": s["loudnessMaxErrorLU"] <= TARGETS["loudnessMaxErrorLU"],
        "speechiness": s["speechMin"] > TARGETS["speechMin"] and s["musicSpeechMax"] < TARGETS["musicSpeechMax"],
    }
    if p:
        # The target is the analysis of a decoded track; decoding Opus (libsndfile) comes on top.
        met["warm3minAnalysis"] = p["warm3min_opusMono32k"]["analysisOnlyMedian"] <= TARGETS["warm3minSeconds"]
        met["warm3minWithDecode"] = p["warm3min_opusMono32k"]["median"] <= TARGETS["warm3minSeconds"]
        met["peakRss10min"] = p["rss10min"]["peakMB"] <= TARGETS["peakRss10minMB"]
    if args.sections_corpus:
        import sections  # bench/sections.py, beside this script: song structure on synthetic ground truth

        log("sections (synthetic ground truth)")
        report["sections"] = sections.evaluate(args.sections_corpus)
        met.update({f"sections{k[0].upper()}{k[1:]}": v for k, v in report["sections"].pop("met").items()})
        if p:
            report["sections"]["warm3min"] = sections.warm_cost(cache / "track-3min.flac")
            met["sectionsWarm3min"] = report["sections"]["warm3min"]["median"] <= sections.TARGETS["warm3minSeconds"]
    report["met"] = met
    report["benchSeconds"] = round(time.perf_counter() - started, 1)
    report["loadAverage"] = [round(v, 2) for v in os.getloadavg()]  # timings on 2 shared cores vary with it
    json.dump(report, sys.stdout, indent=1, default=lambda o: o.item() if hasattr(o, "item") else str(o))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
