"""Speed, memory and cold start of the analysis, each in a fresh interpreter on one core.

The encodings compared are what the youtube function could send: its chosen transcode
(functions/youtube/transcode.py) and, for the record, mono Opus 32 kb/s with the same mixdown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parent.parent
ONE_CORE = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def make_long(corpus: Path, seconds: float, out: Path) -> Path:
    """A long stereo 44.1 kHz FLAC made of the corpus's music clips back to back."""
    if out.exists():
        return out
    manifest = json.loads((corpus / "manifest.json").read_text())
    music = [c for c in manifest["clips"] if c["kind"] == "music" and "copyOf" not in c]
    parts, total = [], 0
    while total < seconds * 44100:
        for clip in music:
            y, _ = sf.read(corpus / clip["file"], dtype="float32", always_2d=True)
            parts.append(y)
            total += len(y)
            if total >= seconds * 44100:
                break
    sf.write(out, np.concatenate(parts)[: int(seconds * 44100)], 44100, subtype="PCM_16")
    return out


def encodings(src: Path, cache: Path) -> dict[str, Path]:
    """{"youtube": the youtube function's transcode, "opus32k": mono Opus 32 kb/s}."""
    from functions.youtube import transcode

    ffmpeg = transcode.find_ffmpeg()
    chosen = cache / f"{src.stem}.youtube.ogg"
    if not chosen.exists():
        transcode.to_analysis_audio(src, chosen, ffmpeg=ffmpeg, max_seconds=1200, timeout_s=300)
    opus = cache / f"{src.stem}.opus32k.ogg"
    if not opus.exists():
        subprocess.run(
            [
                ffmpeg,
                "-v",
                "error",
                "-y",
                "-i",
                str(src),
                "-af",
                transcode.MIXDOWN,
                "-c:a",
                "libopus",
                "-b:a",
                "32k",
                "-vbr",
                "off",
                "-ar",
                "48000",
                str(opus),
            ],
            check=True,
            timeout=300,
        )
    return {"youtube": chosen, "opus32k": opus}


def run_child(code: str, *, env: dict | None = None, timeout: float = 900) -> dict:
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
total, ana, cpu, cpu_ana = [], [], [], []
for _ in range({repeats}):
    c0 = time.process_time(); t0 = time.perf_counter(); d = decode(path, loudness={loudness!r})
    c1 = time.process_time(); t1 = time.perf_counter(); describe(d)
    c2 = time.process_time(); t2 = time.perf_counter()
    total.append(t2 - t0); ana.append(t2 - t1); cpu.append(c2 - c0); cpu_ana.append(c2 - c1)
print(json.dumps({{"median": statistics.median(total), "min": min(total),
                  "analysisOnlyMedian": statistics.median(ana), "cpuMedian": statistics.median(cpu),
                  "cpuAnalysisOnlyMedian": statistics.median(cpu_ana), "runs": len(total)}}))
"""

# Naive librosa: load, beat_track, chroma_cqt and the spectral features, one after another.
NAIVE_CODE = """
import json, time, statistics
import librosa
path = {path!r}
def naive():
    y, sr = librosa.load(path, sr=22050, mono=True)
    librosa.beat.beat_track(y=y, sr=sr)
    librosa.feature.chroma_cqt(y=y, sr=sr)
    librosa.feature.spectral_centroid(y=y, sr=sr); librosa.feature.spectral_rolloff(y=y, sr=sr)
    librosa.feature.zero_crossing_rate(y); librosa.feature.rms(y=y); librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13)
naive()  # numba compiles on the first call
times, cpu = [], []
for _ in range({repeats}):
    c0 = time.process_time(); t0 = time.perf_counter(); naive()
    times.append(time.perf_counter() - t0); cpu.append(time.process_time() - c0)
print(json.dumps({{"median": statistics.median(times), "min": min(times), "cpuMedian": statistics.median(cpu),
                  "runs": len(times)}}))
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


def performance(corpus: Path, cache: Path, *, repeats: int = 7) -> dict:
    three = make_long(corpus, 180, cache / "track-3min.flac")
    ten = make_long(corpus, 600, cache / "track-10min.flac")
    enc3, enc10 = encodings(three, cache), encodings(ten, cache)
    out: dict = {"sizes3minKB": {k: round(p.stat().st_size / 1024) for k, p in enc3.items()}}
    from functions.youtube import transcode

    for name, path in (*enc3.items(), ("flac44kStereo", three)):
        log(f"warm 3 min ({name})")
        # The youtube function sends the original's loudness with its encoding (the analysis then
        # skips its own meter); the other encodings are metered as a file upload would be.
        lufs = transcode.source_loudness(path) if name == "youtube" else None
        code = WARM_CODE.format(path=str(path), repeats=repeats, loudness=lufs)
        out[f"warm3min_{name}"] = {k: round(v, 3) for k, v in run_child(code).items()} | {
            "loudnessGiven": lufs is not None
        }
    log("naive librosa, same 3-min audio")
    out["naiveLibrosa3min"] = {
        k: round(v, 3) for k, v in run_child(NAIVE_CODE.format(path=str(enc3["youtube"]), repeats=3)).items()
    }
    # Wall time on shared cores moves with the load; process CPU time of these single-threaded
    # runs is what one core would spend, so the goals are read on it (wall is reported too).
    ours, naive = out["warm3min_youtube"], out["naiveLibrosa3min"]
    out["warm3minVsNaiveLibrosa"] = round(ours["cpuMedian"] / naive["cpuMedian"], 3)
    out["warm3minVsNaiveLibrosaWall"] = round(ours["median"] / naive["median"], 3)
    for name, path in (("youtube", enc10["youtube"]), ("flac44kStereo", ten)):
        log(f"peak RSS 10 min ({name})")
        out[f"rss10min_{name}"] = {k: round(v, 1) for k, v in run_child(RSS_CODE.format(path=str(path))).items()}
    out["rss10min"] = out["rss10min_youtube"]
    with tempfile.TemporaryDirectory() as numba_dir:
        env = {"NUMBA_CACHE_DIR": str(Path(numba_dir) / "cache")}
        log("cold start, empty numba cache (the sandboxed figure is `make smoke`)")
        cold = run_child(COLD_CODE.format(path=str(enc3["youtube"])), env=env)
        out["coldStartProcess"] = {k: round(v, 2) for k, v in cold.items()}
    return out
