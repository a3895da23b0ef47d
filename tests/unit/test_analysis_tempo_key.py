"""Tempo on click tracks at known BPM, meter from accents, key on chord progressions."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_signals import PCS, click_track, midi_hz, progression, tone

from functions.analysis import key, spectrum, tempo

SR = 22050


def _tempo(y: np.ndarray) -> tempo.Tempo:
    # As analyzer.describe calls it: the metre choice was fitted with the chord changes.
    fr = spectrum.frames(y, sr=SR)
    chroma = key.chroma(key.pitch_spectrogram(y, sr=SR))
    return tempo.estimate(tempo.Signals.of(fr.mel, fps=fr.fps, chroma=chroma, chroma_fps=key.frame_rate(SR)))


@pytest.mark.parametrize("bpm", [72, 96, 120, 137, 150])
def test_tempo_of_click_tracks_within_two_percent(bpm):
    est = _tempo(click_track(bpm, 20.0, sr=SR, seed=bpm))
    assert est.bpm == pytest.approx(bpm, rel=0.02)
    assert 0.3 < est.confidence <= 1.0


@pytest.mark.parametrize("bpm", [50, 54, 60])
def test_tempo_confidence_of_slow_clicks_holds_at_either_level(bpm):
    # The metre choice may read slow clicks at double tempo, where the autocorrelation is empty;
    # the pulse is still as clear as the clicks.
    est = _tempo(click_track(bpm, 20.0, sr=SR, seed=bpm))
    assert min(abs(est.bpm / bpm - 1), abs(est.bpm / (2 * bpm) - 1)) < 0.02
    assert est.confidence > 0.5


def test_tempo_of_fast_clicks_may_fold_to_half():
    # Equal clicks at 168 BPM are metrically ambiguous; the 120 BPM prior picks 84 (Acc2 holds).
    est = _tempo(click_track(168, 20.0, sr=SR, seed=168))
    assert min(abs(est.bpm / 168 - 1), abs(est.bpm / 84 - 1)) < 0.02


@pytest.mark.parametrize("beats_per_bar", [3, 4])
def test_meter_from_accented_clicks(beats_per_bar):
    est = _tempo(click_track(110, 24.0, sr=SR, accent_every=beats_per_bar))
    assert est.beats_per_bar == beats_per_bar


@pytest.mark.parametrize("period", [2, 5, 8, 9, 86, 87, 120])
def test_tempo_stays_inside_30_to_300_bpm(period):
    onset = np.zeros(2000, np.float32)
    onset[::period] = 1.0
    est = tempo.estimate(tempo.Signals(onset, fps=43.066))
    assert est.bpm == 0.0 or tempo.MIN_BPM <= est.bpm <= tempo.MAX_BPM  # 0 = no pulse in range


def test_tempo_of_silence_and_noise_is_bounded():
    assert _tempo(np.zeros(SR * 5, np.float32)).bpm == 0.0
    noise = _tempo(np.random.default_rng(1).standard_normal(SR * 5).astype(np.float32) * 0.1)
    assert noise.bpm == 0.0 or tempo.MIN_BPM <= noise.bpm <= tempo.MAX_BPM
    assert 0.0 <= noise.confidence <= 1.0


def _sustained_chords(bar_s: float, bars: int = 10) -> np.ndarray:
    # Organ-like: a new chord every bar (I, IV, V, vi, ...) and nothing that strikes on the beat.
    chords = [(0, 4, 7), (5, 9, 12), (7, 11, 14), (9, 12, 16)]
    return np.concatenate(
        [sum(tone(midi_hz(62 + n), bar_s, sr=SR, amp=0.1) for n in chords[i % 4]) for i in range(bars)]
    )


@pytest.mark.parametrize("bar_s", [2.5, 3.0, 4.0])
def test_tempo_of_sustained_chords_reads_their_changes_as_bars_of_four(bar_s):
    y = _sustained_chords(bar_s)
    chroma = key.chroma(key.pitch_spectrogram(y, sr=SR))
    assert tempo.chord_period(chroma, fps=key.frame_rate(SR)) == pytest.approx(bar_s, rel=0.02)
    est = _tempo(y)
    assert est.confidence < tempo.NO_PULSE_CONFIDENCE  # the onsets alone have no beat to offer
    assert est.bpm == pytest.approx(tempo.CHORD_BEATS * 60.0 / bar_s, rel=0.02)
    assert est.beats_per_bar == tempo.CHORD_BEATS


def test_tempo_without_onset_pulse_puts_the_beat_where_the_chords_change():
    fps, chroma_fps = 43.0, 10.0
    onset = np.random.default_rng(11).random(int(40 * fps)).astype(np.float32)  # no pulse
    chroma = np.zeros((12, int(40 * chroma_fps)), np.float32)
    for i in range(chroma.shape[1]):  # a new chord every 4 s from 1.3 s on: beats at x.3 s
        chord = int((i / chroma_fps - 1.3) // 4) if i / chroma_fps >= 1.3 else -1
        chroma[[(5 * chord) % 12, (5 * chord + 4) % 12, (5 * chord + 7) % 12], i] = 1.0
    est = tempo.estimate(tempo.Signals(onset, fps=fps, chroma=chroma, chroma_fps=chroma_fps))
    assert est.confidence < tempo.NO_PULSE_CONFIDENCE
    assert est.bpm == pytest.approx(60.0, rel=0.02)
    assert est.phase / fps == pytest.approx(0.3, abs=0.1)  # a chroma frame is 0.1 s


def test_tempo_chord_changes_do_not_override_an_onset_pulse():
    y = _sustained_chords(4.0)
    y = y + click_track(150, len(y) / SR, sr=SR, seed=150)
    assert _tempo(y).bpm == pytest.approx(150, rel=0.02)


def test_tempo_chord_period_needs_a_clear_peak():
    fps = key.frame_rate(SR)
    chroma = key.chroma(key.pitch_spectrogram(_sustained_chords(4.0), sr=SR))
    assert tempo.chord_period(chroma, fps=fps) == pytest.approx(4.0, rel=0.02)
    rng = np.random.default_rng(7)
    assert tempo.chord_period(rng.random((12, 400)).astype(np.float32), fps=fps) == 0.0  # no period
    assert tempo.chord_period(np.zeros((12, 400), np.float32), fps=fps) == 0.0  # silence
    assert tempo.chord_period(chroma[:, :2], fps=fps) == 0.0  # too short to have one


@pytest.mark.parametrize("tonic", [0, 2, 6, 9, 10])
@pytest.mark.parametrize("mode", ["major", "minor"])
def test_key_of_cadences(tonic, mode):
    y = progression(tonic, mode, sr=SR)
    est = key.estimate(key.chroma(key.pitch_spectrogram(y, sr=SR)))
    assert (PCS[est.index], est.mode) == (PCS[tonic], mode)
    assert 0.0 < est.confidence <= 1.0


def test_key_of_silence_is_defined_with_zero_confidence():
    est = key.estimate(key.chroma(key.pitch_spectrogram(np.zeros(SR, np.float32), sr=SR)))
    assert (est.index, est.mode, est.confidence) == (0, "major", 0.0)


@pytest.mark.parametrize(
    "est,ref,score",
    [
        ((0, "major"), (0, "major"), 1.0),
        ((7, "major"), (0, "major"), 0.5),
        ((5, "minor"), (0, "minor"), 0.5),
        ((9, "minor"), (0, "major"), 0.3),
        ((0, "major"), (9, "minor"), 0.3),
        ((0, "minor"), (0, "major"), 0.2),
        ((1, "major"), (0, "major"), 0.0),
        ((7, "minor"), (0, "major"), 0.0),
    ],
)
def test_key_mirex_score_credits_fifths_relatives_and_parallels(est, ref, score):
    assert key.mirex_score(est, ref) == score


def test_key_audio_profile_adds_octaves_fifths_and_thirds():
    one_note = key.audio_profile([1.0] + [0.0] * 11)
    assert one_note[0] == pytest.approx(1.0 + 0.6 + 0.216)  # harmonics 1, 2, 4
    assert one_note[7] == pytest.approx(0.36 + 0.078)  # harmonics 3, 6
    assert one_note[4] == pytest.approx(0.13)  # harmonic 5
    assert key.templates().shape == (24, 12)


def test_key_pitch_class_vector_adds_the_sounding_opening_and_the_ending():
    chroma = np.zeros((12, 100), np.float32)  # 10 silent frames, 20 of C major, 70 of G major
    chroma[[0, 4, 7], 10:30] = 1.0
    chroma[[7, 11, 2], 30:] = 1.0
    fps = 20 / key.ENDING_S  # the opening and the ending are 20 frames each
    share = key.ENDING_SHARE * 100  # each counts as ENDING_SHARE of the 100 frames
    expected = np.zeros(12)
    expected[[0, 4]] = 20 + share  # the opening's C and E
    expected[7] = 90 + 2 * share  # G is in both
    expected[[11, 2]] = 70 + share  # the ending's B and D
    np.testing.assert_allclose(key.pitch_class_vector(chroma, frames_per_second=fps), expected)
