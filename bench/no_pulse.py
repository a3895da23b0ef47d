"""Where the tempo step's no-pulse branch sets its thresholds (functions/analysis/tempo.py).

On the tuning side only (the tuning-side music clips of the corpus and every tuning-pool clip,
through the youtube path, as bench/fit_tempo.py reads them), prints JSON:
- `nullConfidence`: percentiles of the tempo confidence of onset envelopes shuffled in time
  (full band and both bands alike; SHUFFLES per clip): what "no pulse" reads. NO_PULSE_CONFIDENCE
  sits near its 95th percentile;
- `nullChordPeak`: percentiles of the highest chord-change autocorrelation within CHORD_BAR_S
  once the chroma frames are shuffled. CHORD_PULSE sits near its 99th percentile;
- `musicConfidence`: the lowest confidences of the real clips, and `fires`: the clips the branch
  changes;
- `beatsPerChordPeriod`: for clips whose chord period passes CHORD_PULSE, its length in true
  beats (nearest of BEAT_COUNTS within 4 %, else "other"). CHORD_BEATS is the most common.

    make no-pulse-fit          # about 3 minutes; the held-out side is never read"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import fit_tempo  # noqa: E402

from functions.analysis import tempo  # noqa: E402

SHUFFLES = 5
PERCENTILES = (50, 90, 95, 99, 100)
BEAT_COUNTS = (1, 1.5, 2, 3, 4, 6, 8, 12, 16)


def chord_peak(chroma: np.ndarray, *, fps: float) -> float:
    """Highest chord-change autocorrelation at lags within tempo.CHORD_BAR_S (0 when none fit)."""
    ac = tempo.chord_autocorrelation(chroma, fps=fps)
    lo, hi = int(tempo.CHORD_BAR_S[0] * fps), min(len(ac) - 1, int(tempo.CHORD_BAR_S[1] * fps))
    return float(ac[lo : hi + 1].max()) if hi >= lo else 0.0


def beats_per_period(period_s: float, bpm: float) -> float | str:
    """`period_s` counted in beats of `bpm`: the nearest of BEAT_COUNTS within 4 %, else "other"."""
    beats = period_s * bpm / 60.0
    best = min(BEAT_COUNTS, key=lambda k: abs(np.log(beats / k)))
    return best if abs(beats / best - 1) <= 0.04 else "other"


def measure(root: Path, clip: dict, rng: np.random.Generator) -> dict:
    """One clip's real and shuffled readings."""
    signals = fit_tempo.tempo_inputs(root, clip)
    onset, low, high, chroma, cfps = signals.onset, signals.low, signals.high, signals.chroma, signals.chroma_fps
    assert low is not None and high is not None and chroma is not None  # Signals.of sets them all
    est = tempo.estimate(signals)
    null_conf, null_chord = [], []
    for _ in range(SHUFFLES):
        order = rng.permutation(len(onset))
        shuffled = tempo.estimate(dataclasses.replace(signals, onset=onset[order], low=low[order], high=high[order]))
        null_conf.append(shuffled.confidence)
        null_chord.append(chord_peak(chroma[:, rng.permutation(chroma.shape[1])], fps=cfps))
    period = tempo.chord_period(chroma, fps=cfps)
    return {
        "id": clip["id"],
        "tempoRef": clip["tempo"],
        "tempo": round(est.bpm, 2),
        "confidence": est.confidence,
        "fires": est.confidence < tempo.NO_PULSE_CONFIDENCE and period > 0,
        "beatsPerChordPeriod": beats_per_period(period, clip["tempo"]) if period > 0 else None,
        "nullConfidence": null_conf,
        "nullChordPeak": null_chord,
    }


def summary(rows: list[dict]) -> dict:
    def pct(values: list[float]) -> dict:
        return {f"p{p}": round(float(np.percentile(values, p)), 3) for p in PERCENTILES}

    counts = Counter(str(r["beatsPerChordPeriod"]) for r in rows if r["beatsPerChordPeriod"] is not None)
    lowest = sorted(rows, key=lambda r: r["confidence"])[:5]
    return {
        "clips": len(rows),
        "shufflesPerClip": SHUFFLES,
        "nullConfidence": pct([v for r in rows for v in r["nullConfidence"]]),
        "nullChordPeak": pct([v for r in rows for v in r["nullChordPeak"]]),
        "musicConfidence": [{"id": r["id"], "confidence": round(r["confidence"], 3)} for r in lowest],
        "fires": [r["id"] for r in rows if r["fires"]],
        "beatsPerChordPeriod": dict(counts.most_common()),
        "constants": {
            "NO_PULSE_CONFIDENCE": tempo.NO_PULSE_CONFIDENCE,
            "CHORD_PULSE": tempo.CHORD_PULSE,
            "CHORD_BAR_S": list(tempo.CHORD_BAR_S),
            "CHORD_BEATS": tempo.CHORD_BEATS,
        },
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--pool", type=Path)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    rows = [measure(root, clip, rng) for root, clip in fit_tempo.clips(args.corpus, args.pool)]
    json.dump(summary(rows), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
