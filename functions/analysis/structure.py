"""The song's arc: sections (boundaries and repeat labels) and an energy curve.

Everything is read from what the analysis already holds (the mel rows of the one STFT, the onset
envelope, the beat grid and the chroma of the key estimate), so the cost is a few small matrix
products. numpy only: librosa.segment needs scikit-learn, which the layer leaves out.

1. A grid of beats (the global beat period, doubled until it is at least 0.4 s; 0.5 s when
   no pulse is heard). Per beat: 12 MFCCs without c0 (timbre, level-free) and chroma.
2. A self-similarity matrix of the beat features (Gaussian of the distance, bandwidth the median
   distance), chroma and timbre weighted equally.
3. Boundaries: peaks of Foote's checkerboard novelty (mean similarity within either side
   against across, so the track's edges are no change); a section that is one passage played
   twice (no novelty at the seam) is split where its half-length repeat stripe says.
4. Labels: sections compared by their best-aligned diagonal of the matrix (the same material
   played again lies on a diagonal stripe) and grouped by average linkage.
5. Energy: 3 s short-term loudness (K-weighted mel power, anchored to the integrated loudness)
   relative to the track's loudest moment, with a little onset density.

Figures on synthetic ground truth are in `make bench` ("sections")."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.fft
import scipy.signal

from functions.analysis import spectrum
from functions.analysis.loudness import LUFS_CEIL, LUFS_FLOOR, k_weighting_sos
from functions.analysis.tempo import Tempo

MAX_SECTIONS = 12
CURVE_POINTS = 32
MIN_UNIT_S = 0.4  # grid step: the beat, doubled until at least this long
MAX_UNITS = 720  # longer tracks take a coarser grid: the matrices stay under 4 MB
MIN_SECTION_S = 6.0
KERNEL_S = 8.0  # half width of the checkerboard kernel
EMBED = 4  # units of context stacked into each feature vector
PEAK_THRESHOLD = 0.09  # novelty a boundary needs (0.5 = two sections with nothing in common)
REPEAT_SIMILARITY = 0.7  # mean similarity along the stripe of a passage played twice
REPEAT_MARGIN = 0.2  # ... above any shorter lag (a loop repeats at every lag)
LABEL_DISTANCE = 0.45  # average-linkage cut on 1 - similarity
SHORT_TERM_S = 3.0  # EBU R128 short-term window
LOUD_RANGE_LU = 24.0  # energy 0 this far below the loudest 3 s of the track


def arc(
    fr: spectrum.Frames,
    *,
    onset: np.ndarray,
    beat: Tempo,
    chroma: np.ndarray,
    duration: float,
    loudness: float,
) -> dict:
    """`{"sections": [...], "energyCurve": [...]}` for the analysis (see openapi.yaml `Section`).

    Parameters
    ----------
    fr : the frame rows of the analysis STFT
    onset : onset strength per frame of `fr`
    beat : the tempo estimate (period and phase in frames of `fr`)
    chroma : (12, t) chroma of `key.chroma`, at the key module's frame rate
    duration : seconds of audio
    loudness : integrated loudness of the track in LUFS
    """
    n_frames = fr.mel.shape[1]
    duration = float(max(duration, 0.0))
    level = _short_term_lufs(fr, loudness=loudness)  # per frame
    energy = _energy(level, onset, fps=fr.fps)
    curve = _curve(energy, CURVE_POINTS)
    edges = _grid(beat, n_frames=n_frames, fps=fr.fps)
    bounds_units = [0, len(edges) - 1]
    labels = ["A"]
    if len(edges) - 1 >= 4:
        feats = _features(fr, chroma, edges)
        sim = _similarity(feats)
        unit_s = float(np.median(np.diff(edges))) / fr.fps
        bounds_units = _boundaries(sim, unit_s=unit_s)
        labels = _labels(sim, bounds_units)
    times = [float(min(duration, edges[u] / fr.fps)) for u in bounds_units]
    times[0], times[-1] = 0.0, duration
    sections = []
    for i, label in enumerate(labels):
        a, b = (int(round(t * fr.fps)) for t in times[i : i + 2])
        a = min(a, len(energy) - 1)
        b = min(max(b, a + 1), len(energy))
        sections.append(
            {
                "start": round(times[i], 3),
                "end": round(times[i + 1], 3),
                "label": label,
                "energy": round(float(np.clip(energy[a:b].mean(), 0.0, 1.0)), 3),
                "loudness": round(_power_mean_lufs(level[a:b]), 1),
            }
        )
    return {"sections": sections, "energyCurve": [round(float(v), 3) for v in curve]}


# ------------------------------------------------------------------------------ grid, features


def _grid(beat: Tempo, *, n_frames: int, fps: float) -> np.ndarray:
    """Frame indices of the unit edges, first 0 and last n_frames."""
    period = float(beat.period) if beat.bpm > 0 and beat.period > 0 else 0.5 * fps
    while period < MIN_UNIT_S * fps:
        period *= 2
    period = max(period, n_frames / MAX_UNITS)
    phase = float(beat.phase) % period if beat.bpm > 0 else 0.0
    inner = np.arange(phase if phase >= 1 else phase + period, n_frames - 1, period)
    edges = np.unique(np.round(np.concatenate([[0.0], inner, [n_frames]])).astype(int))
    return edges


def _features(fr: spectrum.Frames, chroma: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """(units, d) per-unit features: MFCC 1-12 z-scored and chroma, both with EMBED units of context."""
    counts = np.diff(edges).astype(np.float32)
    mel = np.add.reduceat(fr.mel, edges[:-1], axis=1) / counts
    db = 10.0 * np.log10(np.maximum(mel, 1e-10))
    db = np.maximum(db, db.max(initial=-100.0) - 80.0)
    mfcc = scipy.fft.dct(db, type=2, norm="ortho", axis=0)[1:13].T
    mfcc = (mfcc - mfcc.mean(axis=0)) / (mfcc.std(axis=0) + 1e-6)
    # Chroma frames sit at the key module's rate; map the unit edges onto them.
    ratio = chroma.shape[1] / max(1, fr.mel.shape[1])
    c_edges = np.minimum(np.round(edges * ratio).astype(int), chroma.shape[1])
    c_edges = np.maximum.accumulate(c_edges)
    csum = np.concatenate([np.zeros((12, 1), np.float32), np.cumsum(chroma, axis=1)], axis=1)
    width = np.maximum(1, np.diff(c_edges))
    chro = ((csum[:, c_edges[1:]] - csum[:, c_edges[:-1]]) / width).T
    chro = chro / (np.linalg.norm(chro, axis=1, keepdims=True) + 1e-6)
    feats = np.hstack([mfcc / np.sqrt(12.0), chro])
    return _embed(feats, EMBED)


def _embed(x: np.ndarray, m: int) -> np.ndarray:
    """Stack each row with its m - 1 neighbours, centred (edge rows repeated): short sequences
    are compared rather than single beats."""
    if m <= 1:
        return x
    before = (m - 1) // 2
    padded = np.vstack([np.repeat(x[:1], before, axis=0), x, np.repeat(x[-1:], m - 1 - before, axis=0)])
    return np.hstack([padded[i : i + len(x)] for i in range(m)]) / np.sqrt(m)


def _similarity(feats: np.ndarray) -> np.ndarray:
    sq = np.einsum("ij,ij->i", feats, feats)
    dist = np.maximum(sq[:, None] + sq[None, :] - 2.0 * feats @ feats.T, 0.0)
    scale = float(np.median(dist[np.triu_indices(len(dist), 1)])) if len(dist) > 1 else 1.0
    return np.exp(-dist / max(scale, 1e-9)).astype(np.float32)


# ------------------------------------------------------------------------------ boundaries


def _checkerboard(half: int) -> np.ndarray:
    g = scipy.signal.windows.gaussian(2 * half, std=half / 2.0)
    sign = np.sign(np.arange(2 * half) - half + 0.5)
    return (np.outer(g, g) * np.outer(sign, sign)).astype(np.float32)


def _foote(sim: np.ndarray, half: int) -> np.ndarray:
    """Checkerboard novelty as half the difference between the mean similarity within either
    side and the mean across, over the part of the kernel inside the track: 0 for homogeneous
    music even at the edges (padding made the first and last seconds look like changes)."""
    n = len(sim)
    kernel = _checkerboard(half)
    pos, neg = np.maximum(kernel, 0.0), np.maximum(-kernel, 0.0)
    pad = np.pad(sim, half)
    valid = np.pad(np.ones(n, np.float32), half)
    s0, s1 = pad.strides
    blocks = np.lib.stride_tricks.as_strided(pad, shape=(n, 2 * half, 2 * half), strides=(s0 + s1, s0, s1))
    inside = np.lib.stride_tricks.sliding_window_view(valid, 2 * half)[:n]  # (n, 2 half)
    w_pos = np.einsum("ij,jk,ik->i", inside, pos, inside)
    w_neg = np.einsum("ij,jk,ik->i", inside, neg, inside)
    within = np.einsum("ijk,jk->i", blocks, pos) / np.maximum(w_pos, 1e-9)
    across = np.einsum("ijk,jk->i", blocks, neg) / np.maximum(w_neg, 1e-9)
    return np.maximum(0.5 * (within - across), 0.0)


def _boundaries(sim: np.ndarray, *, unit_s: float) -> list[int]:
    """Unit indices of the section edges: 0, inner boundaries, n."""
    n = len(sim)
    half = max(2, min(int(round(KERNEL_S / unit_s)), n // 2))
    nov = _foote(sim, half)
    min_gap = max(2, int(round(MIN_SECTION_S / unit_s)))
    peaks, _ = scipy.signal.find_peaks(nov, distance=min_gap)
    peaks = peaks[(peaks >= min_gap) & (peaks <= n - min_gap)]
    if len(peaks):
        peaks = peaks[nov[peaks] >= PEAK_THRESHOLD]
        if len(peaks) > MAX_SECTIONS - 1:  # keep the strongest
            peaks = np.sort(peaks[np.argsort(nov[peaks])[::-1][: MAX_SECTIONS - 1]])
    return _split_repeats(sim, [0, *(int(p) for p in peaks), n], min_gap=min_gap)


def _split_repeats(sim: np.ndarray, bounds: list[int], *, min_gap: int) -> list[int]:
    """Split a section that is one passage played twice (a verse repeated: no novelty at the
    seam, but a stripe at half its length that no shorter lag matches, so not a loop)."""
    out, added = [bounds[0]], 0
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        n = b - a
        if n >= 2 * min_gap and len(bounds) - 1 + added < MAX_SECTIONS:
            block = sim[a:b, a:b]
            diag = np.array([np.diagonal(block, lag).mean() for lag in range(n)])
            lo, hi = int(0.4 * n), int(0.6 * n) + 1
            lag = lo + int(np.argmax(diag[lo:hi]))
            shorter = diag[EMBED : int(0.3 * n)]  # lags under EMBED share frames: alike anyway
            rival = float(shorter.max()) if len(shorter) else 0.0
            if diag[lag] >= REPEAT_SIMILARITY and diag[lag] - rival >= REPEAT_MARGIN:
                out.append(a + lag)
                added += 1
        out.append(b)
    return out


# ------------------------------------------------------------------------------ labels


def _pair_similarity(block: np.ndarray) -> float:
    """Best mean along a diagonal covering at least half the shorter section."""
    a, b = block.shape
    need = max(1, min(a, b) // 2)
    best = 0.0
    for off in range(-(a - need), b - need + 1):
        d = np.diagonal(block, offset=off)
        if len(d) >= need:
            best = max(best, float(d.mean()))
    return best


def _labels(sim: np.ndarray, bounds: list[int]) -> list[str]:
    m = len(bounds) - 1
    if m == 1:
        return ["A"]
    dist = np.zeros((m, m))
    for i in range(m):
        for j in range(i + 1, m):
            block = sim[bounds[i] : bounds[i + 1], bounds[j] : bounds[j + 1]]
            dist[i, j] = dist[j, i] = 1.0 - _pair_similarity(block)
    clusters = _average_linkage(dist, LABEL_DISTANCE)
    names: dict[int, str] = {}
    return [names.setdefault(c, chr(ord("A") + len(names))) for c in clusters]


def _average_linkage(dist: np.ndarray, cut: float) -> list[int]:
    """Cluster ids (any ints) for each item, merging while the average distance is below `cut`."""
    groups = [[i] for i in range(len(dist))]
    while len(groups) > 1:
        best, pair = cut, None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                d = float(dist[np.ix_(groups[i], groups[j])].mean())
                if d < best:
                    best, pair = d, (i, j)
        if pair is None:
            break
        i, j = pair
        groups[i] += groups.pop(j)
    out = [0] * len(dist)
    for g, members in enumerate(sorted(groups, key=min)):
        for item in members:
            out[item] = g
    return out


# ------------------------------------------------------------------------------ energy, loudness


@lru_cache(maxsize=4)
def _band_weights(sr: int) -> np.ndarray:
    """Per mel band: K-weighting power gain at its centre times its width in Hz."""
    _, mel_fb, freqs = spectrum._banks(sr)
    centres = freqs[np.argmax(mel_fb, axis=1)].astype(float)
    _, h = scipy.signal.sosfreqz(k_weighting_sos(sr), worN=np.maximum(centres, 1.0), fs=sr)
    width = np.gradient(centres)
    return (np.abs(h) ** 2 * np.maximum(width, 1e-3)).astype(np.float32)


def _short_term_lufs(fr: spectrum.Frames, *, loudness: float) -> np.ndarray:
    """Per frame: loudness of the 3 s around it in LUFS (the K-weighted mel power, anchored so
    that its gated mean over the track equals the integrated `loudness`)."""
    power = _band_weights(fr.sr) @ fr.mel
    block = _moving_mean(power, max(1, int(round(0.4 * fr.fps))))
    short = _moving_mean(power, max(1, int(round(SHORT_TERM_S * fr.fps))))
    top = float(block.max(initial=0.0))
    if top <= 0 or loudness <= LUFS_FLOOR:
        return np.full(len(power), LUFS_FLOOR, np.float32)
    gated = block[block > top * 1e-7]  # BS.1770's absolute gate, 70 dB under the loudest block
    gated = gated[gated > 0.1 * gated.mean()]  # the relative gate, -10 LU
    offset = loudness - 10.0 * np.log10(gated.mean())
    with np.errstate(divide="ignore"):
        lufs = 10.0 * np.log10(short) + offset
    return np.clip(lufs, LUFS_FLOOR, LUFS_CEIL).astype(np.float32)


def _moving_mean(x: np.ndarray, width: int) -> np.ndarray:
    width = min(width, len(x)) or 1
    return np.convolve(x.astype(np.float64), np.ones(width) / width, mode="same")


def _power_mean_lufs(level: np.ndarray) -> float:
    if not len(level):
        return LUFS_FLOOR
    value = 10.0 * np.log10(np.mean(10.0 ** (level.astype(np.float64) / 10.0)))
    return float(np.clip(value, LUFS_FLOOR, LUFS_CEIL))


def _energy(level: np.ndarray, onset: np.ndarray, *, fps: float) -> np.ndarray:
    """Per frame 0-1: short-term loudness against the track's loudest 3 s, plus onset density."""
    if level.max(initial=LUFS_FLOOR) <= LUFS_FLOOR:
        return np.zeros(len(level))
    loud = np.clip(1.0 + (level - level.max()) / LOUD_RANGE_LU, 0.0, 1.0)
    busy = _moving_mean(onset[: len(level)], max(1, int(round(SHORT_TERM_S * fps))))
    busy = busy / busy.max() if busy.max() > 0 else busy
    if len(busy) < len(loud):
        busy = np.pad(busy, (0, len(loud) - len(busy)))
    return np.clip(0.75 * loud + 0.25 * busy, 0.0, 1.0)


def _curve(energy: np.ndarray, points: int) -> np.ndarray:
    """Mean of `energy` over `points` equal spans of the track (interpolated when shorter)."""
    if not len(energy):
        return np.zeros(points)
    if len(energy) < points:
        return np.interp(np.linspace(0, len(energy) - 1, points), np.arange(len(energy)), energy)
    edges = np.linspace(0, len(energy), points + 1).astype(int)
    return np.add.reduceat(energy, edges[:-1]) / np.diff(edges)
