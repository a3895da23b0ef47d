"""Accuracy of the analysis on the rendered ground truth (bench/groundtruth.py), per side and family.

Two paths: `rendered` analyses the FLAC as rendered (stereo 44.1 kHz); `youtube` sends it through
the youtube function's transcode (functions/youtube/transcode.py: the original's loudness by
ffmpeg's ebur128, one mono mixdown, the chosen codec) and analyses what the invoke would carry.
Loudness is always compared with pyloudnorm on the rendered stereo original."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile as sf

from functions.analysis.analyzer import analyze
from functions.analysis.key import PITCH_CLASSES, mirex_score
from functions.youtube import transcode

TOLERANCE = 0.04  # Acc1/Acc2 tolerance (MIREX)


def tempo_class(est: float, ref: float) -> str:
    """'ok', 'x2', 'x1/2', 'x3', 'x1/3', 'x3/2', 'x2/3' (within 4 %), or 'other'."""
    for label, k in (("ok", 1), ("x2", 2), ("x1/2", 0.5), ("x3", 3), ("x1/3", 1 / 3), ("x3/2", 1.5), ("x2/3", 2 / 3)):
        if abs(est / (ref * k) - 1) <= TOLERANCE:
            return label
    return "other"


def youtube_path(src: Path, cache: Path) -> tuple[Path, float | None]:
    """The clip as the youtube function would send it: (encoded audio, original's LUFS)."""
    dst = cache / (src.stem + ".ogg")
    if not dst.exists() or not dst.with_suffix(transcode.LOUDNESS_SUFFIX).exists():
        cache.mkdir(parents=True, exist_ok=True)
        transcode.to_analysis_audio(src, dst, ffmpeg=transcode.find_ffmpeg(), max_seconds=1200, timeout_s=120)
    return dst, transcode.source_loudness(dst)


def evaluate(corpus: Path, *, path: str = "rendered", analyse: Callable[..., dict] = analyze) -> list[dict]:
    """One row per clip: truth, estimate and the per-clip scores."""
    manifest = json.loads((corpus / "manifest.json").read_text())
    rows = []
    for clip in manifest["clips"]:
        src = corpus / clip["file"]
        if path == "youtube":
            audio, lufs = youtube_path(src, corpus.parent / "youtube")
            result = analyse(audio, loudness=lufs)
        else:
            result = analyse(src)
        row = {k: clip.get(k) for k in ("id", "kind", "family", "side", "soundfont", "source", "style", "meter")}
        row.update(speechiness=result["speechiness"], copy="copyOf" in clip)
        if clip["kind"] == "music":
            cls = tempo_class(result["tempo"], clip["tempo"])
            row.update(tempoRef=clip["tempo"], tempo=result["tempo"], tempoClass=cls)
            if clip.get("key"):
                ref = (PITCH_CLASSES.index(clip["key"]), clip["mode"])
                row.update(
                    keyRef=f"{clip['key']} {clip['mode']}",
                    key=f"{result['key']} {result['mode']}",
                    keyScore=mirex_score((result["keyIndex"], result["mode"]), ref),
                )
            if clip["meter"] in ("3/4", "4/4", "2/4"):
                row.update(meterRef=3 if clip["meter"] == "3/4" else 4, meterEst=result["timeSignature"])
        y, sr = sf.read(src, dtype="float64", always_2d=True)
        ref_lufs = max(pyloudnorm.Meter(sr).integrated_loudness(y), -70.0)
        row.update(
            loudnessRef=round(ref_lufs, 2),
            loudness=result["loudness"],
            loudnessError=round(abs(result["loudness"] - ref_lufs), 2),
        )
        rows.append(row)
    return rows


def summarise(rows: list[dict]) -> dict:
    """Figures over `rows`; copies (loudness-normalised) count for loudness only."""
    music = [r for r in rows if r["kind"] == "music" and not r["copy"]]
    keyed = [r for r in music if "keyScore" in r]
    metered = [r for r in music if "meterRef" in r]
    speech = [r for r in rows if r["kind"] == "speech"]
    mixed = [r for r in rows if r["kind"] == "mixed"]
    out: dict = {"clips": len(rows), "music": len(music), "keyed": len(keyed), "speech": len(speech)}
    if music:
        classes = [r["tempoClass"] for r in music]
        out["tempoAcc1"] = round(np.mean([c == "ok" for c in classes]), 3)
        out["tempoAcc2"] = round(np.mean([c in ("ok", "x2", "x1/2", "x3", "x1/3") for c in classes]), 3)
        out["tempo32Cases"] = sum(c in ("x3/2", "x2/3") for c in classes)
        out["tempoOctaveCases"] = sum(c in ("x2", "x1/2") for c in classes)
        out["musicSpeechMax"] = round(max(r["speechiness"] for r in music), 3)
    if keyed:
        out["keyMirex"] = round(np.mean([r["keyScore"] for r in keyed]), 3)
        out["keyExact"] = round(np.mean([r["keyScore"] == 1.0 for r in keyed]), 3)
    if metered:
        out["meterAccuracy"] = round(np.mean([r["meterEst"] == r["meterRef"] for r in metered]), 3)
    if speech:
        out["speechMin"] = round(min(r["speechiness"] for r in speech), 3)
    if mixed:
        out["speechOverMusic"] = [round(r["speechiness"], 3) for r in mixed]
    out["loudnessMaxErrorLU"] = max(r["loudnessError"] for r in rows)
    return out


def report(rows: list[dict]) -> dict:
    """Held-out side first (all, then per family), then the tuning side."""
    out = {}
    for side in ("heldout", "tuning"):
        mine = [r for r in rows if r["side"] == side]
        if not mine:
            continue
        families = sorted({r["family"] for r in mine})
        out[side] = {"all": summarise(mine), **{f: summarise([r for r in mine if r["family"] == f]) for f in families}}
    return out


def misses(rows: list[dict], side: str) -> list[dict]:
    """Held-out clips that miss a tempo, key or speechiness goal (for reading, not for tuning)."""
    out = []
    for r in rows:
        if r["side"] != side or r["copy"]:
            continue
        bad = r.get("tempoClass", "ok") != "ok" or r.get("keyScore", 1.0) < 1.0
        bad |= (r["kind"] == "music" and r["speechiness"] >= 0.33) or (
            r["kind"] == "speech" and r["speechiness"] <= 0.66
        )
        if bad:
            keep = ("id", "tempoRef", "tempo", "tempoClass", "keyRef", "key", "speechiness")
            out.append({k: r[k] for k in keep if k in r})
    return out
