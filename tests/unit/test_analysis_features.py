"""The one-STFT feature rows against librosa's own functions, and the descriptors' cues."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_signals import click_track, progression, speech_like, tone

from functions.analysis import features, spectrum, tempo

SR = 22050


@pytest.fixture(scope="module")
def librosa_feature():
    # Importing librosa.feature JIT-compiles numba code once per session (cached on disk after).
    import librosa.feature

    return librosa.feature


def test_features_rows_match_librosa(librosa_feature):
    import librosa

    rng = np.random.default_rng(3)
    y = (progression(4, "major", sr=SR) + 0.01 * rng.standard_normal(SR * 8)).astype(np.float32)
    fr = spectrum.frames(y, sr=SR)
    mag = np.abs(librosa.stft(y, n_fft=spectrum.N_FFT, hop_length=spectrum.HOP))
    np.testing.assert_allclose(fr.centroid, librosa_feature.spectral_centroid(S=mag, sr=SR)[0], rtol=1e-3, atol=1e-2)
    np.testing.assert_allclose(fr.rolloff, librosa_feature.spectral_rolloff(S=mag, sr=SR)[0], rtol=1e-3, atol=11)
    np.testing.assert_allclose(fr.rms, librosa_feature.rms(S=mag)[0], rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(fr.mel, librosa_feature.melspectrogram(S=mag**2, sr=SR), rtol=1e-3, atol=1e-4)
    mfcc = librosa_feature.mfcc(S=librosa.power_to_db(fr.mel), n_mfcc=13).mean(axis=1)
    np.testing.assert_allclose(features.mfcc_means(fr.mel), mfcc, rtol=1e-3, atol=1e-3)
    onset = librosa.onset.onset_strength(S=librosa.power_to_db(fr.mel), sr=SR, center=False)
    np.testing.assert_allclose(tempo.onset_envelope(fr.mel)[1:], onset[1 : len(fr.rms)], rtol=1e-3, atol=1e-3)


def test_spectrum_rolloff_search_matches_a_full_cumulative_sum():
    # Integer magnitudes sum exactly in float32, so the search must find the reference's bin.
    rng = np.random.default_rng(5)
    mag = rng.integers(0, 50, size=(64, spectrum.N_FFT // 2 + 1)).astype(np.float32)
    mag[:8] = 0.0
    mag[0, -1] = 1.0  # all of it in the Nyquist bin, past the grouped bins
    mag[1, 0] = 1.0  # all of it in the first bin
    mag[2, 31:33] = 1000.0  # reached at the first bin of a step
    mag[3, 30:32] = 1000.0  # reached at the last bin of a step
    mag[4, 1022:1024] = 1000.0  # reached at the last grouped bin
    mag[5, [3, 700]] = [85.0, 15.0]  # exactly 85 % at bin 3
    total = mag.sum(axis=1)
    cumulative = np.cumsum(mag.astype(np.float64), axis=1)
    expected = np.argmax(cumulative >= spectrum.ROLL_PERCENT * total[:, None].astype(np.float64), axis=1)
    found = spectrum._rolloff_bins(mag, total)
    np.testing.assert_array_equal(found[:6], [spectrum.N_FFT // 2, 0, 32, 31, 1023, 3])
    np.testing.assert_array_equal(found[8:], expected[8:])


def test_features_zero_crossing_rate_of_a_sine():
    y = tone(1000.0, 1.0, sr=SR, harmonics=1)
    assert features.zero_crossing_rate(y) == pytest.approx(2000 / SR, rel=0.02)
    assert features.zero_crossing_rate(np.zeros(10, np.float32)) == 0.0


def test_features_speech_cues_separate_syllables_from_music():
    speech = spectrum.frames(speech_like(12.0, sr=SR), sr=SR)
    music = spectrum.frames(progression(0, "major", sr=SR, bars=8) + click_track(120, 16.0, sr=SR), sr=SR)
    assert features.speech_cues(speech)["lowEnergy"] > 0.3
    assert features.speech_cues(music)["lowEnergy"] < 0.15


@pytest.mark.parametrize(
    "low,conf,tonality,expected",
    [
        (0.35, 0.1, 0.2, 1.0),  # pauses, no beat, no key: speech
        (0.05, 0.1, 0.2, 0.0),  # no pauses
        (0.35, 0.9, 0.2, 0.2),  # a steady beat (a click track)
        (0.35, 0.1, 0.8, 0.2),  # staccato music in a clear key
        (0.35, 0.9, 0.8, 0.04),
    ],
)
def test_features_speechiness_from_pauses_pulse_and_key_clarity(low, conf, tonality, expected):
    value = features.speechiness(low_energy=low, tempo_confidence=conf, tonality=tonality)
    assert value == pytest.approx(expected)


@pytest.mark.parametrize("sr", [16000, 22050, 44100])
def test_features_mel_filter_bank_is_librosas(sr):
    from librosa import filters

    expected = filters.mel(sr=sr, n_fft=spectrum.N_FFT, n_mels=spectrum.N_MELS, dtype=np.float64)
    np.testing.assert_allclose(spectrum.mel_filters(sr=sr), expected, rtol=0, atol=1e-12)


def test_features_analysis_imports_neither_librosa_nor_numba():
    import subprocess
    import sys

    code = "import sys, functions.analysis.handler; print(sorted({'librosa', 'numba', 'llvmlite'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"


def test_features_ramp_handles_nan_and_bounds():
    assert features.ramp(float("nan"), 0, 1) == 0.0
    assert (features.ramp(-5, 0, 1), features.ramp(0.25, 0, 1), features.ramp(9, 0, 1)) == (0.0, 0.25, 1.0)


def _describe(y: np.ndarray) -> dict:
    from functions.analysis.analyzer import describe
    from functions.analysis.decode import Decoded
    from functions.analysis.loudness import LoudnessMeter

    meter = LoudnessMeter(sr=SR, channels=1)
    meter.update(y[:, None])
    return describe(
        Decoded(
            y=y.astype(np.float32),
            sr=SR,
            duration=len(y) / SR,
            loudness=meter.integrated(),
            channels=1,
            source_sr=SR,
            source_format="WAV",
        )
    )


def test_features_descriptors_order_contrasting_material():
    rng = np.random.default_rng(5)
    quiet_chord = 0.05 * progression(0, "minor", sr=SR, beat_s=1.0)  # 16 s, slow, soft, minor
    n = len(quiet_chord)
    loud_band = (
        np.clip(3 * progression(7, "major", sr=SR, beat_s=0.125 * 4, bars=8)[:n], -1, 1)
        + click_track(124, n / SR, sr=SR)[:n]
        + 0.1 * rng.standard_normal(n)
    ).astype(np.float32)
    soft, loud = _describe(quiet_chord), _describe(loud_band)
    assert loud["energy"] > soft["energy"] + 0.3
    assert loud["danceability"] > soft["danceability"]
    assert soft["acousticness"] > loud["acousticness"]
    assert loud["valence"] > soft["valence"]
    assert soft["mood"] in ("melancholic", "calm") and loud["mood"] in ("energetic", "joyful", "uplifting")


@pytest.mark.parametrize("bpm", [54, 100, 143])
def test_features_click_track_reads_as_music_not_speech(bpm):
    # Clicks pause between hits as speech does between words; the steady beat tells them apart.
    clicks = _describe(click_track(bpm, 20.0, sr=SR, seed=bpm))
    speech = _describe(speech_like(20.0, sr=SR))
    assert clicks["speechiness"] < 0.33 < 0.66 < speech["speechiness"]
