"""The metre choice (functions/analysis/metrical.py): candidates, grid salience, the weighted pick."""

from __future__ import annotations

import numpy as np
import pytest

from functions.analysis import metrical, tempo

FPS = 43.066
CHROMA_FPS = 10.767  # key.frame_rate(22050)


def _pulses(period: float, seconds: float = 30.0, *, accent_every: int = 0) -> np.ndarray:
    x = np.zeros(int(seconds * FPS), np.float32)
    for i, t in enumerate(np.arange(0.0, len(x) - 1, period)):
        x[int(round(t))] = 2.0 if accent_every and i % accent_every == 0 else 1.0
    return x


def _chords(bpm: float, beats: int, seconds: float = 30.0) -> np.ndarray:
    """(12, t) chroma of a I-IV-V-vi loop changing chord every `beats` beats at `bpm`."""
    c = np.zeros((12, int(seconds * CHROMA_FPS)), np.float32)
    per = beats * 60.0 * CHROMA_FPS / bpm
    for i in range(c.shape[1]):
        k = int(i // per) % 4
        c[[0, 5, 7, 9][k], i], c[[4, 9, 11, 0][k], i] = 1.0, 0.8
    return c


def test_metrical_candidates_are_the_peaks_relatives_in_range():
    assert metrical.candidates(120.0) == pytest.approx([60.0, 80.0, 120.0, 180.0])  # 40, 240, 360 are out
    assert metrical.candidates(200.0) == pytest.approx([66.666667, 100.0, 133.333333, 200.0])
    assert metrical.candidates(1000.0) == [1000.0]  # no relative in range: kept alone, never empty
    assert metrical.candidates(250.0) == pytest.approx([83.333333, 125.0, 166.666667, 250.0])  # the peak stays


def test_metrical_salience_prefers_the_grid_the_pulses_sit_on():
    beat = 60 * FPS / 100.0  # 100 BPM
    x = _pulses(beat)
    on = metrical.salience(x, period=beat, fps=FPS)
    assert on > metrical.salience(x, period=beat * 1.5, fps=FPS)  # a 3:2 grid drifts off the pulses
    assert on > metrical.salience(x, period=beat * 0.5, fps=FPS)  # half its points fall between pulses
    assert metrical.salience(np.zeros(1000, np.float32), period=beat, fps=FPS) == 0.0


def test_metrical_salience_of_a_grid_missing_every_onset_is_floored(monkeypatch):
    monkeypatch.setattr(metrical, "PHASES", 1)  # one grid, at phase 0
    x = np.zeros(int(20 * FPS), np.float32)
    x[1::10] = 1.0  # every onset one frame after a grid point
    assert metrical.salience(x, period=10.0, fps=FPS) == pytest.approx(np.log(1e-3))


def test_metrical_choose_takes_the_highest_weighted_sum():
    scored = [(60.0, {n: 0.0 for n in metrical.FEATURES}), (120.0, {n: 0.0 for n in metrical.FEATURES})]
    scored[1][1]["acf"] = 1.0
    assert metrical.choose(scored, weights={n: 1.0 for n in metrical.FEATURES}) == 120.0
    assert metrical.choose(scored, weights={**{n: 1.0 for n in metrical.FEATURES}, "acf": -1.0}) == 60.0


def test_metrical_weights_cover_every_feature_in_order():
    # choose() reads WEIGHTS by FEATURES, and fit_tempo --write writes them in that order; that
    # the values are what the fit gives is `make tempo-fit`'s to show (it needs the corpus).
    assert tuple(metrical.WEIGHTS) == metrical.FEATURES
    assert all(isinstance(v, float) and np.isfinite(v) for v in metrical.WEIGHTS.values())
    assert any(v != 0.0 for v in metrical.WEIGHTS.values())  # all zeros: never fitted, the first candidate wins


def test_tempo_estimate_reports_the_chosen_level(monkeypatch):
    # Weights that only reward fast candidates: the pick must be the fastest relative in range.
    monkeypatch.setattr(metrical, "WEIGHTS", {**dict.fromkeys(metrical.FEATURES, 0.0), "lt": 10.0})
    x = _pulses(60 * FPS / 100.0, accent_every=2)
    est = tempo.estimate(tempo.Signals(x, fps=FPS))
    assert est.bpm == pytest.approx(200.0, rel=0.03)  # 100 BPM peak, x2 is the fastest within 50-220


def test_tempo_metre_candidates_carry_every_feature():
    found = tempo.metre_candidates(tempo.Signals(_pulses(60 * FPS / 90.0), fps=FPS))
    assert found is not None
    ac, peak, scored = found
    assert peak in [b for b, _ in scored]
    assert len(ac) > 3 * 60 * FPS / metrical.LOW_BPM  # lags to 3 periods of the slowest candidate
    for bpm, feats in scored:
        assert metrical.LOW_BPM <= bpm <= metrical.HIGH_BPM
        assert set(feats) == set(metrical.FEATURES) and all(np.isfinite(list(feats.values())))
    assert tempo.metre_candidates(tempo.Signals(np.zeros(500, np.float32), fps=FPS)) is None


def test_tempo_metre_candidates_read_the_bands_they_are_given():
    full = _pulses(60 * FPS / 100.0)
    bass = _pulses(60 * FPS / 50.0)  # the bass only on every other beat
    with_bands = dict(tempo.metre_candidates(tempo.Signals(full, fps=FPS, low=bass, high=full))[2])
    without = dict(tempo.metre_candidates(tempo.Signals(full, fps=FPS))[2])
    assert with_bands.keys() == without.keys()
    for bpm in with_bands:
        assert with_bands[bpm]["sal"] == without[bpm]["sal"]  # the full band is the same
    assert any(with_bands[b]["sall"] != without[b]["sall"] for b in with_bands)
    assert any(with_bands[b]["acfl"] != without[b]["acfl"] for b in with_bands)


def test_tempo_of_a_short_clip_with_slow_weights_does_not_crash(monkeypatch):
    # Weights that favour the slowest candidate on clips shorter than its period.
    monkeypatch.setattr(metrical, "WEIGHTS", {**dict.fromkeys(metrical.FEATURES, 0.0), "lt": -10.0})
    for frames in (30, 40, 45, 60):
        x = np.zeros(frames, np.float32)
        x[::5] = 1.0
        est = tempo.estimate(tempo.Signals(x, fps=FPS))
        assert est.bpm == 0.0 or tempo.MIN_BPM <= est.bpm <= tempo.MAX_BPM


def test_metrical_features_reject_a_zero_tempo():
    x = _pulses(20.0)
    with pytest.raises(ValueError):
        metrical.features(0.0, fps=FPS, ac=x, ac_low=x, onset=x, low=x, high=x, ac_chord=x, chord_fps=CHROMA_FPS)
    with pytest.raises(ValueError):
        metrical.candidates(0.0)


def test_tempo_chord_autocorrelation_peaks_at_the_chord_period():
    ac = tempo.chord_autocorrelation(_chords(100.0, 4), fps=CHROMA_FPS)
    period = 4 * 60.0 * CHROMA_FPS / 100.0  # 25.8 frames
    assert metrical.acf_at(ac, period=period) > 0.5
    assert metrical.acf_at(ac, period=period / 2) < 0.1 and metrical.acf_at(ac, period=period * 1.5) < 0.1
    assert list(tempo.chord_autocorrelation(None, fps=CHROMA_FPS)) == [0.0]


def test_metrical_chord_features_count_the_bar_in_beats():
    x = _pulses(60 * FPS / 100.0)
    ac = tempo.autocorrelation(x, max_lag=300)
    ac_chord = tempo.chord_autocorrelation(_chords(100.0, 4), fps=CHROMA_FPS)
    kw = {"fps": FPS, "ac": ac, "ac_low": ac, "onset": x, "low": x, "high": x, "ac_chord": ac_chord}
    beat = metrical.features(100.0, chord_fps=CHROMA_FPS, **kw)
    double = metrical.features(200.0, chord_fps=CHROMA_FPS, **kw)
    assert beat["chord4"] > 0.5 and double["chord4"] < 0.1  # 4 beats of 200 BPM is half the bar
    assert double["chord8"] > 0.5
    assert all(metrical.features(100.0, chord_fps=0.0, **kw)[f"chord{k}"] == 0.0 for k in metrical.BAR_BEATS)


def test_tempo_estimate_reads_the_level_the_chords_mark():
    # The same eighth notes of an 80 BPM beat: with a chord every 4 beats of 80 they read 80,
    # with one every 4 beats of 160 they read 160 (the fitted WEIGHTS decide).
    x = _pulses(60 * FPS / 160.0)
    slow = tempo.estimate(tempo.Signals(x, fps=FPS, chroma=_chords(80.0, 4), chroma_fps=CHROMA_FPS))
    fast = tempo.estimate(tempo.Signals(x, fps=FPS, chroma=_chords(160.0, 4), chroma_fps=CHROMA_FPS))
    assert slow.bpm == pytest.approx(80.0, rel=0.04) and fast.bpm == pytest.approx(160.0, rel=0.04)


def test_tempo_chord_autocorrelation_counts_a_chord_struck_after_a_rest():
    # key.chroma zeroes quiet frames; the same chord struck again after a rest is a chord event.
    c = np.zeros((12, 400), np.float32)
    c[[0, 4, 7], :] = 1.0
    c[:, 10::20] = 0.0  # a rest every 20 frames
    assert metrical.acf_at(tempo.chord_autocorrelation(c, fps=CHROMA_FPS), period=20.0) > 0.5
    held = np.ones((12, 400), np.float32)  # one chord throughout: nothing changes
    assert np.allclose(tempo.chord_autocorrelation(held, fps=CHROMA_FPS)[1:], 0.0, atol=1e-3)


def test_tempo_chord_autocorrelation_validates_its_input():
    assert list(tempo.chord_autocorrelation(np.ones((12, 2), np.float32), fps=CHROMA_FPS)) == [0.0]
    short = tempo.chord_autocorrelation(_chords(100.0, 4, seconds=3.0), fps=CHROMA_FPS)
    assert np.isfinite(short).all()  # shorter than one window
    for bad_fps in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            tempo.chord_autocorrelation(_chords(100.0, 4), fps=bad_fps)
    with pytest.raises(ValueError):
        tempo.chord_autocorrelation(_chords(100.0, 4).T, fps=CHROMA_FPS)  # (frames, 12)
    with pytest.raises(ValueError):
        tempo.Signals(_pulses(20.0), fps=FPS, chroma=_chords(100.0, 4))  # chroma without its frame rate


def test_tempo_signals_validate_at_entry():
    x = _pulses(20.0)
    for bad_fps in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="onset frame rate"):
            tempo.Signals(x, fps=bad_fps)
    with pytest.raises(ValueError, match="low must match"):
        tempo.Signals(x, fps=FPS, low=x[:-1])
    with pytest.raises(ValueError, match="high must match"):
        tempo.Signals(x, fps=FPS, high=np.stack([x, x]))
    ok = tempo.Signals(x, fps=FPS, low=x, high=x, chroma=_chords(100.0, 4), chroma_fps=CHROMA_FPS)
    assert ok.low is x and ok.chroma_fps == CHROMA_FPS


def test_tempo_signals_of_a_mel_spectrogram_are_its_envelopes():
    mel = np.random.default_rng(0).random((tempo.HIGH_FROM + 8, 300)).astype(np.float32)
    s = tempo.Signals.of(mel, fps=FPS)
    low, high = tempo.band_onsets(mel)
    assert np.array_equal(s.onset, tempo.onset_envelope(mel))
    assert np.array_equal(s.low, low) and np.array_equal(s.high, high)
    assert not np.array_equal(s.low, s.onset) and s.chroma is None
