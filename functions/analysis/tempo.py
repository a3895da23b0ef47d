"""Tempo, beat grid and meter from the onset envelope.

The onset envelope is librosa's (mean positive log-mel flux). As in librosa's tempogram,
the autocorrelation is taken in short Hann windows (6 s, hop 1.5 s) and averaged: a global
autocorrelation let sustained chorales lock onto half or two thirds of the beat. The peak is
weighted by librosa's log-normal tempo prior (120 BPM, one octave) and refined below one
frame by parabolic interpolation: at 43 frames per second a whole-frame lag is coarser than
the 4 % Acc1 tolerance above 150 BPM."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from functions.analysis import metrical

MIN_BPM, MAX_BPM = 30.0, 300.0
PRIOR_BPM, PRIOR_OCTAVES = 120.0, 1.0
WINDOW_S = 6.0  # 4.5-12 s windows all scored Acc1 >= 0.98 on the bench corpus
LOW_BANDS, HIGH_FROM = 12, 64  # mel bands below ~300 Hz (bass, kick) and above ~2 kHz (hats, attacks)
# Two bars of 4 at 50 BPM (9.6 s) fit, though the Hann taper leaves 8P weak there.
CHORD_WINDOW_S = 12.0
# No pulse in the onsets: a confidence below about the 99th percentile of shuffled onset envelopes
# of the tuning side and pool; then a chord-change period past about the 99th percentile of
# shuffled chroma is read as CHORD_BEATS beats, their most common count (`make no-pulse-fit`
# measures all three; benchmarks.md). The 12 s windows' taper keeps periods past ~5 s below it.
NO_PULSE_CONFIDENCE = 0.13
CHORD_PULSE, CHORD_BAR_S, CHORD_BEATS = 0.25, (1.5, 6.0), 4


@dataclass(frozen=True)
class Tempo:
    bpm: float  # beats per minute, 0 when neither the onsets nor the chord changes keep time
    confidence: float  # 0-1: how much the onsets' period stands out (low when chords set the bpm)
    period: float  # frames per beat
    phase: float  # frame of the first beat of the grid
    beats_per_bar: int  # 3 or 4, best effort


def onset_envelope(mel_power: np.ndarray, *, top_db: float = 80.0) -> np.ndarray:
    """Onset strength per frame (librosa.onset.onset_strength on a mel power spectrogram)."""
    db = 10.0 * np.log10(np.maximum(mel_power, 1e-10))
    db = np.maximum(db, db.max(initial=-100.0) - top_db)
    flux = np.maximum(0.0, np.diff(db, axis=1)).mean(axis=0)
    return np.concatenate([[0.0], flux]).astype(np.float32)


def band_onsets(mel_power: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Onset envelopes (one value per frame, as onset_envelope) of the low (< ~300 Hz) and high
    (> ~2 kHz) mel bands of a (N_MELS, frames) mel power spectrogram, for the metre choice."""
    return onset_envelope(mel_power[:LOW_BANDS]), onset_envelope(mel_power[HIGH_FROM:])


def autocorrelation(x: np.ndarray, *, max_lag: int) -> np.ndarray:
    """Autocorrelation along the last axis of `x` (mean removed) for lags 0..max_lag, by FFT."""
    x = x - x.mean(axis=-1, keepdims=True)
    n = 1 << int(np.ceil(np.log2(2 * x.shape[-1] + 1)))
    spec = np.fft.rfft(x, n, axis=-1)
    ac = np.fft.irfft(spec * np.conj(spec), n, axis=-1)[..., : max_lag + 1]
    return ac / np.maximum(ac[..., :1], 1e-12)


def local_autocorrelation(x: np.ndarray, *, window: int, max_lag: int) -> np.ndarray:
    """Mean autocorrelation of Hann-windowed segments of `x` (window and hop in frames); flat
    segments are left out. All segments in one FFT: a loop over them cost 4x as much."""
    window = min(window, len(x))
    max_lag = min(max_lag, window - 1)
    segments = np.lib.stride_tricks.sliding_window_view(x, window)[:: max(1, window // 4)]
    segments = segments[segments.std(axis=1) > 1e-9] * np.hanning(window)
    if not len(segments):
        return np.zeros(max_lag + 1)
    return autocorrelation(segments, max_lag=max_lag).mean(axis=0)


@dataclass(frozen=True)
class Signals:
    """What the tempo is read from: the onset envelope (onset_envelope) at `fps` frames per second;
    `low`, `high`, the band envelopes (band_onsets) for the choice of metrical level, the full band
    standing in for both when they are None; `chroma`, (12, t) chroma at `chroma_fps` frames per
    second (key.chroma), whose changes mark the bar. Without chroma that evidence reads 0, which
    the fitted weights never saw (slow clicks read at 3x instead of 2x)."""

    onset: np.ndarray
    fps: float
    low: np.ndarray | None = None
    high: np.ndarray | None = None
    chroma: np.ndarray | None = None
    chroma_fps: float = 0.0

    def __post_init__(self) -> None:
        if not (np.isfinite(self.fps) and self.fps > 0):
            raise ValueError(f"onset frame rate must be positive, got {self.fps}")
        for name in ("low", "high"):
            band = getattr(self, name)
            if band is not None and band.shape != self.onset.shape:
                raise ValueError(f"{name} must match the onset envelope's shape {self.onset.shape}, got {band.shape}")
        if self.chroma is not None and not (np.isfinite(self.chroma_fps) and self.chroma_fps > 0):
            raise ValueError(f"chroma needs its frame rate, got {self.chroma_fps}")

    @classmethod
    def of(
        cls, mel_power: np.ndarray, *, fps: float, chroma: np.ndarray | None = None, chroma_fps: float = 0.0
    ) -> Signals:
        """The Signals of a (N_MELS, frames) mel power spectrogram at `fps` frames per second."""
        low, high = band_onsets(mel_power)
        return cls(onset_envelope(mel_power), fps, low, high, chroma, chroma_fps)


def estimate(signals: Signals) -> Tempo:
    """Tempo (BPM) of the Signals.

    When the onsets have no pulse (confidence below NO_PULSE_CONFIDENCE), a clear period of the
    chord changes (chord_period) is read as a bar of CHORD_BEATS beats; the confidence stays the
    onsets' own. Without either, the tempo is 0."""
    onset, fps, chroma, chroma_fps = signals.onset, signals.fps, signals.chroma, signals.chroma_fps
    found = metre_candidates(signals)
    period, confidence = 0.0, 0.0
    if found is not None:
        ac, peak_bpm, scored = found
        # The candidates are exact ratios of the refined peak, so the chosen one keeps its precision.
        period = 60.0 * fps / metrical.choose(scored)
        min_lag, max_lag = _lag_range(fps)
        # Confidence is how strongly the audio pulses: at the chosen level, or at the peak it was
        # chosen from, whichever stands out more (clicks at 54 BPM read as 108 have no
        # autocorrelation at the chosen period). On a short clip `ac` stops before max_lag.
        region = ac[: max_lag + 1]
        confidence = max(
            _confidence(region, min(len(region) - 1, int(round(p))), min_lag) for p in (period, 60.0 * fps / peak_bpm)
        )
    meter, phase = 0, -1.0
    if confidence < NO_PULSE_CONFIDENCE and chroma is not None:
        # Sustained chords (an organ hymn) have no onset pulse; their changes may still keep time.
        bar = chord_period(chroma, fps=chroma_fps)
        if bar > 0:
            period, meter = bar * fps / CHORD_BEATS, CHORD_BEATS
            # Bars start where the chords change; the onsets' best phase would be noise here.
            phase = chord_phase(chroma, fps=chroma_fps, period_s=bar) * fps % period
    if period <= 0:
        return Tempo(0.0, 0.0, 0.0, 0.0, 4)
    phase = phase if phase >= 0 else _phase(onset, period)
    meter = meter or _meter(onset, period, phase)
    # A relative by 3 of a peak near the bounds may step past them; the schema promises 30-300 BPM.
    bpm = float(np.clip(60.0 * fps / period, MIN_BPM, MAX_BPM))
    return Tempo(bpm, confidence, float(period), float(phase), meter)


def metre_candidates(signals: Signals) -> tuple[np.ndarray, float, list[tuple[float, dict[str, float]]]] | None:
    """The full-band autocorrelation (by lag in frames), the peak's tempo (BPM, what analyser
    1.2.0 reported) and the candidate tempi (BPM) with their metrical.FEATURES; None when there
    is no pulse. bench/fit_tempo.py fits on these."""
    onset, fps, chroma_fps = signals.onset, signals.fps, signals.chroma_fps
    min_lag, max_lag = _lag_range(fps)
    if len(onset) < 2 * min_lag + 2 or not np.any(onset > 0):
        return None
    window = int(WINDOW_S * fps)
    # Lags up to 3 periods of the slowest candidate, for the metre features.
    feature_lag = int(np.ceil(3 * 60.0 * fps / metrical.LOW_BPM))
    ac = local_autocorrelation(_whiten(onset, fps=fps), window=window, max_lag=max(max_lag, feature_lag))
    lags = np.arange(len(ac), dtype=float)
    lags[0] = np.inf
    lag_bpm = 60.0 * fps / lags
    prior = np.exp(-0.5 * (np.log2(np.maximum(lag_bpm, 1e-3) / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
    score = np.maximum(ac, 0.0) * prior
    score[:min_lag] = 0.0
    score[max_lag + 1 :] = 0.0
    best = int(np.argmax(score))
    if score[best] <= 0:
        return None
    low = onset if signals.low is None else signals.low
    high = onset if signals.high is None else signals.high
    ac_low = local_autocorrelation(_whiten(low, fps=fps), window=window, max_lag=len(ac) - 1)
    peak_bpm = 60.0 * fps / _refine(ac, best)
    ac_chord = chord_autocorrelation(signals.chroma, fps=chroma_fps)
    # A candidate slower than the computed lags (a clip of a few seconds) cannot be described.
    scored = [
        (
            b,
            metrical.features(
                b,
                fps=fps,
                ac=ac,
                ac_low=ac_low,
                onset=onset,
                low=low,
                high=high,
                ac_chord=ac_chord,
                chord_fps=chroma_fps,
            ),
        )
        for b in metrical.candidates(peak_bpm)
        if b == peak_bpm or 60.0 * fps / b < len(ac) - 1
    ]
    return ac, peak_bpm, scored


def chord_autocorrelation(chroma: np.ndarray | None, *, fps: float) -> np.ndarray:
    """Autocorrelation by lag (chroma frames at `fps` per second) of the chroma's change from
    frame to frame (cosine distance), averaged over CHORD_WINDOW_S windows; [0.0] without chroma
    or with fewer than 3 frames. `chroma`: (12, t), as key.chroma.

    Chords tend to change at bar lines (Goto 2001 reads the measure level from chord changes), so
    its period, counted in beats, tells a slow beat read at its eighths from a fast one."""
    if chroma is None:
        return np.zeros(1)
    if chroma.ndim != 2 or chroma.shape[0] != 12:
        raise ValueError(f"chroma must be (12, frames), got shape {chroma.shape}")
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"chroma frame rate must be positive, got {fps}")
    if chroma.shape[1] < 3:
        return np.zeros(1)
    window = max(2, int(CHORD_WINDOW_S * fps))
    return local_autocorrelation(_whiten(_chord_change(chroma), fps=fps), window=window, max_lag=window - 1)


def chord_phase(chroma: np.ndarray, *, fps: float, period_s: float) -> float:
    """Seconds from the start to the first line of a `period_s` grid that gathers the most chord
    change (cosine distance between successive frames of the (12, t) `chroma` at `fps`)."""
    return _phase(_chord_change(chroma), period_s * fps) / fps


def _chord_change(chroma: np.ndarray) -> np.ndarray:
    unit = chroma / np.maximum(np.linalg.norm(chroma, axis=0), 1e-9)
    # key.chroma zeroes quiet frames, whose zero vector is at distance 1 from anything: a chord
    # struck after a rest counts as a change, as an event of the harmony's rhythm. Without that
    # (a rest as no change) the fit read the same on the pool and worse on clicks (benchmarks.md).
    return np.concatenate([[0.0], 1.0 - (unit[:, 1:] * unit[:, :-1]).sum(axis=0)])


def chord_period(chroma: np.ndarray, *, fps: float) -> float:
    """Period of the chord changes in seconds (the highest local peak of chord_autocorrelation
    within CHORD_BAR_S, refined below one frame; it may be a multiple of the time between
    changes), or 0.0 when no peak reaches CHORD_PULSE."""
    ac = chord_autocorrelation(chroma, fps=fps)
    lo, hi = max(1, int(CHORD_BAR_S[0] * fps)), min(len(ac) - 2, int(CHORD_BAR_S[1] * fps))
    peaks = [i for i in range(lo, hi + 1) if ac[i] >= ac[i - 1] and ac[i] > ac[i + 1] and ac[i] >= CHORD_PULSE]
    if not peaks:
        return 0.0
    return _refine(ac, max(peaks, key=lambda i: ac[i])) / fps


def _lag_range(fps: float) -> tuple[int, int]:
    """Shortest and longest beat period in frames (MAX_BPM and MIN_BPM at `fps`)."""
    return max(1, int(np.ceil(60.0 * fps / MAX_BPM))), int(np.ceil(60.0 * fps / MIN_BPM))


def _whiten(onset: np.ndarray, *, fps: float) -> np.ndarray:
    # Remove the slow loudness trend (1 s moving mean) so long notes do not dominate.
    width = max(1, min(int(fps), len(onset)))  # np.convolve "same" returns the longer length
    trend = np.convolve(onset, np.ones(width) / width, mode="same")
    return np.maximum(onset - trend, 0.0)


def _refine(ac: np.ndarray, lag: int) -> float:
    if 0 < lag < len(ac) - 1:
        a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
        den = a - 2 * b + c
        if den < 0:
            return lag + float(np.clip(0.5 * (a - c) / den, -0.5, 0.5))
    return float(lag)


def _confidence(ac: np.ndarray, lag: int, min_lag: int) -> float:
    # Peak height against the typical level of the autocorrelation between pulses.
    region = ac[min_lag:]
    floor = float(np.median(region))
    return float(np.clip((ac[lag] - floor) / max(1e-6, 1.0 - floor), 0.0, 1.0))


def _phase(onset: np.ndarray, period: float, steps: int = 32) -> float:
    best, best_score = 0.0, -1.0
    for phase in np.linspace(0.0, period, steps, endpoint=False):
        idx = np.round(np.arange(phase, len(onset) - 1, period)).astype(int)
        s = onset[idx].mean() if len(idx) else 0.0
        if s > best_score:
            best, best_score = float(phase), float(s)
    return best


def _meter(onset: np.ndarray, period: float, phase: float) -> int:
    """3 or 4 beats per bar: which grouping of beat accents repeats more strongly."""
    idx = np.round(np.arange(phase, len(onset) - 1, period)).astype(int)
    if len(idx) < 12:
        return 4
    # Onset mass within a quarter beat of each beat: a click split over two frames counts whole.
    half = max(1, int(period / 4))
    accents = np.array([onset[max(0, i - half) : i + half + 1].sum() for i in idx])
    # Lags 3 and 9 are not shared with duple groupings (6 is: it also repeats every 2 beats).
    # Bench corpus: 0.79 right (held-out pieces 0.68) against 0.71 (0.54) with lags 3 + 6.
    ac = autocorrelation(accents, max_lag=9)
    return 3 if ac[3] + ac[9] > ac[4] + ac[8] else 4
