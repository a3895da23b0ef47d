"""Which metrical level is the beat: a choice among the relatives of the autocorrelation's peak.

The autocorrelation peak (tempo.py) finds a pulse, but often the wrong level of it: slow ballads
read at the eighth note, fast swing at the half note, 6/8 at the quarter note. Here the peak
(30-300 BPM) and its relatives (x2, x1/2, x3/2, x2/3, x3, x1/3, kept within 50-220 BPM) are
scored with a linear model over features that describe each candidate's place in the metre, and
the best one wins:

- `lt`, `lt2`: log2(BPM / 120) and its square (a prior on tempo);
- `acf*`: the window-averaged autocorrelation at the candidate's period P and at P/2, P/3, 2P
  and 3P, in the full band and below ~300 Hz (bass and kick), and `mid`, how strongly the
  candidate has both a subdivision and a grouping;
- `chord*`: the autocorrelation of chord changes (tempo.chord_autocorrelation) at 3P, 4P, 6P
  and 8P: a bar of 3 or 4 beats, or two;
- `sal*`: grid salience: in 8 s windows, the best-phase mean onset on a grid of period P against
  the window's mean onset, log of its mean over windows, full band, below ~300 Hz and above
  ~2 kHz.

WEIGHTS were fitted by `bench/fit_tempo.py` (a conditional logit, L2 0.1) on the bench's tuning
side and tuning pool (FluidR3 and MuseScore General Lite renders, see docs/benchmarks.md); refit
rather than edit them.
"""

from __future__ import annotations

import numpy as np

RATIOS = (1.0, 2.0, 0.5, 1.5, 2.0 / 3.0, 3.0, 1.0 / 3.0)
LOW_BPM, HIGH_BPM = 50.0, 220.0
SALIENCE_WINDOW_S = 8.0
PHASES = 24
FEATURES = (
    "lt", "lt2", "acf", "acfl", "acflh", "acfl2", "sal", "sall", "salh", "mid", "acf2", "acfh", "acf3", "acft",
    "chord3", "chord4", "chord6", "chord8",
)  # fmt: skip
BAR_BEATS = (3, 4, 6, 8)  # the `chord*` features' multiples of the beat
# Fitted by bench/fit_tempo.py --write (see the module docstring); do not edit by hand.
WEIGHTS = {
    "lt": 1.0747,
    "lt2": -0.5524,
    "acf": 3.9908,
    "acfl": -2.2967,
    "acflh": -1.7283,
    "acfl2": 1.2481,
    "sal": 2.9117,
    "sall": 2.2542,
    "salh": 1.2587,
    "mid": 4.6582,
    "acf2": -0.3679,
    "acfh": 0.2468,
    "acf3": 3.7683,
    "acft": 1.1363,
    "chord3": -0.6232,
    "chord4": 3.6388,
    "chord6": -0.8263,
    "chord8": 1.0619,
}


def candidates(bpm: float) -> list[float]:
    """The peak's tempo (BPM), always, and its relatives by 2, 3 and 3/2 within LOW_BPM-HIGH_BPM."""
    if not bpm > 0:
        raise ValueError(f"tempo must be positive, got {bpm}")
    relatives = {round(bpm * r, 6) for r in RATIOS[1:] if LOW_BPM <= bpm * r <= HIGH_BPM}
    return sorted(relatives | {bpm})


def acf_at(ac: np.ndarray, *, period: float) -> float:
    """Largest autocorrelation within a frame of `period` (frames); 0 beyond the computed lags."""
    i = int(round(period))
    lo, hi = max(1, i - 1), min(len(ac) - 1, i + 1)
    return float(ac[lo : hi + 1].max()) if lo <= hi else 0.0


def salience(x: np.ndarray, *, period: float, fps: float) -> float:
    """log of the mean, over 8 s windows (hop 4 s), of the best-phase grid mean against the
    window mean; `period` in frames, `fps` frames per second."""
    win = min(len(x), int(SALIENCE_WINDOW_S * fps))
    beats = int((win - 1) // period)
    if win < 2 or beats < 1:
        return 0.0
    starts = np.arange(0, len(x) - win + 1, max(1, win // 2))
    grid = np.linspace(0.0, period, PHASES, endpoint=False)[:, None] + period * np.arange(beats)[None, :]
    idx = starts[:, None, None] + np.round(grid).astype(int)[None]  # windows x phases x beats
    windows = np.lib.stride_tricks.sliding_window_view(x, win)[starts]
    means = windows.mean(axis=1)
    best = x[idx].mean(axis=2).max(axis=1)
    ok = means > 1e-9
    # Floored: a grid that misses every onset (noise, silence between clicks) is not -inf.
    return float(np.log(max(np.mean(best[ok] / means[ok]), 1e-3))) if ok.any() else 0.0


def features(
    bpm: float,
    *,
    fps: float,
    ac: np.ndarray,
    ac_low: np.ndarray,
    onset: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    ac_chord: np.ndarray,
    chord_fps: float,
) -> dict[str, float]:
    """The FEATURES of one candidate tempo (BPM); `ac`, `ac_low` autocorrelations by lag (frames);
    `onset`, `low`, `high` onset envelopes at `fps` frames per second; `ac_chord` the chord
    changes' autocorrelation by lag at `chord_fps` frames per second (all 0 when it is [0.0])."""
    if not (bpm > 0 and fps > 0):
        raise ValueError(f"tempo and frame rate must be positive, got {bpm} BPM at {fps} fps")
    if not (np.isfinite(chord_fps) and chord_fps >= 0):
        raise ValueError(f"chord frame rate must be 0 (no chroma) or positive, got {chord_fps}")
    p = 60.0 * fps / bpm
    lt = float(np.log2(bpm / 120.0))
    f = {
        "lt": lt,
        "lt2": lt * lt,
        "acf": acf_at(ac, period=p),
        "acf2": acf_at(ac, period=2 * p),
        "acf3": acf_at(ac, period=3 * p),
        "acfh": acf_at(ac, period=p / 2),
        "acft": acf_at(ac, period=p / 3),
        "acfl": acf_at(ac_low, period=p),
        "acflh": acf_at(ac_low, period=p / 2),
        "acfl2": acf_at(ac_low, period=2 * p),
        "sal": salience(onset, period=p, fps=fps),
        "sall": salience(low, period=p, fps=fps),
        "salh": salience(high, period=p, fps=fps),
    }
    f["mid"] = max(f["acfh"], f["acft"]) + max(f["acf2"], f["acf3"])
    for k in BAR_BEATS:
        f[f"chord{k}"] = acf_at(ac_chord, period=k * 60.0 * chord_fps / bpm) if chord_fps > 0 else 0.0
    return f


def choose(scored: list[tuple[float, dict[str, float]]], *, weights: dict[str, float] | None = None) -> float:
    """The candidate (BPM) with the highest weighted feature sum."""
    w = WEIGHTS if weights is None else weights
    return max(scored, key=lambda item: sum(w[name] * item[1][name] for name in FEATURES))[0]
